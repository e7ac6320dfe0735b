/**
 * Two-factor authentication (C2.8, D25.5-D25.7, D25.16): enrol an authenticator app (QR code or the key as text,
 * then a code), see the backup codes once, regenerate them, or turn 2FA off. Regenerating and disabling ask for the
 * password. Everything happens inline (no dialog covers the page) except the password confirmations.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Badge, Button, Group, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod/mini';

import { ApiError, errorMessage } from '../../../api/errors';
import { profileApi, profileKeys } from '../../../api/profile';
import { queryKeys } from '../../../api/queryClient';
import type { TfaSetup } from '../../../api/types';
import { userKeys } from '../../../api/users';
import { BackupCodesStep, EnrolStep } from '../../../auth/TwoFactorSteps';
import { DialogActions } from '../../../components/ConfirmDialog';
import { plural } from '../../../components/format';
import { ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { passwordConfirmSchema } from './schemas';

type Shown = { kind: 'enrol'; setup: TfaSetup } | { kind: 'codes'; codes: string[] } | null;

export function TwoFactorSection({ username }: { username: string }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<Shown>(null);
  const [confirming, setConfirming] = useState<'disable' | 'regenerate' | null>(null);
  const status = useQuery({ queryKey: profileKeys.tfaStatus, queryFn: ({ signal }) => profileApi.tfaStatus(signal) });

  const refresh = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: profileKeys.tfaStatus }),
    queryClient.invalidateQueries({ queryKey: profileKeys.trustedDevices }),
    queryClient.invalidateQueries({ queryKey: queryKeys.session }),
    queryClient.invalidateQueries({ queryKey: userKeys.list }),
  ]);

  // Each call makes a new pending secret: asked for on the button press, never refetched in the background.
  const setup = useMutation({
    mutationFn: profileApi.tfaSetup,
    onSuccess: (data) => setShown({ kind: 'enrol', setup: data }),
    onError: (error) => {
      toast.show({ tone: 'error', message: errorMessage(error) });
      void queryClient.invalidateQueries({ queryKey: profileKeys.tfaStatus }); // "already enabled": the status was stale
    },
  });

  let body;
  if (status.error) body = <ErrorState error={status.error} title="Could not load your two-factor status" onRetry={() => void status.refetch()} />;
  else if (!status.data) body = <LoadingState label="Loading two-factor status…" />;
  else if (status.data.enabled) {
    const left = status.data.backup_codes_remaining;
    body = (
      <Stack gap="sm">
        <Group gap="xs">
          <Badge color="teal" variant="light">On</Badge>
          <Text size="sm">Signing in asks for a code from your authenticator app after your password.</Text>
        </Group>
        <Text size="sm" c={left <= 2 ? 'red' : undefined}>
          {plural(left, 'backup code')} left. Each signs you in once if you lose your phone.
        </Text>
        <Group gap="xs">
          <Button variant="default" onClick={() => setConfirming('regenerate')}>
            Regenerate backup codes
          </Button>
          <Button variant="default" color="red" onClick={() => setConfirming('disable')}>
            Disable two-factor
          </Button>
        </Group>
      </Stack>
    );
  } else {
    body = (
      <Stack gap="sm">
        <Group gap="xs">
          <Badge color="gray" variant="light">Off</Badge>
          <Text size="sm">Protect your account with a code from an authenticator app (Authy, Google Authenticator, 1Password, Bitwarden…).</Text>
        </Group>
        {shown?.kind !== 'enrol' ? (
          <div>
            <Button onClick={() => setup.mutate()} loading={setup.isPending}>
              Enable two-factor authentication
            </Button>
          </div>
        ) : null}
      </Stack>
    );
  }

  return (
    <Stack gap="sm" component="section" aria-labelledby="profile-tfa">
      <Title order={3} size="h4" id="profile-tfa">Two-factor authentication</Title>
      {body}
      {shown?.kind === 'enrol' && status.data && !status.data.enabled ? (
        <Paper withBorder p="md" radius="md">
          <EnrolStep setup={shown.setup} headingOrder={4} cancelLabel="Cancel" onCancel={() => setShown(null)} onEnabled={(codes) => {
            toast.show({ tone: 'success', message: 'Two-factor authentication enabled' });
            setShown({ kind: 'codes', codes });
            void refresh();
          }}
          />
        </Paper>
      ) : null}
      {shown?.kind === 'codes' ? (
        <Paper withBorder p="md" radius="md">
          <BackupCodesStep codes={shown.codes} username={username} headingOrder={4} doneLabel="I have saved them" onDone={() => setShown(null)} />
        </Paper>
      ) : null}

      <PasswordConfirm opened={confirming === 'regenerate'} onClose={() => setConfirming(null)} title="Regenerate backup codes"
        confirmLabel="Regenerate backup codes"
        description="Your current backup codes stop working at once, and a new set is shown once. Enter your password to continue."
        action={async (password) => {
          const { backup_codes: codes } = await profileApi.regenerateBackupCodes(password);
          toast.show({ tone: 'success', message: 'New backup codes generated; the old ones no longer work' });
          setShown({ kind: 'codes', codes });
          void refresh();
        }}
      />
      <PasswordConfirm opened={confirming === 'disable'} onClose={() => setConfirming(null)} title="Disable two-factor authentication"
        confirmLabel="Disable two-factor" color="red"
        description="Your authenticator app and backup codes stop working, and all your trusted devices are forgotten. Enter your password to continue."
        action={async (password) => {
          await profileApi.tfaDisable(password);
          toast.show({ tone: 'success', message: 'Two-factor authentication disabled' });
          setShown(null);
          void refresh();
        }}
      />
    </Stack>
  );
}

function PasswordConfirm({ opened, onClose, title, description, confirmLabel, color, action }: {
  opened: boolean; onClose: () => void; title: string; description: string; confirmLabel: string; color?: string;
  action: (password: string) => Promise<void>;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="md">
      {opened ? <PasswordConfirmForm description={description} confirmLabel={confirmLabel} color={color} onClose={onClose} action={action} /> : null}
    </Modal>
  );
}

function PasswordConfirmForm({ description, confirmLabel, color, onClose, action }: {
  description: string; confirmLabel: string; color?: string | undefined; onClose: () => void; action: (password: string) => Promise<void>;
}) {
  const toast = useToast();
  const { register, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<z.infer<typeof passwordConfirmSchema>>({
    resolver: zodResolver(passwordConfirmSchema),
    defaultValues: { password: '' },
  });
  const submit = handleSubmit(async ({ password }) => {
    try {
      await action(password);
      onClose();
    } catch (error) {
      // 401 here is the password ("Invalid password", code invalid_password in tfa/service.py), not the session.
      if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
        setError('password', { type: 'server', message: error.message }, { shouldFocus: true });
      } else {
        toast.show({ tone: 'error', message: errorMessage(error) });
      }
    }
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        <Text size="sm">{description}</Text>
        <TextInput label="Password" type="password" autoComplete="current-password" data-autofocus {...register('password')}
          error={errors.password?.message}
        />
        <DialogActions label={confirmLabel} color={color} loading={isSubmitting} onCancel={onClose} />
      </Stack>
    </form>
  );
}
