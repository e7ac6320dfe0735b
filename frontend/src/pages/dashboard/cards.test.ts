import { describe, expect, it } from 'vitest';

import type { DashboardStats } from '../../api/types';
import { cardAvailable, cardById, CARDS, osSlices, updateStatusSlices } from './cards';

const stats = (over: Partial<DashboardStats> = {}): DashboardStats => ({
  total_hosts: 10, hosts_needing_updates: 4, hosts_with_security_updates: 1, hosts_reboot_required: 2,
  hosts_by_status: { active: 8, offline: 1, pending: 1 }, os_distribution: { Ubuntu: 6, Debian: 3, Rocky: 1 },
  offline_hosts: 1, up_to_date_hosts: 5, ...over,
});

describe('updateStatusSlices', () => {
  it('puts every host in one bucket, counting security updates apart from other updates', () => {
    const slices = updateStatusSlices(stats());
    expect(slices.map((s) => [s.name, s.value])).toEqual([
      ['Up to date', 5], ['Updates available', 3], ['Security updates', 1], ['Awaiting first report', 1],
    ]);
    expect(slices.reduce((sum, s) => sum + s.value, 0)).toBe(10);
  });

  it('leaves out empty buckets', () => {
    expect(updateStatusSlices(stats({ hosts_needing_updates: 0, hosts_with_security_updates: 0, hosts_by_status: {}, up_to_date_hosts: 10 }))
      .map((s) => s.name)).toEqual(['Up to date']);
  });
});

describe('osSlices', () => {
  it('orders systems by host count', () => {
    expect(osSlices(stats()).map((s) => s.name)).toEqual(['Ubuntu', 'Debian', 'Rocky']);
  });

  it('folds the smallest systems into Other beyond six slices', () => {
    const many = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((name, i) => [name, 10 - i]));
    const slices = osSlices(stats({ os_distribution: many }));
    expect(slices).toHaveLength(6);
    expect(slices[5]).toMatchObject({ name: 'Other', value: 5 + 4 + 3 });
  });
});

describe('the patching cards (C8.13)', () => {
  const totals = { total: 9, active: 3, queued: 1, running: 2, scheduled: 0, pending_approval: 2, validated: 1 };

  it('count queued, running and awaiting approval (pending approval + validated) runs, linking to them', () => {
    const shown = CARDS.flatMap((card) => (card.kind === 'patching' ? [[card.title, card.value(totals), card.href]] : []));
    expect(shown).toEqual([
      ['Patch runs queued', 1, '/patching?tab=runs&status=queued'],
      ['Patch runs running', 2, '/patching?tab=runs&status=running'],
      ['Awaiting approval', 3, '/patching?tab=runs&status=awaiting_approval'],
    ]);
  });

  it('read a missing status as none', () => {
    const queued = cardById('patch_runs_queued');
    expect(queued?.kind === 'patching' && [queued.value({}), queued.detail({})]).toEqual([0, 'waiting to start']);
    expect(queued?.kind === 'patching' && queued.detail({ scheduled: 4 })).toBe('4 more scheduled');
  });

  it('need the patching module and can_view_hosts; the other cards need nothing more', () => {
    const card = cardById('patch_runs_running');
    expect(cardAvailable(card, { modules: ['patching'], permissions: ['can_view_dashboard', 'can_view_hosts'] })).toBe(true);
    expect(cardAvailable(card, { modules: [], permissions: ['can_view_dashboard', 'can_view_hosts'] })).toBe(false);
    expect(cardAvailable(card, { modules: ['patching'], permissions: ['can_view_dashboard'] })).toBe(false);
    expect(cardAvailable(card, undefined)).toBe(false);
    expect(cardAvailable(cardById('total_hosts'), { modules: [], permissions: [] })).toBe(true);
    expect(cardAvailable(undefined, { modules: ['patching'], permissions: [] })).toBe(false);
  });
});
