/**
 * Who may give which role and manage whom (chalicelib/rbac/permissions.py `may_assign` / `may_manage`, D24.13,
 * D24.15, D24.19). The UI offers only what the server will accept; the server checks every request anyway.
 */
const SUPERADMIN = 'superadmin';
const ADMIN = 'admin';

/** Ranks for managing users; every custom role ranks 30. */
const RANKS: Record<string, number> = { superadmin: 100, admin: 90, host_manager: 50, user: 20, readonly: 10 };
const CUSTOM_ROLE_RANK = 30;

/** The built-in roles' names as PatchMon shows them (custom roles show their own label or key). */
const BUILTIN_ROLE_LABELS: Record<string, string> = {
  superadmin: 'Super Admin', admin: 'Admin', host_manager: 'Host Manager', user: 'User', readonly: 'Readonly',
};

/** Only a superadmin (or a non-admin holding can_manage_superusers) gives these; never a sign-up's role. */
const PRIVILEGED = new Set([SUPERADMIN, ADMIN]);

export function isPrivileged(role: string): boolean {
  return PRIVILEGED.has(role);
}

export function rank(role: string): number {
  return RANKS[role] ?? CUSTOM_ROLE_RANK;
}

export interface Actor {
  role: string;
  permissions: readonly string[];
}

/** Whether the actor may give `target` to a user: only a superadmin (or a non-admin holding can_manage_superusers) gives admin or superadmin; nobody gives a role above their own rank. */
export function mayAssign(actor: Actor, target: string): boolean {
  if (actor.role === SUPERADMIN) return true;
  if (isPrivileged(target)) return actor.role !== ADMIN && actor.permissions.includes('can_manage_superusers');
  return rank(target) <= rank(actor.role);
}

/** Whether the actor may edit, reset, deactivate or delete a user holding `target`. */
export function mayManage(actor: Actor, target: string): boolean {
  if (actor.role === SUPERADMIN) return true;
  if (target === SUPERADMIN) return actor.permissions.includes('can_manage_superusers') && actor.role !== ADMIN;
  if (target === ADMIN && actor.role !== ADMIN) return actor.permissions.includes('can_manage_superusers');
  return rank(target) <= rank(actor.role);
}

export function roleLabel(role: string, labels?: ReadonlyMap<string, string>): string {
  return labels?.get(role) ?? BUILTIN_ROLE_LABELS[role] ?? role;
}
