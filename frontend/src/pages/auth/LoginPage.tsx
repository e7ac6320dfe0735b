/** Sign in: username (or email) and password, then the two-factor step when the account has it. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, Checkbox, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod/mini';

import { authApi } from '../../api/auth';
import { api } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { queryKeys } from '../../api/queryClient';
import type { TfaRequired } from '../../api/types';
import { safeNext } from '../../auth/paths';
import { plural } from '../../components/format';
import { LoadingState } from '../../components/states';
import { AuthLayout } from './AuthLayout';

const loginSchema = z.object({
  username: z.string().check(z.trim(), z.minLength(1, 'Enter your username or email')),
  password: z.string().check(z.minLength(1, 'Enter your password')),
  remember: z.boolean(),
});

const codeSchema = z.object({
  code: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9]{6,16}$/, 'Enter the 6-digit code from your app, or a backup code')),
  trust: z.boolean(),
});

type LoginValues = z.infer<typeof loginSchema>;
type CodeValues = z.infer<typeof codeSchema>;

export default function LoginPage() {
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const next = safeNext(params.get('next'));
  const [challenge, setChallenge] = useState<{ ticket: TfaRequired; remember: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>((location.state as { sessionEnded?: boolean } | null)?.sessionEnded
    ? 'Your session has ended. Please sign in again.' : null);
  const setup = useQuery({ queryKey: queryKeys.setupStatus, queryFn: authApi.setupStatus, staleTime: 0 });
  const signup = useQuery({ queryKey: queryKeys.signupEnabled, queryFn: authApi.signupEnabled, enabled: setup.data?.needs_setup === false });

  const signedIn = () => {
    queryClient.clear(); // nothing cached for a previous user survives
    void navigate(next, { replace: true });
  };

  // A setup link's token goes along, so the setup page can still send it.
  const setupToken = params.get('token');
  if (setup.data?.needs_setup) return <Navigate to={setupToken ? `/setup?token=${encodeURIComponent(setupToken)}` : '/setup'} replace />;
  if (api.hasSession() && !challenge) return <Navigate to={next} replace />;
  if (setup.isPending) return <LoadingState fullPage />;

  if (challenge) {
    return (
      <AuthLayout title="Two-factor authentication" subtitle="Enter the code from your authenticator app, or one of your backup codes.">
        <CodeStep
          challenge={challenge.ticket}
          remember={challenge.remember}
          onDone={signedIn}
          onExpired={(message) => {
            setChallenge(null);
            setNotice(message);
          }}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Sign in">
      <PasswordStep
        notice={notice}
        onTfa={(ticket, remember) => {
          setNotice(null);
          setChallenge({ ticket, remember });
        }}
        onDone={signedIn}
      />
      {signup.data?.signupEnabled ? (
        <Text size="sm" ta="center">
          New here? <Anchor component={Link} to={`/signup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Anchor>
        </Text>
      ) : null}
    </AuthLayout>
  );
}

function PasswordStep({ notice, onTfa, onDone }: { notice: string | null; onTfa: (ticket: TfaRequired, remember: boolean) => void; onDone: () => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, formState: { errors, isSubmitting } } = useForm<LoginValues>({
    resolver: zodResolver(loginSchema),
    defaultValues: { username: '', password: '', remember: false },
  });
  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const result = await authApi.login({ username: values.username, password: values.password, remember_me: values.remember });
      if (result.requiresTfa) onTfa(result, values.remember);
      else onDone();
    } catch (error) {
      setFormError(errorMessage(error));
    }
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        {notice ? <Alert color="blue" variant="light">{notice}</Alert> : null}
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Username" description="Or your email address" autoComplete="username" {...register('username')}
          error={errors.username?.message}
        />
        <TextInput label="Password" type="password" autoComplete="current-password" {...register('password')} error={errors.password?.message} />
        <Checkbox label="Remember me" description="Stay signed in for 30 days on this computer" {...register('remember')} />
        <Button type="submit" loading={isSubmitting} mt="xs">
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

function CodeStep({ challenge, remember, onDone, onExpired }: {
  challenge: TfaRequired; remember: boolean; onDone: () => void; onExpired: (message: string) => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setValue, setFocus, formState: { errors, isSubmitting } } = useForm<CodeValues>({
    resolver: zodResolver(codeSchema),
    defaultValues: { code: '', trust: false },
  });
  useEffect(() => setFocus('code'), [setFocus]);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      // remember_me here also trusts this device for the two-factor step (30 days); the long session comes from step 1.
      await authApi.verifyTfa({ tfa_ticket: challenge.tfaTicket, token: values.code, remember_me: values.trust || false });
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'tfa_ticket_invalid') {
        onExpired(error.message);
        return;
      }
      const left = error instanceof ApiError ? Number(error.body.remainingAttempts) : NaN;
      setFormError(Number.isFinite(left) ? `${errorMessage(error)} ${plural(left, 'attempt')} left.` : errorMessage(error));
      setValue('code', '');
      setFocus('code');
    }
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <Text size="sm">Signing in as <strong>{challenge.username}</strong>{remember ? ' (remembered for 30 days)' : ''}.</Text>
        <TextInput label="Two-factor code" description="6 digits from your authenticator app, or an 8-character backup code"
          autoComplete="one-time-code" inputMode="text" spellCheck={false} maxLength={16} {...register('code')}
          error={errors.code?.message}
        />
        <Checkbox label="Remember me" description="Skip the two-factor step on this computer for 30 days" {...register('trust')} />
        <Button type="submit" loading={isSubmitting} mt="xs">
          Verify
        </Button>
      </Stack>
    </form>
  );
}
