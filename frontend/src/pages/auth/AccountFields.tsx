/** The account form shared by first-time setup and sign-up. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod/mini';

import type { NewAccount } from '../../api/auth';
import { applyServerError } from '../../components/formErrors';

// zod/mini: the same schemas as zod's chained API at a fraction of the bundle (the sign-in pages load first).
const accountSchema = z
  .object({
    username: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, 'At least 3 characters: letters, digits, dots, dashes or underscores')),
    email: z.string().check(z.trim(), z.regex(/^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/, 'Enter a valid email address')),
    firstName: z.string().check(z.trim(), z.maxLength(100)),
    lastName: z.string().check(z.trim(), z.maxLength(100)),
    password: z.string().check(z.minLength(8, 'At least 8 characters'), z.maxLength(256)),
    confirm: z.string(),
  })
  .check(z.refine((values) => values.password === values.confirm, { path: ['confirm'], error: 'The two passwords differ' }));

type AccountValues = z.infer<typeof accountSchema>;
const FIELDS = ['username', 'email', 'firstName', 'lastName', 'password', 'confirm'] as const;

export function AccountForm({ submitLabel, onSubmit }: { submitLabel: string; onSubmit: (account: NewAccount) => Promise<unknown> }) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<AccountValues>({
    resolver: zodResolver(accountSchema),
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
      setFormError(applyServerError(error, setError, FIELDS));
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
        <TextInput label="Password" type="password" autoComplete="new-password"
          description="At least 8 characters, with upper and lower case letters, a number and a symbol"
          {...register('password')} error={errors.password?.message}
        />
        {/* Labelled "Confirm" (not "Confirm password") so the label "Password" names exactly one field. */}
        <TextInput label="Confirm" type="password" autoComplete="new-password" description="Type the password again"
          {...register('confirm')} error={errors.confirm?.message}
        />
        <Button type="submit" loading={isSubmitting} mt="xs">
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
