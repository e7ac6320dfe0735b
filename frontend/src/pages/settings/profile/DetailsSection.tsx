/** My details (C2.8): first and last name and email, saved with PUT /auth/profile. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { z } from 'zod/mini';

import { profileApi } from '../../../api/profile';
import { queryKeys } from '../../../api/queryClient';
import type { User } from '../../../api/types';
import { userKeys } from '../../../api/users';
import { emailField, nameField } from '../../../auth/accountRules';
import { useToast } from '../../../components/useToast';
import { useServerErrors } from '../shared/hooks';

const detailsSchema = z.object({ first_name: nameField(), last_name: nameField(), email: emailField() });
type DetailsValues = z.infer<typeof detailsSchema>;
const FIELDS = ['first_name', 'last_name', 'email'] as const;

function valuesOf(user: User): DetailsValues {
  return { first_name: user.first_name ?? '', last_name: user.last_name ?? '', email: user.email };
}

export function DetailsSection({ user }: { user: User }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const serverErrors = useServerErrors();
  const { register, handleSubmit, reset, setError, formState: { errors, isSubmitting, isDirty } } = useForm<DetailsValues>({
    resolver: zodResolver(detailsSchema),
    defaultValues: valuesOf(user),
  });
  const submit = handleSubmit(async (values) => {
    try {
      const { user: saved } = await profileApi.update(values);
      reset(valuesOf(saved));
      await Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.session }), queryClient.invalidateQueries({ queryKey: userKeys.list })]);
      toast.show({ tone: 'success', message: 'Profile saved' });
    } catch (error) {
      serverErrors(error, setError, FIELDS);
    }
  });
  return (
    <Stack gap="sm" component="section" aria-labelledby="profile-details">
      <Title order={3} size="h4" id="profile-details">Details</Title>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack gap="sm" maw={560}>
          <Text size="sm">
            Username: <strong>{user.username}</strong>
          </Text>
          <Group grow align="flex-start">
            <TextInput label="First name" autoComplete="given-name" {...register('first_name')} error={errors.first_name?.message} />
            <TextInput label="Last name" autoComplete="family-name" {...register('last_name')} error={errors.last_name?.message} />
          </Group>
          <TextInput label="Email" type="email" autoComplete="email" {...register('email')} error={errors.email?.message} />
          {/* The buttons appear once something changed, so the section reads as information until then. */}
          {isDirty ? (
            <Group gap="xs">
              <Button type="submit" loading={isSubmitting}>
                Save profile
              </Button>
              <Button variant="default" onClick={() => reset(valuesOf(user))}>
                Cancel
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>
    </Stack>
  );
}
