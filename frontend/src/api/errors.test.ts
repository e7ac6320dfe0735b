import { describe, expect, it } from 'vitest';

import { ApiError, errorMessage, shouldRetry, toApiError } from './errors';

const response = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body, { status, headers });

describe('toApiError', () => {
  it('keeps the server message, code and extra fields', async () => {
    const error = await toApiError(response(401, JSON.stringify({ error: 'Invalid verification code', code: 'invalid_tfa', remainingAttempts: 3 })));
    expect(error).toMatchObject({ status: 401, code: 'invalid_tfa', message: 'Invalid verification code' });
    expect(error.body.remainingAttempts).toBe(3);
  });

  it('names the code from the status when the body has none', async () => {
    const error = await toApiError(response(403, JSON.stringify({ error: 'Insufficient permissions' })));
    expect(error.code).toBe('forbidden');
  });

  it('explains a plan gate in words', async () => {
    const error = await toApiError(response(403, JSON.stringify({ code: 'module_not_available' })));
    expect(error.message).toBe("This feature is not included in your organisation's plan.");
  });

  it('gives a status message for a non-JSON gateway answer', async () => {
    const error = await toApiError(response(413, '<html>too large</html>'));
    expect(error).toMatchObject({ status: 413, code: 'payload_too_large', message: 'That is too large to send.' });
  });

  it('hides server internals behind a message with the request id', async () => {
    const error = await toApiError(response(500, JSON.stringify({ error: 'internal error', request_id: 'req-42' })));
    expect(error.code).toBe('server_error');
    expect(error.message).toBe('The server could not complete the request (reference req-42). Try again in a moment.');
  });

  it('reads Retry-After, or remaining_seconds of a locked account', async () => {
    expect((await toApiError(response(429, '{}', { 'Retry-After': '30' }))).retryAfterSeconds).toBe(30);
    expect((await toApiError(response(429, JSON.stringify({ remaining_seconds: 600 })))).retryAfterSeconds).toBe(600);
  });
});

describe('errorMessage', () => {
  it('tells how long to wait when rate limited', () => {
    expect(errorMessage(new ApiError(429, 'rate_limited', 'Too many requests. Try again later.', {}, 45))).toBe('Too many requests. Try again in 45 seconds.');
    expect(errorMessage(new ApiError(429, 'account_locked', 'Account is temporarily locked.', {}, 900))).toBe('Account is temporarily locked. Try again in 15 minutes.');
  });

  it('falls back to a generic sentence for unknown values', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(undefined)).toBe('Something went wrong.');
  });
});

describe('shouldRetry', () => {
  it('never retries a refused request and retries other failures twice', () => {
    expect(shouldRetry(0, new ApiError(404, 'not_found', 'x'))).toBe(false);
    expect(shouldRetry(0, new ApiError(429, 'rate_limited', 'x'))).toBe(false);
    expect(shouldRetry(0, new ApiError(503, 'server_error', 'x'))).toBe(true);
    expect(shouldRetry(1, new ApiError(0, 'network_error', 'x'))).toBe(true);
    expect(shouldRetry(2, new ApiError(0, 'network_error', 'x'))).toBe(false);
  });
});
