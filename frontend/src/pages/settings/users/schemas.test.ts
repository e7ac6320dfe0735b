import { describe, expect, it } from 'vitest';

import { createUserSchema, editChanges, newPasswordSchema } from './schemas';
import { managedUser } from './testData';

const POLICY = { min_length: 10, require_uppercase: true, require_lowercase: true, require_number: true, require_special: false };
const VALID = { username: 'new.user', email: 'new@example.com', first_name: '', last_name: '', role: 'user', password: 'Abcdefghi1', confirm: 'Abcdefghi1' };

function messages(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]));
}

describe('add user form', () => {
  it('accepts a valid user under the policy', () => {
    expect(createUserSchema(POLICY).safeParse(VALID).success).toBe(true);
  });

  it('checks username, email, the policy and the confirmation', () => {
    const result = createUserSchema(POLICY).safeParse({ ...VALID, username: 'ab', email: 'nope', password: 'abcdefghij', confirm: 'x' });
    expect(messages(result)).toEqual({
      username: 'At least 3 characters: letters, digits, dots, dashes or underscores',
      email: 'Enter a valid email address',
      password: 'Password must contain an uppercase letter, a number',
      confirm: 'The two passwords differ',
    });
  });

  it('checks only the 8-character floor when the policy is unknown', () => {
    expect(createUserSchema(null).safeParse({ ...VALID, password: 'lowercase', confirm: 'lowercase' }).success).toBe(true);
    expect(messages(newPasswordSchema(null).safeParse({ password: 'short', confirm: 'short' }))).toEqual({
      password: 'Password must contain at least 8 characters',
    });
  });
});

describe('edit user changes', () => {
  const user = managedUser('bob', { first_name: 'Bob' });

  it('sends only what changed', () => {
    expect(editChanges(user, { email: 'bob@example.com', first_name: 'Bob', last_name: '', role: 'user', is_active: true })).toEqual({});
    expect(editChanges(user, { email: ' bob@corp.test ', first_name: 'Bob', last_name: 'Stone', role: 'readonly', is_active: false }))
      .toEqual({ email: 'bob@corp.test', last_name: 'Stone', role: 'readonly', is_active: false });
  });
});
