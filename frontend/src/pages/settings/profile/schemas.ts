/** My profile's form schemas (zod/mini). */
import { z } from 'zod/mini';

import type { PasswordPolicy } from '../../../api/orgSettings';
import { confirmMatches, passwordField } from '../../../auth/accountRules';

export function changePasswordSchema(policy: PasswordPolicy | null) {
  return z.object({
    currentPassword: z.string().check(z.minLength(1, 'Enter your current password')),
    newPassword: passwordField(policy),
    confirm: z.string(),
  }).check(
    confirmMatches('newPassword'),
    z.refine((v) => !v.currentPassword || v.newPassword !== v.currentPassword, { path: ['newPassword'], error: 'Choose a password different from the current one' }),
  );
}

export type ChangePasswordValues = z.infer<ReturnType<typeof changePasswordSchema>>;

export const passwordConfirmSchema = z.object({ password: z.string().check(z.minLength(1, 'Enter your password')) });
