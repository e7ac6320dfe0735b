import { describe, expect, it } from 'vitest';

import { catalogue, hostUsage, moduleRows, moduleTier, planLabel } from './modules';

const FREE = ['compliance', 'docker', 'patching'];
const PLUS = [...FREE, 'alerts_advanced', 'custom_branding', 'patching_policies', 'rbac_custom'];

describe('plan modules', () => {
  it('lists the whole catalogue of plans.py', () => {
    expect(catalogue().sort()).toEqual(['ai', 'alerts_advanced', 'compliance', 'custom_branding', 'docker', 'patching', 'patching_policies',
      'rbac_custom', 'rdp', 'remote_access', 'ssh_terminal']);
  });

  it('gives each module the tier that first includes it', () => {
    expect(moduleTier('patching')).toBe('Free');
    expect(moduleTier('rbac_custom')).toBe('Plus');
    expect(moduleTier('ssh_terminal')).toBe('Max');
  });

  it('locks the Plus and Max modules of a free plan, with their badge', () => {
    const rows = moduleRows(FREE);
    expect(rows.filter((r) => r.enabled).map((r) => r.key)).toEqual(['patching', 'docker', 'compliance']);
    expect(rows.find((r) => r.key === 'rbac_custom')).toMatchObject({ enabled: false, badge: 'Plus', label: 'Custom roles' });
    expect(rows.find((r) => r.key === 'ai')).toMatchObject({ enabled: false, badge: 'Max' });
    expect(rows.map((r) => r.tier)).toEqual([...rows.map((r) => r.tier)].sort((a, b) => ['Free', 'Plus', 'Max'].indexOf(a) - ['Free', 'Plus', 'Max'].indexOf(b)));
  });

  it('locks only the Max modules of a plus plan', () => {
    const locked = moduleRows(PLUS).filter((r) => !r.enabled);
    expect(locked.map((r) => r.key).sort()).toEqual(['ai', 'rdp', 'remote_access', 'ssh_terminal']);
    expect(locked.every((r) => r.badge === 'Max')).toBe(true);
  });

  it('follows a custom plan module by module, and shows modules the app does not know yet', () => {
    const rows = moduleRows(['patching', 'ssh_terminal', 'fleet_insights']);
    expect(rows.find((r) => r.key === 'ssh_terminal')).toMatchObject({ enabled: true, badge: null });
    expect(rows.find((r) => r.key === 'docker')).toMatchObject({ enabled: false, badge: null, tier: 'Free' });
    expect(rows.find((r) => r.key === 'patching_policies')).toMatchObject({ enabled: false, badge: 'Plus' });
    expect(rows.find((r) => r.key === 'fleet_insights')).toMatchObject({ enabled: true, label: 'fleet insights' });
  });

  it('names plans', () => {
    expect(['free', 'plus', 'max', 'custom'].map(planLabel)).toEqual(['Free', 'Plus', 'Max', 'Custom']);
  });

  it('shows host usage against the limit', () => {
    expect(hostUsage(12, 25)).toEqual({ label: '12 of 25 hosts', percent: 48, full: false });
    expect(hostUsage(25, 25)).toMatchObject({ percent: 100, full: true });
    expect(hostUsage(undefined, 25)).toEqual({ label: 'Up to 25 hosts', percent: null, full: false });
    expect(hostUsage(1, null)).toEqual({ label: '1 host (no limit)', percent: null, full: false });
  });
});
