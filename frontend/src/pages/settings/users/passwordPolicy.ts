/**
 * The organisation's password policy on the client (chalicelib/user/passwords.py `check_policy`): described next to
 * the password field and checked before sending. Only admins with can_manage_settings can read the policy; for
 * everyone else only the floor every policy shares (8 characters, at most 256) is checked, and the server's answer
 * names any other rule the password breaks.
 */
import { z } from 'zod/mini';

import type { PasswordPolicy } from '../../../api/users';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/** The rules a password breaks, in the server's words ("at least 12 characters", "a number"…). */
export function passwordProblems(password: string, policy: PasswordPolicy | null | undefined): string[] {
  const problems: string[] = [];
  const min = Math.max(policy?.min_length ?? MIN_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH);
  if (password.length < min) problems.push(`at least ${min} characters`);
  if (policy?.require_uppercase && !/[A-Z]/.test(password)) problems.push('an uppercase letter');
  if (policy?.require_lowercase && !/[a-z]/.test(password)) problems.push('a lowercase letter');
  if (policy?.require_number && !/[0-9]/.test(password)) problems.push('a number');
  if (policy?.require_special && !/[^A-Za-z0-9]/.test(password)) problems.push('a special character');
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  return problems;
}

/** One sentence for the field's description. */
export function describePolicy(policy: PasswordPolicy | null | undefined): string {
  if (!policy) return `At least ${MIN_PASSWORD_LENGTH} characters, and whatever else your organisation's password policy requires.`;
  const parts = [`at least ${Math.max(policy.min_length, MIN_PASSWORD_LENGTH)} characters`];
  const classes = [
    policy.require_uppercase ? 'an uppercase letter' : null,
    policy.require_lowercase ? 'a lowercase letter' : null,
    policy.require_number ? 'a number' : null,
    policy.require_special ? 'a special character' : null,
  ].filter((part): part is string => part !== null);
  if (classes.length === 1) parts.push(classes[0] ?? '');
  else if (classes.length > 1) parts.push(`${classes.slice(0, -1).join(', ')} and ${classes.at(-1) ?? ''}`);
  const sentence = parts.join(', with ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** A zod check for a new password under the policy (when known). */
export function passwordField(policy: PasswordPolicy | null | undefined) {
  return z.string().check(z.superRefine((value, ctx) => {
    const problems = passwordProblems(value, policy);
    if (problems.length) ctx.addIssue({ code: 'custom', message: `Password must contain ${problems.join(', ')}`, input: value });
  }));
}

/** Server messages about the password ("Password must contain …") belong under the password field. */
export function isPasswordMessage(message: string): boolean {
  return /^password must/i.test(message);
}
