/** My profile's form schemas (zod/mini). */
import { z } from 'zod/mini';

import type { PasswordPolicy } from '../../../api/users';
import { passwordField } from '../users/passwordPolicy';

export function changePasswordSchema(policy: PasswordPolicy | null) {
  return z.object({
    currentPassword: z.string().check(z.minLength(1, 'Enter your current password')),
    newPassword: passwordField(policy),
    confirm: z.string(),
  }).check(
    z.refine((v) => v.newPassword === v.confirm, { path: ['confirm'], error: 'The two passwords differ' }),
    z.refine((v) => !v.currentPassword || v.newPassword !== v.currentPassword, { path: ['newPassword'], error: 'Choose a password different from the current one' }),
  );
}

export type ChangePasswordValues = z.infer<ReturnType<typeof changePasswordSchema>>;

/** A 6-digit code from the authenticator app (spaces, as some apps show "123 456", are ignored). */
export const totpCodeSchema = z.object({
  code: z.string().check(z.overwrite((v) => v.replace(/\s+/g, '')), z.regex(/^\d{6}$/, 'Enter the 6-digit code your app shows')),
});

export const passwordConfirmSchema = z.object({ password: z.string().check(z.minLength(1, 'Enter your password')) });
