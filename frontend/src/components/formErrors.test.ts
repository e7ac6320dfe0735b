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

  it('returns the message for the form alert when no field matches', () => {
    const setError = vi.fn();
    expect(applyServerError(new ApiError(409, 'conflict', 'Username already exists'), setError, ['username'] as const)).toBe('Username already exists');
    expect(applyServerError(new ApiError(400, 'invalid_input', 'Password must contain a number'), setError, ['password'] as const))
      .toBe('Password must contain a number');
    expect(setError).not.toHaveBeenCalled();
  });
});
