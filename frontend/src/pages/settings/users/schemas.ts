/** The Users page's form schemas (zod/mini): the account rules of src/auth/accountRules.ts. */
import { z } from 'zod/mini';

import type { PasswordPolicy } from '../../../api/orgSettings';
import type { ManagedUser, UserUpdateBody } from '../../../api/users';
import { confirmMatches, emailField, nameField, passwordField, usernameField } from '../../../auth/accountRules';

export function createUserSchema(policy: PasswordPolicy | null) {
  return z.object({
    username: usernameField(), email: emailField(), first_name: nameField(), last_name: nameField(),
    role: z.string().check(z.minLength(1, 'Choose a role')),
    password: passwordField(policy), confirm: z.string(),
  }).check(confirmMatches());
}

export const editUserSchema = z.object({
  email: emailField(), first_name: nameField(), last_name: nameField(), role: z.string().check(z.minLength(1)), is_active: z.boolean(),
});

export function newPasswordSchema(policy: PasswordPolicy | null) {
  return z.object({ password: passwordField(policy), confirm: z.string() }).check(confirmMatches());
}

export type CreateUserValues = z.infer<ReturnType<typeof createUserSchema>>;
export type EditUserValues = z.infer<typeof editUserSchema>;
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
