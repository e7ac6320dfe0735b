/** Queries and session facts shared by the settings sections (Users, Roles, Security, My profile). */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';

import { orgSettingsApi, orgSettingsKeys, type PasswordPolicy, type SecuritySettings } from '../../../api/orgSettings';
import { userKeys, usersApi } from '../../../api/users';
import { applyAccountError } from '../../../auth/accountRules';
import { useCan, useSession } from '../../../auth/useSession';
import { useToast } from '../../../components/useToast';
import type { Actor } from './rank';

/** The signed-in user as the rank rules see them (role, permissions) plus their id. */
export function useActor(): Actor & { userId: string | undefined } {
  const { data } = useSession();
  return useMemo(() => ({ role: data?.role ?? '', permissions: data?.permissions ?? [], userId: data?.user.id }), [data]);
}

/** Every role with its permissions (GET /permissions/roles needs can_manage_users; not asked otherwise). */
export function useRoles() {
  const canList = useCan('can_manage_users');
  return useQuery({ queryKey: userKeys.roles, queryFn: ({ signal }) => usersApi.roles(signal), enabled: canList, staleTime: 60_000 });
}

/** Custom roles' labels by key, for role names in tables and pickers. */
export function useRoleLabels(): ReadonlyMap<string, string> {
  const roles = useRoles();
  return useMemo(() => new Map((roles.data ?? []).map((r) => [r.role, r.label])), [roles.data]);
}

const selectPolicy = (settings: SecuritySettings) => settings.password_policy;

/**
 * The organisation's password policy when the user may read it (can_manage_settings), else null. It is the
 * Security page's query, so a policy saved there applies to the password forms at once.
 */
export function usePasswordPolicy(): PasswordPolicy | null {
  const canRead = useCan('can_manage_settings');
  const query = useQuery({
    queryKey: orgSettingsKeys.security, queryFn: ({ signal }) => orgSettingsApi.security(signal), select: selectPolicy, enabled: canRead,
    staleTime: 5 * 60_000,
  });
  return query.data ?? null;
}

/**
 * Put a refused request where it belongs: a field's message under the field ("Password must contain …" under the
 * password), anything else (the server's refusals: rank rules, last superadmin, a taken username) in a toast.
 */
export function useServerErrors() {
  const toast = useToast();
  return useCallback(<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]) => {
    const message = applyAccountError(error, setError, fields);
    if (message) toast.show({ tone: 'error', message });
  }, [toast]);
}
