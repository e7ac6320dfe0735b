/**
 * Change my password (C2.8): the current one, the new one under the organisation's policy, and its confirmation.
 * The server ends every other session and forgets every trusted device; this one stays signed in.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useForm } from 'react-hook-form';

import { ApiError } from '../../../api/errors';
import type { PasswordPolicy } from '../../../api/orgSettings';
import { profileApi, profileKeys } from '../../../api/profile';
import { NewPasswordFields } from '../../../auth/NewPasswordFields';
import { useToast } from '../../../components/useToast';
import { useServerErrors } from '../shared/hooks';
import { changePasswordSchema, type ChangePasswordValues as Values } from './schemas';

const FIELDS = ['currentPassword', 'newPassword', 'confirm'] as const;
const EMPTY: Values = { currentPassword: '', newPassword: '', confirm: '' };

export function PasswordSection({ policy }: { policy: PasswordPolicy | null }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const serverErrors = useServerErrors();
  const resolver = useMemo(() => zodResolver(changePasswordSchema(policy)), [policy]);
  const { register, handleSubmit, reset, setError, formState: { errors, isSubmitting } } = useForm<Values>({ resolver, defaultValues: EMPTY });
  const submit = handleSubmit(async (values) => {
    try {
      await profileApi.changePassword(values.currentPassword, values.newPassword);
      reset(EMPTY);
      await Promise.all([queryClient.invalidateQueries({ queryKey: profileKeys.sessions }), queryClient.invalidateQueries({ queryKey: profileKeys.trustedDevices })]);
      toast.show({ tone: 'success', message: 'Password changed. Your other sessions and trusted devices have ended.' });
    } catch (error) {
      // A wrong current password is a 401 with its own code (user/service.py), not the session ending.
      if (error instanceof ApiError && error.status === 401 && error.code === 'invalid_password') {
        setError('currentPassword', { type: 'server', message: error.message }, { shouldFocus: true });
        return;
      }
      serverErrors(error, setError, FIELDS);
    }
  });
  return (
    <Stack gap="sm" component="section" aria-labelledby="profile-password">
      <Title order={3} size="h4" id="profile-password">Password</Title>
      <Text size="sm" c="dimmed">
        Changing your password signs out your other sessions and forgets your trusted devices; you stay signed in here.
        At most 5 attempts per 15 minutes.
      </Text>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack gap="sm" maw={560}>
          <TextInput label="Current password" type="password" autoComplete="current-password" {...register('currentPassword')}
            error={errors.currentPassword?.message}
          />
          <NewPasswordFields label="New password" password={register('newPassword')} confirm={register('confirm')}
            passwordError={errors.newPassword?.message} confirmError={errors.confirm?.message} policy={policy}
          />
          <div>
            <Button type="submit" variant="default" loading={isSubmitting}>
              Change password
            </Button>
          </div>
        </Stack>
      </form>
    </Stack>
  );
}
