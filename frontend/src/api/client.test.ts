import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ACCESS_EXPIRY_KEY, createApiClient, REFRESH_MARGIN_MS } from './client';
import { readCookie } from './cookies';
import { ApiError } from './errors';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function setCsrf(value: string) {
  document.cookie = `csrf_token=${value}; Path=/`;
}

/** A fake API: routes "METHOD /path" to handlers and records every call. */
function fakeFetch(routes: Record<string, Handler | Handler[]>) {
  const calls: { method: string; path: string; headers: Record<string, string>; body: string | undefined; credentials: RequestCredentials | undefined }[] = [];
  const fetch = vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = input instanceof Request ? input.url : input.toString();
    const method = init.method ?? 'GET';
    const path = url.replace(/^\/api\/v1/, '').split('?')[0] ?? '';
    calls.push({ method, path, headers: { ...(init.headers as Record<string, string>) }, body: init.body as string | undefined, credentials: init.credentials });
    const route = routes[`${method} ${path}`];
    const handler = Array.isArray(route) ? route.shift() : route;
    if (!handler) throw new Error(`unexpected ${method} ${path}`);
    return Promise.resolve(handler(url, init));
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

function client(fetch: typeof globalThis.fetch, now = () => 1_000_000) {
  return createApiClient({ baseUrl: '/api/v1', fetch, now, storage: window.localStorage, locks: null });
}

const expired = () => json(401, { error: 'Token expired', code: 'token_expired' });
const refreshed = (rotateTo: string) => () => {
  setCsrf(rotateTo);
  return json(200, { token: 'x', refresh_token: 'y', expires_in: 3600, expires_at: '2030-01-01T00:00:00Z' });
};

/** A Web Locks stand-in shared by several clients (tabs): one callback at a time, in order. */
function sharedLock(): LockManager {
  let queue: Promise<unknown> = Promise.resolve();
  const request = (_name: string, callback: () => Promise<unknown>) => {
    const run = queue.then(callback);
    queue = run.catch(() => undefined);
    return run;
  };
  return { request } as unknown as LockManager;
}

beforeEach(() => setCsrf('csrf-1'));
afterEach(() => vi.useRealTimers());

describe('requests', () => {
  it('sends cookies, and the CSRF header only on writes', async () => {
    const api = fakeFetch({ 'GET /hosts': () => json(200, { hosts: [] }), 'POST /hosts/create': () => json(201, { id: 'h1' }) });
    const c = client(api.fetch);

    await c.get('/hosts', { query: { limit: 50, cursor: null, search: undefined } });
    await c.post('/hosts/create', { friendly_name: 'web' });

    expect(api.calls[0]).toMatchObject({ method: 'GET', credentials: 'include' });
    expect(api.calls[0]?.headers['X-CSRF-Token']).toBeUndefined();
    expect(api.calls[1]).toMatchObject({ method: 'POST', credentials: 'include', body: '{"friendly_name":"web"}' });
    expect(api.calls[1]?.headers).toMatchObject({ 'X-CSRF-Token': 'csrf-1', 'Content-Type': 'application/json' });
  });

  it('puts query parameters in the URL and leaves out empty ones', async () => {
    const api = fakeFetch({ 'GET /hosts': () => json(200, {}) });
    await client(api.fetch).get('/hosts', { query: { limit: 50, cursor: null, search: undefined, security: true } });
    expect(vi.mocked(api.fetch).mock.calls[0]?.[0]).toBe('/api/v1/hosts?limit=50&security=true');
  });

  it('raises the API error body as an ApiError', async () => {
    const api = fakeFetch({ 'GET /hosts/x': () => json(404, { error: 'Host not found', code: 'not_found' }) });
    const error = await client(api.fetch).get('/hosts/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'Host not found' });
  });

  it('raises a network error when the server cannot be reached', async () => {
    const fetch = vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof globalThis.fetch;
    await expect(client(fetch).get('/hosts')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('returns undefined for an empty answer', async () => {
    const api = fakeFetch({ 'DELETE /hosts/h1': () => new Response(null, { status: 204 }) });
    await expect(client(api.fetch).delete('/hosts/h1')).resolves.toBeUndefined();
  });
});

describe('refresh and retry', () => {
  it('refreshes once and retries when the access token expired', async () => {
    const api = fakeFetch({ 'GET /dashboard/stats': [expired, () => json(200, { total_hosts: 3 })], 'POST /auth/refresh': refreshed('csrf-2') });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);

    await expect(c.get('/dashboard/stats')).resolves.toEqual({ total_hosts: 3 });

    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /dashboard/stats', 'POST /auth/refresh', 'GET /dashboard/stats']);
    expect(api.calls[1]).toMatchObject({ body: '{}', credentials: 'include', headers: { 'X-CSRF-Token': 'csrf-1' } });
    expect(ended).not.toHaveBeenCalled();
    expect(window.localStorage.getItem(ACCESS_EXPIRY_KEY)).toBe(String(1_000_000 + 3_600_000));
  });

  it('retries a write with the CSRF token the refresh rotated', async () => {
    const api = fakeFetch({ 'PUT /dashboard/preferences': [expired, () => json(200, { cards: [] })], 'POST /auth/refresh': refreshed('csrf-2') });
    await client(api.fetch).put('/dashboard/preferences', { cards: [] });
    expect(api.calls[2]?.headers['X-CSRF-Token']).toBe('csrf-2');
  });

  it('shares one refresh between requests that fail at the same time', async () => {
    const api = fakeFetch({
      'GET /a': [expired, () => json(200, 'a')],
      'GET /b': [expired, () => json(200, 'b')],
      'POST /auth/refresh': refreshed('csrf-2'),
    });
    const c = client(api.fetch);
    await expect(Promise.all([c.get('/a'), c.get('/b')])).resolves.toEqual(['a', 'b']);
    expect(api.calls.filter((call) => call.path === '/auth/refresh')).toHaveLength(1);
  });

  it('does not refresh again when another tab already rotated the tokens', async () => {
    const api = fakeFetch({
      'GET /a': [() => {
        setCsrf('csrf-from-other-tab'); // the other tab refreshed while this request was in flight
        return expired();
      }, () => json(200, 'a')],
    });
    await expect(client(api.fetch).get('/a')).resolves.toBe('a');
    expect(api.calls.map((call) => call.path)).toEqual(['/a', '/a']);
  });

  it('ends the session once and clears the CSRF cookie when the refresh is refused', async () => {
    const api = fakeFetch({
      'GET /a': expired,
      'GET /b': expired,
      'POST /auth/refresh': () => json(401, { error: 'Session expired or revoked', code: 'session_revoked' }),
    });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);

    const results = await Promise.allSettled([c.get('/a'), c.get('/b')]);

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(readCookie('csrf_token')).toBeUndefined();
    expect(c.hasSession()).toBe(false);
  });

  it('ends the session without a refresh when the server says it was revoked', async () => {
    const api = fakeFetch({ 'GET /a': () => json(401, { error: 'Session expired due to inactivity', code: 'session_inactive' }) });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);
    await expect(c.get('/a')).rejects.toMatchObject({ status: 401, code: 'session_inactive' });
    expect(api.calls).toHaveLength(1);
    expect(ended).toHaveBeenCalledOnce();
  });

  it('ends the session without a refresh when this browser holds no session', async () => {
    document.cookie = 'csrf_token=; Max-Age=0; Path=/';
    const api = fakeFetch({ 'GET /a': () => json(401, { error: 'Authentication required', code: 'unauthenticated' }) });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);
    await expect(c.get('/a')).rejects.toMatchObject({ status: 401 });
    expect(api.calls).toHaveLength(1);
    expect(ended).toHaveBeenCalledOnce();
  });

  it('ends the session when the retry is refused as well', async () => {
    const api = fakeFetch({ 'GET /a': [expired, expired], 'POST /auth/refresh': refreshed('csrf-2') });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);
    await expect(c.get('/a')).rejects.toMatchObject({ status: 401 });
    expect(api.calls).toHaveLength(3);
    expect(ended).toHaveBeenCalledOnce();
  });

  it('keeps the session when the refresh fails for a network error', async () => {
    const ended = vi.fn();
    let call = 0;
    const fetch = vi.fn(() => (++call === 1 ? Promise.resolve(expired()) : Promise.reject(new TypeError('offline')))) as unknown as typeof globalThis.fetch;
    const c = client(fetch);
    c.onSessionEnded(ended);
    await expect(c.get('/a')).rejects.toMatchObject({ code: 'network_error' });
    expect(ended).not.toHaveBeenCalled();
    expect(c.hasSession()).toBe(true);
  });

  it('keeps the session and does not refresh when a 401 says the current password was wrong', async () => {
    const api = fakeFetch({ 'PUT /auth/change-password': () => json(401, { error: 'Current password is incorrect', code: 'invalid_password' }) });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);
    await expect(c.put('/auth/change-password', { currentPassword: 'x' })).rejects.toMatchObject({ status: 401, code: 'invalid_password' });
    expect(api.calls).toHaveLength(1);
    expect(ended).not.toHaveBeenCalled();
    expect(c.hasSession()).toBe(true);
  });

  it('lets a 401 through untouched on sign-in routes', async () => {
    const api = fakeFetch({ 'POST /auth/login': () => json(401, { error: 'Invalid credentials', code: 'unauthenticated' }) });
    const ended = vi.fn();
    const c = client(api.fetch);
    c.onSessionEnded(ended);
    await expect(c.post('/auth/login', { username: 'a', password: 'b' }, { session: false })).rejects.toMatchObject({ message: 'Invalid credentials' });
    expect(api.calls).toHaveLength(1);
    expect(ended).not.toHaveBeenCalled();
  });

  it('refreshes before sending when the access token is about to expire', async () => {
    let now = 1_000_000;
    const api = fakeFetch({ 'POST /auth/refresh': refreshed('csrf-2'), 'GET /a': () => json(200, 'a') });
    const c = client(api.fetch, () => now);
    c.signedIn({ expires_in: 3600 });
    now += 3600_000 - REFRESH_MARGIN_MS + 1;

    await c.get('/a');

    expect(api.calls.map((call) => call.path)).toEqual(['/auth/refresh', '/a']);
  });

  it('does not refresh while the access token is fresh', async () => {
    const api = fakeFetch({ 'GET /a': () => json(200, 'a') });
    const c = client(api.fetch);
    c.signedIn({ expires_in: 3600 });
    await c.get('/a');
    expect(api.calls.map((call) => call.path)).toEqual(['/a']);
  });

  it('sends a write again when a refresh rotated the CSRF cookie while it was in flight', async () => {
    const api = fakeFetch({
      'POST /x': [() => {
        setCsrf('csrf-2');
        return json(403, { error: 'Invalid or missing CSRF token', code: 'csrf_failed' });
      }, () => json(200, { ok: true })],
    });
    await expect(client(api.fetch).post('/x', {})).resolves.toEqual({ ok: true });
    expect(api.calls.map((call) => call.headers['X-CSRF-Token'])).toEqual(['csrf-1', 'csrf-2']);
  });

  it('refreshes once for two tabs whose tokens expired at the same time (the Web Lock serialises them)', async () => {
    // The refresh answer takes a while, as over a network: without the lock the second tab would send the same
    // (single-use) refresh token before the first answer rotated it, and the server would end the session.
    const slowRefresh = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return refreshed('csrf-2')();
    };
    const api = fakeFetch({ 'GET /a': [expired, expired, () => json(200, 'a'), () => json(200, 'a')], 'POST /auth/refresh': [slowRefresh, slowRefresh] });
    const locks = sharedLock();
    const tab = () => createApiClient({ fetch: api.fetch, storage: null, locks });

    await expect(Promise.all([tab().get('/a'), tab().get('/a')])).resolves.toEqual(['a', 'a']);

    expect(api.calls.filter((call) => call.path === '/auth/refresh')).toHaveLength(1);
  });
});

