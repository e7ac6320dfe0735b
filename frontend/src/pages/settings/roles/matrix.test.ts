import { describe, expect, it } from 'vitest';

import {
  countGranted, describeDiff, diffPermissions, grantedKeys, matchingPreset, presetKeys, roleNameProblem, setTier, tierState, toBody,
  toggle,
} from './matrix';
import { CATALOGUE, roleView as role } from '../shared/roleTestData';

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
});
