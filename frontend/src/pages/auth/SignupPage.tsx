/** Self-registration, when an administrator has turned it on (D24.14); the account gets the default role. */
import { Anchor, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { authApi } from '../../api/auth';
import { queryKeys } from '../../api/queryClient';
import { safeNext } from '../../auth/paths';
import { LoadingState } from '../../components/states';
import { AccountForm } from './AccountFields';
import { AuthLayout } from './AuthLayout';

export default function SignupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const enabled = useQuery({ queryKey: queryKeys.signupEnabled, queryFn: authApi.signupEnabled });

  if (enabled.isPending) return <LoadingState fullPage />;
  if (!enabled.data?.signupEnabled) return <Navigate to="/login" replace />;

  return (
    <AuthLayout title="Create an account">
      <AccountForm
        submitLabel="Create account"
        onSubmit={async (account) => {
          await authApi.signup(account);
          queryClient.clear();
          void navigate(safeNext(params.get('next')), { replace: true });
        }}
      />
      <Text size="sm" ta="center">
        Already have an account? <Anchor component={Link} to="/login">Sign in</Anchor>
      </Text>
    </AuthLayout>
  );
}
