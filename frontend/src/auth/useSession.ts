import { queryOptions, useQuery } from '@tanstack/react-query';

import { authApi } from '../api/auth';
import { api } from '../api/client';
import { queryKeys } from '../api/queryClient';
import type { MeContext } from '../api/types';

/** GET /me/context as a query (main.tsx starts it before the first page's code has loaded). */
export const sessionQuery = queryOptions<MeContext>({ queryKey: queryKeys.session, queryFn: authApi.me, staleTime: 60_000 });

/** The signed-in user's context (GET /me/context): user, role, permissions, organisation, plan and modules. */
export function useSession() {
  return useQuery({ ...sessionQuery, enabled: api.hasSession() });
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
