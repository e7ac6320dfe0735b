/**
 * Two-factor authentication (C2.8, D25.5-D25.7, D25.16): enrol an authenticator app (QR code or the key as text,
 * then a code), see the backup codes once, regenerate them, or turn 2FA off. Regenerating and disabling ask for the
 * password. Everything happens inline (no dialog covers the page) except the password confirmations.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Badge, Button, Code, CopyButton, Group, List, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod/mini';

import { ApiError, errorMessage } from '../../../api/errors';
import { profileApi, profileKeys } from '../../../api/profile';
import { queryKeys } from '../../../api/queryClient';
import type { TfaSetup } from '../../../api/types';
import { userKeys } from '../../../api/users';
import { ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { backupCodesFile, downloadText, groupSecret } from './helpers';
import { passwordConfirmSchema, totpCodeSchema } from './schemas';

type Shown = { kind: 'enrol'; setup: TfaSetup } | { kind: 'codes'; codes: string[] } | null;

/** A heading that takes focus when it appears, so keyboard and screen-reader users land on the new step. */
function StepHeading({ children }: { children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Title order={4} size="h5" ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
      {children}
    </Title>
  );
}

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
          {left} backup {left === 1 ? 'code' : 'codes'} left. Each signs you in once if you lose your phone.
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
        <Enrol setup={shown.setup} onCancel={() => setShown(null)} onEnabled={(codes) => {
          toast.show({ tone: 'success', message: 'Two-factor authentication enabled' });
          setShown({ kind: 'codes', codes });
          void refresh();
        }}
        />
      ) : null}
      {shown?.kind === 'codes' ? <BackupCodes codes={shown.codes} username={username} onDone={() => setShown(null)} /> : null}

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

function Enrol({ setup, onEnabled, onCancel }: { setup: TfaSetup; onEnabled: (codes: string[]) => void; onCancel: () => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setValue, setFocus, formState: { errors, isSubmitting } } = useForm<z.infer<typeof totpCodeSchema>>({
    resolver: zodResolver(totpCodeSchema),
    defaultValues: { code: '' },
  });
  const submit = handleSubmit(async ({ code }) => {
    setFormError(null);
    try {
      onEnabled((await profileApi.tfaVerifySetup(code)).backup_codes);
    } catch (error) {
      setFormError(errorMessage(error));
      setValue('code', '');
      setFocus('code');
    }
  });
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <StepHeading>Scan the QR code</StepHeading>
        <Text size="sm">Scan this code with your authenticator app, then enter the 6-digit code it shows.</Text>
        <div style={{ background: '#fff', padding: 12, borderRadius: 8, lineHeight: 0, alignSelf: 'flex-start' }}>
          <QRCodeSVG value={setup.otpauth_url} size={176} title="QR code for your authenticator app" marginSize={0} />
        </div>
        <Stack gap={4}>
          <Text size="sm">Cannot scan it? Enter this key in the app instead (manual entry, time-based):</Text>
          <Group gap="xs" wrap="nowrap" align="center">
            <Code data-testid="totp-secret" fz="md" style={{ wordBreak: 'break-all' }}>{groupSecret(setup.secret)}</Code>
            <CopyButton value={setup.secret}>
              {({ copied, copy }) => (
                <Button size="compact-sm" variant="subtle" onClick={copy}>
                  {copied ? 'Copied' : 'Copy key'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
        <form onSubmit={(event) => void submit(event)} noValidate>
          <Stack gap="sm" maw={360}>
            {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
            <TextInput label="Two-factor code" autoComplete="one-time-code" inputMode="numeric" maxLength={7} {...register('code')}
              error={errors.code?.message}
            />
            <Group gap="xs">
              <Button type="submit" loading={isSubmitting}>
                Verify
              </Button>
              <Button variant="default" onClick={onCancel}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}

function BackupCodes({ codes, username, onDone }: { codes: string[]; username: string; onDone: () => void }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <StepHeading>Save your backup codes</StepHeading>
        <Alert color="yellow" variant="light">
          Store these codes somewhere safe, such as a password manager. Each signs you in once if you lose your authenticator app.
          They are shown only now.
        </Alert>
        <List spacing={4} listStyleType="none" aria-label="Backup codes" style={{ fontFamily: 'var(--mantine-font-family-monospace)', columns: 2, maxWidth: 360 }}>
          {codes.map((code) => (
            <List.Item key={code}>{code}</List.Item>
          ))}
        </List>
        <Group gap="xs">
          <CopyButton value={codes.join('\n')}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy codes'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" onClick={() => downloadText('patchmon-backup-codes.txt', backupCodesFile(codes, username))}>
            Download codes
          </Button>
          <Button onClick={onDone}>I have saved them</Button>
        </Group>
      </Stack>
    </Paper>
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
      // 401 here is the password ("Invalid password"), not the session (see profileApi's passwordChecked).
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
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" color={color} loading={isSubmitting}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
