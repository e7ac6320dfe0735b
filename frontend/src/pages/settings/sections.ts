/**
 * The sub-pages of Settings, in the sidebar's order (PatchMon's sections, features-hosts-patching-compliance.md C2.4).
 * A user lands on the first one they may open (C2.3: Users for those who can view users; My profile is open to all).
 */
export interface SettingsSection {
  /** The path under /settings. */
  path: string;
  label: string;
  group: 'User management' | 'Hosts management' | 'Organisation';
  /** Any one of these opens the page (the server still checks every request). Absent: every signed-in user. */
  anyOf?: string[];
}

const SETTINGS_SECTIONS: SettingsSection[] = [
  { path: 'users', label: 'Users', group: 'User management', anyOf: ['can_view_users', 'can_manage_users'] },
  { path: 'roles', label: 'Roles', group: 'User management', anyOf: ['can_manage_users'] }, // GET /permissions/roles needs it
  { path: 'profile', label: 'My profile', group: 'User management' },
  { path: 'host-groups', label: 'Host groups', group: 'Hosts management', anyOf: ['can_view_hosts'] },
  { path: 'agent-config', label: 'Agent updates', group: 'Hosts management', anyOf: ['can_manage_settings'] },
  { path: 'security', label: 'Security', group: 'Organisation', anyOf: ['can_manage_settings'] },
  { path: 'audit-log', label: 'Audit log', group: 'Organisation', anyOf: ['can_manage_settings'] },
  { path: 'plan', label: 'Plan and modules', group: 'Organisation' },
];

export function allowedSections(permissions: readonly string[]): SettingsSection[] {
  return SETTINGS_SECTIONS.filter((s) => !s.anyOf || s.anyOf.some((p) => permissions.includes(p)));
}

/** Where /settings sends a user: the first section they may open (My profile at worst). */
export function landingSection(permissions: readonly string[]): string {
  return allowedSections(permissions)[0]?.path ?? 'profile';
}
