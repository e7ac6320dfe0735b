import { useQuery } from '@tanstack/react-query';

import { authApi } from '../api/auth';
import { api } from '../api/client';
import { queryKeys } from '../api/queryClient';
import type { MeContext } from '../api/types';

/** The signed-in user's context (GET /me/context): user, role, permissions, organisation, plan and modules. */
export function useSession() {
  return useQuery<MeContext>({
    queryKey: queryKeys.session,
    queryFn: authApi.me,
    enabled: api.hasSession(),
    staleTime: 60_000,
  });
}

/** Whether the signed-in user holds a permission (admins and superadmins hold all; the server says which). */
export function useCan(permission: string): boolean {
  const { data } = useSession();
  return Boolean(data?.permissions.includes(permission));
}

/** Whether the organisation's plan includes a module ("patching", "rbac_custom", …). */
export function useHasModule(module: string): boolean {
  const { data } = useSession();
  return Boolean(data?.modules.includes(module));
}

export function displayName(me: MeContext | undefined): string {
  if (!me) return '';
  const full = [me.user.first_name, me.user.last_name].filter(Boolean).join(' ');
  return full || me.user.username;
}
