/**
 * First-time setup (D24.4, D25.18): create the organisation's first user (always superadmin), then optionally
 * enrol an authenticator app right away.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Code, Group, List, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Navigate, useNavigate } from 'react-router';
import { z } from 'zod/mini';

import { authApi } from '../../api/auth';
import { errorMessage } from '../../api/errors';
import { queryKeys } from '../../api/queryClient';
import { ErrorState, LoadingState } from '../../components/states';
import { AccountForm } from './AccountFields';
import { AuthLayout } from './AuthLayout';

type Step = 'account' | 'mfa-offer' | 'mfa-enrol' | 'backup-codes';

/** Moves focus to a step's heading when the step changes, so screen readers hear where they are. */
function StepHeading({ children }: { children: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Title order={2} size="h4" ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
      {children}
    </Title>
  );
}

export default function SetupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>('account');
  const [backupCodes, setBackupCodes] = useState<string[]>([]);
  const status = useQuery({ queryKey: queryKeys.setupStatus, queryFn: authApi.setupStatus, staleTime: 0, enabled: step === 'account' });
  const finish = () => {
    queryClient.clear();
    void navigate('/', { replace: true });
  };

  if (step === 'account') {
    if (status.isPending) return <LoadingState fullPage />;
    if (status.error) return <AuthLayout title="Set up PatchMon Cloud"><ErrorState error={status.error} onRetry={() => void status.refetch()} /></AuthLayout>;
    if (!status.data.needs_setup) return <Navigate to="/login" replace />;
  }

  return (
    <AuthLayout title="Set up PatchMon Cloud" subtitle={`Step ${step === 'account' ? 1 : 2} of 2`} width={480}>
      {step === 'account' ? (
        <Stack gap="sm">
          <StepHeading>Create the administrator account</StepHeading>
          <Text size="sm" c="dimmed">
            This first account can manage everything in your organisation. Avoid an obvious username such as “admin”.
          </Text>
          <AccountForm
            submitLabel="Create admin account"
            onSubmit={async (account) => {
              await authApi.setupAdmin(account);
              // Only the step changes: the (now stale) "needs setup" answer must not send us to the login page.
              setStep('mfa-offer');
            }}
          />
        </Stack>
      ) : null}
      {step === 'mfa-offer' ? (
        <Stack gap="sm">
          <StepHeading>Two-factor authentication</StepHeading>
          <Text size="sm">
            Your account is ready. Protect it with an authenticator app (Authy, Google Authenticator, 1Password, Bitwarden…):
            signing in will then also ask for a code from your phone.
          </Text>
          <Group>
            <Button onClick={() => setStep('mfa-enrol')}>Set up two-factor now</Button>
            <Button variant="default" onClick={finish}>
              Skip for now
            </Button>
          </Group>
        </Stack>
      ) : null}
      {step === 'mfa-enrol' ? (
        <Enrol onEnabled={(codes) => {
          setBackupCodes(codes);
          setStep('backup-codes');
        }} onSkip={finish}
        />
      ) : null}
      {step === 'backup-codes' ? <BackupCodes codes={backupCodes} onDone={finish} /> : null}
    </AuthLayout>
  );
}

const codeSchema = z.object({ code: z.string().check(z.trim(), z.regex(/^\d{6}$/, 'Enter the 6-digit code your app shows')) });

function Enrol({ onEnabled, onSkip }: { onEnabled: (codes: string[]) => void; onSkip: () => void }) {
  // A new secret on each call: fetch once for this screen.
  const setup = useQuery({ queryKey: ['tfa', 'setup'], queryFn: authApi.tfaSetup, staleTime: Infinity, gcTime: 0, retry: false });
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, formState: { errors, isSubmitting } } = useForm<z.infer<typeof codeSchema>>({
    resolver: zodResolver(codeSchema),
    defaultValues: { code: '' },
  });
  const submit = handleSubmit(async ({ code }) => {
    setFormError(null);
    try {
      onEnabled((await authApi.tfaVerifySetup(code)).backup_codes);
    } catch (error) {
      setFormError(errorMessage(error));
    }
  });

  return (
    <Stack gap="sm">
      <StepHeading>Scan the QR code</StepHeading>
      {setup.error ? <ErrorState error={setup.error} onRetry={() => void setup.refetch()} /> : null}
      {setup.isPending ? <Loader size="sm" aria-label="Preparing your code" /> : null}
      {setup.data ? (
        <>
          <Text size="sm">Scan this code with your authenticator app, then enter the 6-digit code it shows.</Text>
          <Group justify="center">
            <div style={{ background: '#fff', padding: 12, borderRadius: 8, lineHeight: 0 }}>
              <QRCodeSVG value={setup.data.otpauth_url} size={176} title="QR code for your authenticator app" marginSize={0} />
            </div>
          </Group>
          <Text size="sm">
            Cannot scan? Enter this key in the app instead: <Code style={{ wordBreak: 'break-all' }}>{setup.data.secret}</Code>
          </Text>
          <form onSubmit={(event) => void submit(event)} noValidate>
            <Stack gap="sm">
              {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
              <TextInput label="Two-factor code" autoComplete="one-time-code" inputMode="numeric" maxLength={6} {...register('code')}
                error={errors.code?.message}
              />
              <Group>
                <Button type="submit" loading={isSubmitting}>
                  Verify
                </Button>
                <Button variant="default" onClick={onSkip}>
                  Skip for now
                </Button>
              </Group>
            </Stack>
          </form>
        </>
      ) : null}
    </Stack>
  );
}

function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const download = () => {
    const blob = new Blob([`PatchMon Cloud backup codes\nEach code works once.\n\n${codes.join('\n')}\n`], { type: 'text/plain' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'patchmon-backup-codes.txt';
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <Stack gap="sm">
      <StepHeading>Save your backup codes</StepHeading>
      <Alert color="yellow" variant="light">
        Two-factor authentication is on. Keep these codes somewhere safe: each signs you in once if you lose your phone, and they are not shown again.
      </Alert>
      <List spacing={4} style={{ fontFamily: 'var(--mantine-font-family-monospace)', columns: 2 }} aria-label="Backup codes">
        {codes.map((code) => (
          <List.Item key={code}>{code}</List.Item>
        ))}
      </List>
      <Group>
        <Button variant="default" onClick={download}>
          Download codes
        </Button>
        <Button onClick={onDone}>Continue to dashboard</Button>
      </Group>
    </Stack>
  );
}
