/** A new password and its confirmation, described by the password policy: setup, sign-up, Users (add, reset) and My profile. */
import { TextInput } from '@mantine/core';
import type { UseFormRegisterReturn } from 'react-hook-form';

import type { PasswordPolicy } from '../api/orgSettings';
import { describePolicy } from './accountRules';

export function NewPasswordFields({ label = 'Password', password, confirm, passwordError, confirmError, policy }: {
  /** "Password", or "New password" beside another password field. */
  label?: string;
  password: UseFormRegisterReturn;
  confirm: UseFormRegisterReturn;
  passwordError: string | undefined;
  confirmError: string | undefined;
  policy: PasswordPolicy | null | undefined;
}) {
  return (
    <>
      <TextInput label={label} type="password" autoComplete="new-password" description={describePolicy(policy)} {...password} error={passwordError} />
      {/* Labelled "Confirm" (not "Confirm password") so the label "Password" names exactly one field. */}
      <TextInput label="Confirm" description={`Type the ${label.toLowerCase()} again`} type="password" autoComplete="new-password" {...confirm}
        error={confirmError}
      />
    </>
  );
}
