/**
 * The users table's search, filters and order, kept in the URL (?q=&role=&status=&sort=&order=) so the view can be
 * linked and survives a reload. GET /auth/admin/users returns every user of the organisation (tens to hundreds),
 * so filtering and sorting happen here.
 */
import type { ManagedUser } from '../../../api/users';
import { fullName } from '../../../components/format';
import type { SortState } from '../../../components/sorting';
import { rank } from '../shared/rank';

export type StatusFilter = 'active' | 'inactive';

interface UserFilters {
  q: string;
  role: string | null;
  status: StatusFilter | null;
}

const SORT_KEYS = ['username', 'name', 'email', 'role', 'status', 'tfa', 'last_login', 'created_at'] as const;
const DEFAULT_SORT: SortState = { key: 'username', direction: 'asc' };

export function readFilters(params: URLSearchParams): UserFilters {
  const status = params.get('status');
  return {
    q: params.get('q') ?? '',
    role: params.get('role') || null,
    status: status === 'active' || status === 'inactive' ? status : null,
  };
}

export function readSort(params: URLSearchParams): SortState {
  const key = params.get('sort');
  if (!key || !(SORT_KEYS as readonly string[]).includes(key)) return DEFAULT_SORT;
  return { key, direction: params.get('order') === 'desc' ? 'desc' : 'asc' };
}

/** The params with these filters/order applied; defaults are left out so the plain URL stays plain. */
export function writeParams(params: URLSearchParams, changes: Partial<UserFilters> & { sort?: SortState }): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string | null | undefined) => {
    if (value) next.set(name, value);
    else next.delete(name);
  };
  if ('q' in changes) set('q', changes.q?.trim() ? changes.q : null);
  if ('role' in changes) set('role', changes.role);
  if ('status' in changes) set('status', changes.status);
  if (changes.sort) {
    const isDefault = changes.sort.key === DEFAULT_SORT.key && changes.sort.direction === DEFAULT_SORT.direction;
    set('sort', isDefault ? null : changes.sort.key);
    set('order', isDefault ? null : changes.sort.direction);
  }
  return next;
}

export function filterUsers(users: readonly ManagedUser[], filters: UserFilters): ManagedUser[] {
  const needle = filters.q.trim().toLowerCase();
  return users.filter((user) => {
    if (filters.role && user.role !== filters.role) return false;
    if (filters.status === 'active' && !user.is_active) return false;
    if (filters.status === 'inactive' && user.is_active) return false;
    if (!needle) return true;
    return [user.username, user.email, fullName(user)].some((text) => text.toLowerCase().includes(needle));
  });
}

function sortValue(user: ManagedUser, key: string): string | number {
  switch (key) {
    case 'name': return fullName(user).toLowerCase();
    case 'email': return user.email.toLowerCase();
    case 'role': return -rank(user.role); // most privileged first when ascending
    case 'status': return user.is_active ? 0 : 1;
    case 'tfa': return user.tfa_enabled ? 0 : 1;
    case 'last_login': return user.last_login ?? '';
    case 'created_at': return user.created_at;
    default: return user.username.toLowerCase();
  }
}

/** A new sorted array; ties keep the username order. */
export function sortUsers(users: readonly ManagedUser[], sort: SortState): ManagedUser[] {
  const factor = sort.direction === 'asc' ? 1 : -1;
  return [...users].sort((a, b) => {
    const left = sortValue(a, sort.key);
    const right = sortValue(b, sort.key);
    if (left < right) return -factor;
    if (left > right) return factor;
    return a.username.toLowerCase().localeCompare(b.username.toLowerCase());
  });
}
