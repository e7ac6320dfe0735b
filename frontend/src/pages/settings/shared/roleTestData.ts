/** A small permission catalogue (one or two permissions per tier of chalicelib/rbac) and role columns over it, for the tests. */
import type { PermissionCatalogue, RoleView } from '../../../api/users';

export const CATALOGUE: PermissionCatalogue = {
  total: 6,
  tiers: [
    { tier: 'monitoring', label: 'Monitoring & Visibility', risk: 'Low risk', description: 'Read-only access.', permissions: [
      { key: 'can_view_dashboard', label: 'View Dashboard', description: 'The dashboard' }, { key: 'can_view_hosts', label: 'View Hosts', description: 'Hosts' }] },
    { tier: 'infrastructure', label: 'Host & Infrastructure', risk: 'Medium risk', description: 'Fleet changes.', permissions: [
      { key: 'can_manage_hosts', label: 'Manage Hosts', description: 'Hosts' }] },
    { tier: 'operations', label: 'Operations', risk: 'Medium-High risk', description: 'NOC tasks.', permissions: [
      { key: 'can_manage_patching', label: 'Manage Patching', description: 'Patches' }] },
    { tier: 'administration', label: 'Administration', risk: 'High risk', description: 'Organisation-wide control.', permissions: [
      { key: 'can_manage_users', label: 'Manage Users', description: 'Users' }, { key: 'can_export_data', label: 'Export Data', description: 'Exports' }] },
  ],
};

export const ALL_KEYS = CATALOGUE.tiers.flatMap((t) => t.permissions.map((p) => p.key));

/** A role as GET /permissions/roles answers it: a custom role holding `granted`, unless `extra` says otherwise. */
export function roleView(name: string, granted: readonly string[], extra: Partial<RoleView> = {}): RoleView {
  return {
    role: name, label: name, builtin: false, locked: false, rank: 30, total: ALL_KEYS.length, granted: granted.length,
    permissions: Object.fromEntries(ALL_KEYS.map((k) => [k, granted.includes(k)])), ...extra,
  };
}
