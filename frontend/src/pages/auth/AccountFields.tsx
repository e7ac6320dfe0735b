/** The account form shared by first-time setup and sign-up. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod/mini';

import type { NewAccount } from '../../api/auth';
import type { PasswordPolicy } from '../../api/orgSettings';
import { applyAccountError, confirmMatches, emailField, nameField, passwordField, usernameField } from '../../auth/accountRules';
import { NewPasswordFields } from '../../auth/NewPasswordFields';

// zod/mini: the same schemas as zod's chained API at a fraction of the bundle (the sign-in pages load first).
function accountSchema(policy: PasswordPolicy | null) {
  return z.object({
    username: usernameField(), email: emailField(), firstName: nameField(), lastName: nameField(), password: passwordField(policy), confirm: z.string(),
  }).check(confirmMatches());
}

type AccountValues = z.infer<ReturnType<typeof accountSchema>>;
const FIELDS = ['username', 'email', 'firstName', 'lastName', 'password', 'confirm'] as const;

/** `policy`: the organisation's password policy when known (setup: a new organisation's); else only the shared floor is checked. */
export function AccountForm({ submitLabel, policy = null, onSubmit }: {
  submitLabel: string; policy?: PasswordPolicy | null; onSubmit: (account: NewAccount) => Promise<unknown>;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const resolver = useMemo(() => zodResolver(accountSchema(policy)), [policy]);
  const { register, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<AccountValues>({
    resolver,
    defaultValues: { username: '', email: '', firstName: '', lastName: '', password: '', confirm: '' },
  });

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit({
        username: values.username, email: values.email, password: values.password,
        firstName: values.firstName || undefined, lastName: values.lastName || undefined,
      });
    } catch (error) {
      setFormError(applyAccountError(error, setError, FIELDS));
    }
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Username" autoComplete="username" {...register('username')} error={errors.username?.message} />
        <TextInput label="Email" type="email" autoComplete="email" {...register('email')} error={errors.email?.message} />
        <Group grow align="flex-start">
          <TextInput label="First name" description="Optional" autoComplete="given-name" {...register('firstName')} error={errors.firstName?.message} />
          <TextInput label="Last name" description="Optional" autoComplete="family-name" {...register('lastName')} error={errors.lastName?.message} />
        </Group>
        <NewPasswordFields password={register('password')} confirm={register('confirm')} passwordError={errors.password?.message}
          confirmError={errors.confirm?.message} policy={policy}
        />
        <Button type="submit" loading={isSubmitting} mt="xs">
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
