import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';

import { DEFAULT_PASSWORD_POLICY as DEFAULT, describePolicy, passwordField, passwordProblems } from './accountRules';

describe('password policy', () => {
  it('names every rule a password breaks, in the server order', () => {
    expect(passwordProblems('abc', DEFAULT)).toEqual(['at least 8 characters', 'an uppercase letter', 'a number', 'a special character']);
    expect(passwordProblems('Abcdefg1!', DEFAULT)).toEqual([]);
    expect(passwordProblems('abcdefghij', { ...DEFAULT, min_length: 12, require_uppercase: false, require_number: false, require_special: false }))
      .toEqual(['at least 12 characters']);
  });

  it('checks only the shared floor when the policy is unknown', () => {
    expect(passwordProblems('short', null)).toEqual(['at least 8 characters']);
    expect(passwordProblems('alllowercase', null)).toEqual([]);
    expect(passwordProblems('x'.repeat(257), null)).toEqual(['at most 256 characters']);
  });

  it('describes the policy in one sentence', () => {
    expect(describePolicy(DEFAULT)).toBe('At least 8 characters, with an uppercase letter, a lowercase letter, a number and a special character.');
    expect(describePolicy({ ...DEFAULT, min_length: 10, require_uppercase: false, require_lowercase: false, require_special: false }))
      .toBe('At least 10 characters, with a number.');
    expect(describePolicy({ ...DEFAULT, require_uppercase: false, require_lowercase: false, require_number: false, require_special: false }))
      .toBe('At least 8 characters.');
    expect(describePolicy(null)).toMatch(/^At least 8 characters/);
  });

  it('is a zod field that reports the problems as one message', () => {
    const schema = z.object({ password: passwordField(DEFAULT) });
    const result = schema.safeParse({ password: 'abcdefgh' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('Password must contain an uppercase letter, a number, a special character');
    expect(schema.safeParse({ password: 'Abcdefg1!' }).success).toBe(true);
  });
});