describe('logging out', () => {
  it('aborts the session requests in flight and sends no new ones until the logout has answered', async () => {
    let seenSignal: AbortSignal | undefined;
    const api = fakeFetch({
      'GET /patching/dashboard': [
        (_url, init) => new Promise<Response>((_resolve, reject) => {
          seenSignal = init.signal ?? undefined;
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
        () => json(200, { totals: {} }),
      ],
      'POST /auth/logout': () => new Response(null, { status: 204 }),
    });
    const c = client(api.fetch);
    const polling = c.get('/patching/dashboard');
    await Promise.resolve();

    c.signingOut();
    await expect(polling).rejects.toMatchObject({ status: 401, code: 'session_ended' });
    expect(seenSignal?.aborted).toBe(true);
    await expect(c.get('/patching/dashboard')).rejects.toMatchObject({ code: 'session_ended' });
    await c.post('/auth/logout', {}, { session: false }); // the logout itself still goes out
    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /patching/dashboard', 'POST /auth/logout']);

    c.signedOut();
    await expect(c.get('/patching/dashboard')).resolves.toEqual({ totals: {} });
  });

  it('still lets a caller abort its own request', async () => {
    const api = fakeFetch({
      'GET /a': (_url, init) => new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
    });
    const caller = new AbortController();
    const pending = client(api.fetch).get('/a', { signal: caller.signal });
    await Promise.resolve();
    caller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
