/**
 * User administration and roles (chalicelib/user, chalicelib/rbac): Settings → Users and Settings → Roles.
 * The answers' shapes are those of user/schemas.py `read()` and rbac/service.py `_view()` / `catalogue()`.
 */
import { queryOptions } from '@tanstack/react-query';

import { api } from './client';
import type { User } from './types';

export type ManagedUser = User;

interface UserCreateBody {
  username: string;
  email: string;
  password: string;
  first_name?: string | null;
  last_name?: string | null;
  role: string;
}

/** Only the fields sent change (the server leaves absent ones as they are). */
export interface UserUpdateBody {
  email?: string;
  first_name?: string;
  last_name?: string;
  role?: string;
  is_active?: boolean;
}

export interface RoleView {
  role: string;
  label: string;
  builtin: boolean;
  /** superadmin, admin and user: permissions hard-coded, never editable. */
  locked: boolean;
  rank: number;
  /** Every permission key of the catalogue, true when granted. */
  permissions: Record<string, boolean>;
  granted: number;
  total: number;
}

interface CataloguePermission {
  key: string;
  label: string;
  description: string;
}

export interface PermissionTier {
  tier: string;
  label: string;
  risk: string;
  description: string;
  permissions: CataloguePermission[];
}

export interface PermissionCatalogue {
  tiers: PermissionTier[];
  total: number;
}

const userPath = (id: string) => `/auth/admin/users/${encodeURIComponent(id)}`;
const rolePath = (role: string) => `/permissions/roles/${encodeURIComponent(role)}`;

export const userKeys = {
  all: ['users'] as const,
  list: ['users', 'list'] as const,
  roles: ['users', 'roles'] as const,
  catalogue: ['users', 'permission-catalogue'] as const,
};

export const usersApi = {
  list: async (signal?: AbortSignal) => (await api.get<{ users: ManagedUser[] }>('/auth/admin/users', { signal })).users,
  create: (body: UserCreateBody) => api.post<ManagedUser>('/auth/admin/users', body),
  update: (id: string, body: UserUpdateBody) => api.put<ManagedUser>(userPath(id), body),
  remove: (id: string) => api.delete<{ message: string }>(userPath(id)),
  resetPassword: (id: string, newPassword: string) => api.post<{ message: string }>(`${userPath(id)}/reset-password`, { newPassword }),

  roles: async (signal?: AbortSignal) => (await api.get<{ roles: RoleView[] }>('/permissions/roles', { signal })).roles,
  catalogue: (signal?: AbortSignal) => api.get<PermissionCatalogue>('/permissions/catalogue', { signal }),
  /** Create a custom role or replace the permissions of an editable one (the full set of granted keys). */
  saveRole: (role: string, permissions: string[], label?: string) =>
    api.put<RoleView>(rolePath(role), label ? { permissions, label } : { permissions }),
  deleteRole: (role: string) => api.delete<{ message: string }>(rolePath(role)),
};

/** GET /auth/admin/users as a query: Settings → Users and the audit log's user names share it. */
export const userListQuery = queryOptions({ queryKey: userKeys.list, queryFn: ({ signal }) => usersApi.list(signal) });
