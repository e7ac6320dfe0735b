/**
 * First-time setup (D24.4, D25.18): create the organisation's first user (always superadmin), then optionally
 * enrol an authenticator app right away. An organisation its provider created is set up only through the one-time setup
 * link they sent (`/setup?token=…`): the token goes with the account, and without one the page explains where to get it.
 */
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';

import { authApi } from '../../api/auth';
import { errorMessage } from '../../api/errors';
import { profileApi } from '../../api/profile';
import { queryKeys } from '../../api/queryClient';
import type { TfaSetup } from '../../api/types';
import { DEFAULT_PASSWORD_POLICY } from '../../auth/accountRules';
import { BackupCodesStep, EnrolStep, StepHeading } from '../../auth/TwoFactorSteps';
import { ErrorState, LoadingState } from '../../components/states';
import { AccountForm } from './AccountFields';
import { AuthLayout } from './AuthLayout';

type Step = { kind: 'account' } | { kind: 'mfa-offer' } | { kind: 'mfa-enrol'; setup: TfaSetup } | { kind: 'backup-codes'; codes: string[] };

export default function SetupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const setupToken = params.get('token') || undefined;
  const [step, setStep] = useState<Step>({ kind: 'account' });
  const [username, setUsername] = useState('');
  const status = useQuery({ queryKey: queryKeys.setupStatus, queryFn: authApi.setupStatus, staleTime: 0, enabled: step.kind === 'account' });
  // Each call makes a new pending secret: asked for on the button press, never as a (refetchable) query.
  const tfaSetup = useMutation({ mutationFn: profileApi.tfaSetup, onSuccess: (setup) => setStep({ kind: 'mfa-enrol', setup }) });
  const finish = () => {
    queryClient.clear();
    void navigate('/', { replace: true });
  };

  if (step.kind === 'account') {
    if (status.isPending) return <LoadingState fullPage />;
    if (status.error) return <AuthLayout title="Set up PatchMon Cloud"><ErrorState error={status.error} onRetry={() => void status.refetch()} /></AuthLayout>;
    if (!status.data.needs_setup) return <Navigate to="/login" replace />;
    if (status.data.setup_link_required && !setupToken) {
      return (
        <AuthLayout title="Set up PatchMon Cloud">
          <Alert color="blue" variant="light">
            This organisation is set up through the setup link its provider sent. Open that link, or ask them for a new one.
          </Alert>
        </AuthLayout>
      );
    }
  }

  return (
    <AuthLayout title="Set up PatchMon Cloud" subtitle={`Step ${step.kind === 'account' ? 1 : 2} of 2`} width={480}>
      {step.kind === 'account' ? (
        <Stack gap="sm">
          <StepHeading order={2}>Create the administrator account</StepHeading>
          <Text size="sm" c="dimmed">
            This first account can manage everything in your organisation. Avoid an obvious username such as “admin”.
          </Text>
          <AccountForm
            submitLabel="Create admin account"
            policy={DEFAULT_PASSWORD_POLICY}
            onSubmit={async (account) => {
              await authApi.setupAdmin(account, setupToken);
              setUsername(account.username);
              // Only the step changes: the (now stale) "needs setup" answer must not send us to the login page.
              setStep({ kind: 'mfa-offer' });
            }}
          />
        </Stack>
      ) : null}
      {step.kind === 'mfa-offer' ? (
        <Stack gap="sm">
          <StepHeading order={2}>Two-factor authentication</StepHeading>
          <Text size="sm">
            Your account is ready. Protect it with an authenticator app (Authy, Google Authenticator, 1Password, Bitwarden…):
            signing in will then also ask for a code from your phone.
          </Text>
          {tfaSetup.error ? <Alert color="red" variant="light" role="alert">{errorMessage(tfaSetup.error)}</Alert> : null}
          <Group>
            <Button onClick={() => tfaSetup.mutate()} loading={tfaSetup.isPending}>Set up two-factor now</Button>
            <Button variant="default" onClick={finish}>
              Skip for now
            </Button>
          </Group>
        </Stack>
      ) : null}
      {step.kind === 'mfa-enrol' ? (
        <EnrolStep setup={step.setup} headingOrder={2} cancelLabel="Skip for now" onCancel={finish}
          onEnabled={(codes) => setStep({ kind: 'backup-codes', codes })}
        />
      ) : null}
      {step.kind === 'backup-codes' ? (
        <BackupCodesStep codes={step.codes} username={username} headingOrder={2} doneLabel="Continue to dashboard" onDone={finish} />
      ) : null}
    </AuthLayout>
  );
}
