import { describe, expect, it } from 'vitest';

import { filtersFromParams, fleetStatus, hostStatus, isFiltered, paramsWithStatus, toPackageQuery } from './filters';

describe('package filters in the URL', () => {
  it.each([
    ['filter=outdated', 'outdated'],
    ['filter=needs-updates', 'outdated'],
    ['filter=security', 'security'],
    ['filter=security-updates', 'security'],
    ['filter=regular', 'all'], // documented, not yet filterable on the server
    ['filter=nonsense', 'all'],
    ['', 'all'],
  ])('reads the documented deep link %s as %s', (search, status) => {
    expect(filtersFromParams(new URLSearchParams(search)).status).toBe(status);
  });

  it('trims the search and asks the server only for what is set', () => {
    const filters = filtersFromParams(new URLSearchParams('filter=security&search=%20libssl%20'));
    expect(filters).toEqual({ status: 'security', search: 'libssl' });
    expect(toPackageQuery(filters)).toEqual({ needs_updates: undefined, security: true, search: 'libssl' });
    expect(toPackageQuery({ status: 'outdated', search: '' })).toEqual({ needs_updates: true, security: undefined, search: undefined });
    expect(isFiltered({ status: 'all', search: '' })).toBe(false);
    expect(isFiltered({ status: 'all', search: 'x' })).toBe(true);
  });

  it('sets the status param and keeps the others', () => {
    const next = paramsWithStatus(new URLSearchParams('search=vim&filter=outdated'), 'security');
    expect(next.toString()).toBe('search=vim&filter=security');
    expect(paramsWithStatus(next, 'all').toString()).toBe('search=vim');
  });
});

describe('package status', () => {
  it('shows the highest priority across the fleet', () => {
    expect(fleetStatus({ outdated_hosts: 3, security_hosts: 1 })).toBe('security');
    expect(fleetStatus({ outdated_hosts: 3, security_hosts: 0 })).toBe('outdated');
    expect(fleetStatus({ outdated_hosts: 0, security_hosts: 0 })).toBe('current');
  });

  it('counts a security flag only with a pending update on a host', () => {
    expect(hostStatus({ needs_update: true, is_security_update: true })).toBe('security');
    expect(hostStatus({ needs_update: true, is_security_update: false })).toBe('outdated');
    expect(hostStatus({ needs_update: false, is_security_update: true })).toBe('current');
  });
});
