import { describe, expect, it } from 'vitest';

import { mayAssign, mayManage, rank, roleLabel } from './rank';

const superadmin = { role: 'superadmin', permissions: [] };
const admin = { role: 'admin', permissions: ['can_manage_users', 'can_manage_superusers'] };
const hostManager = { role: 'host_manager', permissions: ['can_manage_users'] };
const customSuper = { role: 'ops_lead', permissions: ['can_manage_users', 'can_manage_superusers'] };

describe('role ranks', () => {
  it('ranks custom roles between host_manager and user', () => {
    expect(rank('superadmin')).toBe(100);
    expect(rank('auditor')).toBe(30);
    expect(rank('user')).toBeLessThan(rank('auditor'));
    expect(rank('auditor')).toBeLessThan(rank('host_manager'));
  });

  it('lets only a superadmin (or a non-admin holding can_manage_superusers) give admin or superadmin', () => {
    expect(mayAssign(superadmin, 'admin')).toBe(true);
    expect(mayAssign(superadmin, 'superadmin')).toBe(true);
    expect(mayAssign(admin, 'admin')).toBe(false);
    expect(mayAssign(admin, 'superadmin')).toBe(false);
    expect(mayAssign(customSuper, 'superadmin')).toBe(true);
    expect(mayAssign(hostManager, 'admin')).toBe(false);
  });

  it('never offers a role above the caller', () => {
    expect(mayAssign(admin, 'host_manager')).toBe(true);
    expect(mayAssign(hostManager, 'host_manager')).toBe(true);
    expect(mayAssign(hostManager, 'auditor')).toBe(true);
    expect(mayAssign({ role: 'auditor', permissions: ['can_manage_users'] }, 'host_manager')).toBe(false);
    expect(mayAssign({ role: 'auditor', permissions: ['can_manage_users'] }, 'other_custom')).toBe(true);
  });

  it('keeps admins away from superadmins, and everyone from higher ranks', () => {
    expect(mayManage(superadmin, 'superadmin')).toBe(true);
    expect(mayManage(admin, 'superadmin')).toBe(false);
    expect(mayManage(admin, 'admin')).toBe(true);
    expect(mayManage(hostManager, 'admin')).toBe(false);
    expect(mayManage(customSuper, 'admin')).toBe(true);
    expect(mayManage(hostManager, 'readonly')).toBe(true);
    expect(mayManage({ role: 'user', permissions: ['can_manage_users'] }, 'host_manager')).toBe(false);
  });

  it('names built-in roles and prefers a custom role label', () => {
    expect(roleLabel('host_manager')).toBe('Host Manager');
    expect(roleLabel('auditor')).toBe('auditor');
    expect(roleLabel('auditor', new Map([['auditor', 'Compliance auditor']]))).toBe('Compliance auditor');
  });
});
