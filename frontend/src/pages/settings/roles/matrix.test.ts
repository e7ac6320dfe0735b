import { describe, expect, it } from 'vitest';

import type { PermissionCatalogue, RoleView } from '../../../api/users';
import {
  countGranted, describeDiff, diffPermissions, grantedKeys, isEditable, matchingPreset, mayEditRoles, presetKeys, roleNameProblem, setTier,
  tierState, toBody, toggle,
} from './matrix';

const CATALOGUE: PermissionCatalogue = {
  total: 6,
  tiers: [
    { tier: 'monitoring', label: 'Monitoring & Visibility', risk: 'Low risk', description: 'Read-only access.', permissions: [
      { key: 'can_view_dashboard', label: 'View Dashboard', description: '' }, { key: 'can_view_hosts', label: 'View Hosts', description: '' }] },
    { tier: 'infrastructure', label: 'Host & Infrastructure', risk: 'Medium risk', description: '', permissions: [
      { key: 'can_manage_hosts', label: 'Manage Hosts', description: '' }] },
    { tier: 'operations', label: 'Operations', risk: 'Medium-High risk', description: '', permissions: [
      { key: 'can_manage_patching', label: 'Manage Patching', description: '' }] },
    { tier: 'administration', label: 'Administration', risk: 'High risk', description: '', permissions: [
      { key: 'can_manage_users', label: 'Manage Users', description: '' }, { key: 'can_export_data', label: 'Export Data', description: '' }] },
  ],
};

function role(name: string, granted: string[], extra: Partial<RoleView> = {}): RoleView {
  const keys = CATALOGUE.tiers.flatMap((t) => t.permissions.map((p) => p.key));
  return { role: name, label: name, builtin: false, locked: false, rank: 30, total: keys.length, granted: granted.length,
    permissions: Object.fromEntries(keys.map((k) => [k, granted.includes(k)])), ...extra };
}

describe('role presets', () => {
  it('grants what the server presets grant', () => {
    expect([...presetKeys('readonly', CATALOGUE)]).toEqual(['can_view_dashboard', 'can_view_hosts']);
    expect([...presetKeys('operator', CATALOGUE)]).toEqual(['can_view_dashboard', 'can_view_hosts', 'can_manage_hosts', 'can_manage_patching']);
    expect(presetKeys('admin', CATALOGUE).size).toBe(6);
    expect(presetKeys('clear', CATALOGUE).size).toBe(0);
  });

  it('recognises a selection that is exactly a preset', () => {
    expect(matchingPreset(new Set(['can_view_hosts', 'can_view_dashboard']), CATALOGUE)).toBe('readonly');
    expect(matchingPreset(new Set(['can_view_hosts']), CATALOGUE)).toBeNull();
    expect(matchingPreset(new Set(), CATALOGUE)).toBe('clear');
  });
});

describe('role editing', () => {
  it('reads a role column and toggles single permissions', () => {
    const selection = grantedKeys(role('auditor', ['can_view_hosts']));
    expect([...toggle(selection, 'can_view_dashboard')].sort()).toEqual(['can_view_dashboard', 'can_view_hosts']);
    expect([...toggle(selection, 'can_view_hosts')]).toEqual([]);
    expect([...selection]).toEqual(['can_view_hosts']); // unchanged
  });

  it('selects and deselects a whole tier and reports its state', () => {
    const admin = CATALOGUE.tiers[3]!;
    const some = new Set(['can_manage_users']);
    expect(tierState(some, admin)).toBe('some');
    expect(tierState(setTier(some, admin, true), admin)).toBe('all');
    expect(tierState(setTier(some, admin, false), admin)).toBe('none');
  });

  it('describes the diff in catalogue order and sends keys in catalogue order', () => {
    const before = new Set(['can_export_data', 'can_view_hosts']);
    const after = new Set(['can_manage_users', 'can_view_dashboard', 'can_view_hosts']);
    const diff = diffPermissions(before, after, CATALOGUE);
    expect(diff).toEqual({ added: ['can_view_dashboard', 'can_manage_users'], removed: ['can_export_data'] });
    expect(describeDiff(diff, CATALOGUE)).toBe('Adds View Dashboard, Manage Users. Removes Export Data.');
    expect(describeDiff(diffPermissions(before, before, CATALOGUE), CATALOGUE)).toBe('');
    expect(toBody(after, CATALOGUE)).toEqual(['can_view_dashboard', 'can_view_hosts', 'can_manage_users']);
    expect(countGranted(new Set(['can_view_hosts', 'not_a_permission']), CATALOGUE)).toBe(1);
  });

  it('checks new role names like the server and refuses existing ones', () => {
    const roles = [role('auditor', [])];
    expect(roleNameProblem('noc_operator', roles)).toBeNull();
    expect(roleNameProblem('NOC operator', roles)).toMatch(/^Lowercase/);
    expect(roleNameProblem('1st', roles)).toMatch(/^Lowercase/);
    expect(roleNameProblem('auditor', roles)).toBe('A role with this name already exists');
  });

  it('lets only settings managers with rbac_custom edit, and never the locked built-ins', () => {
    expect(mayEditRoles(['can_manage_settings'], ['rbac_custom'])).toBe(true);
    expect(mayEditRoles(['can_manage_settings'], [])).toBe(false);
    expect(mayEditRoles(['can_manage_users'], ['rbac_custom'])).toBe(false);
    expect(isEditable(role('admin', [], { builtin: true, locked: true }))).toBe(false);
    expect(isEditable(role('readonly', [], { builtin: true }))).toBe(true);
  });
});
