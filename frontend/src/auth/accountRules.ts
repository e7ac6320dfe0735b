/**
 * What a valid account is, in one place for every form that makes or changes one: first-time setup and sign-up,
 * Settings → Users (add, reset a password) and My profile (details, password). Mirrors chalicelib/user/schemas.py
 * and the password policy check (chalicelib/user/passwords.py `check_policy`). Only holders of can_manage_settings
 * can read the organisation's policy; without it only the floor every policy shares (8 to 256 characters) is
 * checked here, and the server's answer ("Password must contain …") is put under the password field.
 */
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { z } from 'zod/mini';

import { ApiError } from '../api/errors';
import type { PasswordPolicy } from '../api/orgSettings';
import { applyServerError } from '../components/formErrors';

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;

/** A new organisation's policy (tenant/schemas.py defaults): what first-time setup is checked against. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  min_length: 8, require_uppercase: true, require_lowercase: true, require_number: true, require_special: true,
};

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;
const EMAIL_RE = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;

export const usernameField = () =>
  z.string().check(z.trim(), z.regex(USERNAME_RE, 'At least 3 characters: letters, digits, dots, dashes or underscores'));
export const emailField = () =>
  z.string().check(z.trim(), z.maxLength(254, 'At most 254 characters'), z.regex(EMAIL_RE, 'Enter a valid email address'));
export const nameField = () => z.string().check(z.trim(), z.maxLength(100, 'At most 100 characters'));

/** The classes of character a policy can require, in the server's order and words. */
const CLASSES = [
  { rule: 'require_uppercase', test: /[A-Z]/, words: 'an uppercase letter' },
  { rule: 'require_lowercase', test: /[a-z]/, words: 'a lowercase letter' },
  { rule: 'require_number', test: /[0-9]/, words: 'a number' },
  { rule: 'require_special', test: /[^A-Za-z0-9]/, words: 'a special character' },
] as const;

function minLength(policy: PasswordPolicy | null | undefined): number {
  return Math.max(policy?.min_length ?? MIN_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH);
}

/** The rules a password breaks, in the server's words ("at least 12 characters", "a number"…). */
export function passwordProblems(password: string, policy: PasswordPolicy | null | undefined): string[] {
  const problems: string[] = [];
  if (password.length < minLength(policy)) problems.push(`at least ${minLength(policy)} characters`);
  for (const { rule, test, words } of CLASSES) if (policy?.[rule] && !test.test(password)) problems.push(words);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  return problems;
}

/** One sentence for the password field's description. */
export function describePolicy(policy: PasswordPolicy | null | undefined): string {
  if (!policy) return `At least ${MIN_PASSWORD_LENGTH} characters, and whatever else your organisation's password policy requires.`;
  const classes = CLASSES.filter(({ rule }) => policy[rule]).map(({ words }) => words);
  const last = classes.pop();
  const required = classes.length ? `${classes.join(', ')} and ${last ?? ''}` : last;
  return `At least ${minLength(policy)} characters${required ? `, with ${required}` : ''}.`;
}

/** A zod check for a new password under the policy (when known). */
export function passwordField(policy: PasswordPolicy | null | undefined) {
  return z.string().check(z.superRefine((value, ctx) => {
    const problems = passwordProblems(value, policy);
    if (problems.length) ctx.addIssue({ code: 'custom', message: `Password must contain ${problems.join(', ')}`, input: value });
  }));
}

/** The "Confirm" field must repeat the new password (`field`: the form's name for it). */
export function confirmMatches(field: 'password' | 'newPassword' = 'password') {
  return z.refine<{ confirm: string } & Partial<Record<typeof field, string>>>((values) => values[field] === values.confirm,
    { path: ['confirm'], error: 'The two passwords differ' });
}

/**
 * Put a refused request where it belongs: the server's "Password must contain …" under the password field, a
 * "field: message" answer under its field; anything else is returned for the form's alert or a toast.
 */
export function applyAccountError<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): string | null {
  const password = fields.find((field) => field === 'password' || field === 'newPassword');
  if (password && error instanceof ApiError && error.status === 400 && /^password must/i.test(error.message)) {
    setError(password, { type: 'server', message: error.message }, { shouldFocus: true });
    return null;
  }
  return applyServerError(error, setError, fields);
}
