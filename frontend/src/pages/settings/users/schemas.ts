/** The Users page's form schemas (zod/mini), mirroring chalicelib/user/schemas.py and the password policy. */
import { z } from 'zod/mini';

import type { ManagedUser, PasswordPolicy, UserUpdateBody } from '../../../api/users';
import { passwordField } from './passwordPolicy';

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;
const EMAIL_RE = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;

export const usernameField = () =>
  z.string().check(z.trim(), z.regex(USERNAME_RE, 'At least 3 characters: letters, digits, dots, dashes or underscores'));
export const emailField = () =>
  z.string().check(z.trim(), z.maxLength(254, 'At most 254 characters'), z.regex(EMAIL_RE, 'Enter a valid email address'));
export const nameField = () => z.string().check(z.trim(), z.maxLength(100, 'At most 100 characters'));

function samePasswords(values: { password: string; confirm: string }): boolean {
  return values.password === values.confirm;
}

export function createUserSchema(policy: PasswordPolicy | null) {
  return z.object({
    username: usernameField(), email: emailField(), first_name: nameField(), last_name: nameField(),
    role: z.string().check(z.minLength(1, 'Choose a role')),
    password: passwordField(policy), confirm: z.string(),
  }).check(z.refine(samePasswords, { path: ['confirm'], error: 'The two passwords differ' }));
}

export function editUserSchema() {
  return z.object({ email: emailField(), first_name: nameField(), last_name: nameField(), role: z.string().check(z.minLength(1)), is_active: z.boolean() });
}

export function newPasswordSchema(policy: PasswordPolicy | null) {
  return z.object({ password: passwordField(policy), confirm: z.string() })
    .check(z.refine(samePasswords, { path: ['confirm'], error: 'The two passwords differ' }));
}

export type CreateUserValues = z.infer<ReturnType<typeof createUserSchema>>;
export type EditUserValues = z.infer<ReturnType<typeof editUserSchema>>;
export type NewPasswordValues = z.infer<ReturnType<typeof newPasswordSchema>>;

/** Only what changed is sent: an unchanged role is not re-checked against the rank rules. */
export function editChanges(user: ManagedUser, values: EditUserValues): UserUpdateBody {
  const changes: UserUpdateBody = {};
  if (values.email.trim() !== user.email) changes.email = values.email.trim();
  if (values.first_name.trim() !== (user.first_name ?? '')) changes.first_name = values.first_name.trim();
  if (values.last_name.trim() !== (user.last_name ?? '')) changes.last_name = values.last_name.trim();
  if (values.role !== user.role) changes.role = values.role;
  if (values.is_active !== user.is_active) changes.is_active = values.is_active;
  return changes;
}
