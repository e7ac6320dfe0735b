import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import { applyServerError } from './formErrors';

describe('applyServerError', () => {
  it('puts a "field: message" answer under its field (snake_case or camelCase)', () => {
    const setError = vi.fn();
    const invalid = new ApiError(400, 'invalid_input', 'first_name: String should have at most 100 characters');
    expect(applyServerError(invalid, setError, ['firstName', 'email'] as const)).toBeNull();
    expect(setError).toHaveBeenCalledWith('firstName', { type: 'server', message: 'String should have at most 100 characters' }, { shouldFocus: true });
  });

  it('puts a dotted "field.path: message" answer under its nested field', () => {
    const setError = vi.fn();
    const invalid = new ApiError(400, 'invalid_input', 'password_policy.min_length: Input should be less than or equal to 128');
    expect(applyServerError(invalid, setError, ['password_policy.min_length', 'signup_enabled'] as const)).toBeNull();
    expect(setError).toHaveBeenCalledWith('password_policy.min_length', { type: 'server', message: 'Input should be less than or equal to 128' },
      { shouldFocus: true });
  });

  it('returns the message for the form alert when no field matches', () => {
    const setError = vi.fn();
    expect(applyServerError(new ApiError(409, 'conflict', 'Username already exists'), setError, ['username'] as const)).toBe('Username already exists');
    expect(applyServerError(new ApiError(400, 'invalid_input', 'Password must contain a number'), setError, ['password'] as const))
      .toBe('Password must contain a number');
    expect(applyServerError(new ApiError(400, 'invalid_input', 'password_policy.min_length: Too long'), setError, ['password_policy'] as const))
      .toBe('password_policy.min_length: Too long');
    expect(setError).not.toHaveBeenCalled();
  });
});
