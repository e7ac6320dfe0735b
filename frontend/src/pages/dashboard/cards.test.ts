import { describe, expect, it } from 'vitest';

import type { DashboardStats } from '../../api/types';
import { osSlices, updateStatusSlices } from './cards';

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
