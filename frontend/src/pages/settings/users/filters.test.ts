import { describe, expect, it } from 'vitest';

import { filterUsers, readFilters, readSort, sortUsers, writeParams } from './filters';
import { managedUser as user } from './testData';

const USERS = [
  user('carol', { role: 'admin', first_name: 'Carol', last_name: 'Jones', last_login: '2025-03-02T00:00:00Z' }),
  user('alice', { role: 'readonly', is_active: false }),
  user('bob', { role: 'superadmin', email: 'robert@corp.test', last_login: '2025-03-01T00:00:00Z' }),
];

describe('user filters', () => {
  it('reads filters and order from the URL, ignoring unknown values', () => {
    const params = new URLSearchParams('q=car&role=admin&status=bogus&sort=last_login&order=desc');
    expect(readFilters(params)).toEqual({ q: 'car', role: 'admin', status: null });
    expect(readSort(params)).toEqual({ key: 'last_login', direction: 'desc' });
    expect(readSort(new URLSearchParams('sort=password'))).toEqual({ key: 'username', direction: 'asc' });
  });

  it('writes only what differs from the defaults, keeping other params', () => {
    const base = new URLSearchParams('tab=x&role=admin');
    expect(writeParams(base, { q: 'bo', role: null }).toString()).toBe('tab=x&q=bo');
    expect(writeParams(base, { sort: { key: 'username', direction: 'asc' } }).toString()).toBe('tab=x&role=admin');
    expect(writeParams(base, { sort: { key: 'email', direction: 'desc' }, status: 'inactive' }).toString())
      .toBe('tab=x&role=admin&status=inactive&sort=email&order=desc');
  });

  it('matches the search in username, email and full name', () => {
    expect(filterUsers(USERS, { q: 'JONES', role: null, status: null }).map((u) => u.username)).toEqual(['carol']);
    expect(filterUsers(USERS, { q: 'robert', role: null, status: null }).map((u) => u.username)).toEqual(['bob']);
    expect(filterUsers(USERS, { q: '', role: null, status: 'inactive' }).map((u) => u.username)).toEqual(['alice']);
    expect(filterUsers(USERS, { q: '', role: 'superadmin', status: 'active' }).map((u) => u.username)).toEqual(['bob']);
  });

  it('sorts by the chosen column, role by rank, never-logged-in last when newest first', () => {
    expect(sortUsers(USERS, { key: 'username', direction: 'asc' }).map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    expect(sortUsers(USERS, { key: 'role', direction: 'asc' }).map((u) => u.role)).toEqual(['superadmin', 'admin', 'readonly']);
    expect(sortUsers(USERS, { key: 'last_login', direction: 'desc' }).map((u) => u.username)).toEqual(['carol', 'bob', 'alice']);
    expect(sortUsers(USERS, { key: 'status', direction: 'asc' }).map((u) => u.username)).toEqual(['bob', 'carol', 'alice']);
  });
});
