import { describe, expect, it } from 'vitest';

import {
  clearFilters, connectionLabel, filtersFromParams, hasFilters, hostListQuery, installCommand, isNewerVersion, isStale, packageFilterFromParams,
  packageQuery, sortFromParams, uninstallCommand, withFilters, EMPTY_FILTERS,
} from './logic';
import { newHostSchema, renameSchema } from './schemas';

describe('host list filters', () => {
  it('reads the filters and the order from the URL, ignoring values the server would refuse', () => {
    const params = new URLSearchParams('group=g1&status=offline&os=Ubuntu&search=%20web%20&needs_updates=true&security=1&reboot_required=no'
      + '&hide_stale=yes&sort=last_report_at&order=desc');
    expect(filtersFromParams(params)).toEqual({
      group: 'g1', status: 'offline', os: 'Ubuntu', search: 'web', needs_updates: true, security: true, reboot_required: false, hide_stale: true,
    });
    expect(sortFromParams(params)).toEqual({ key: 'last_report_at', direction: 'desc' });
    expect(filtersFromParams(new URLSearchParams('status=sleeping')).status).toBe('');
    expect(sortFromParams(new URLSearchParams('sort=api_key&order=desc'))).toEqual({ key: 'friendly_name', direction: 'asc' });
  });

  it('maps the filters to the GET /hosts query, leaving out what is not set and the client-side hide_stale', () => {
    const filters = { ...EMPTY_FILTERS, group: 'g1', needs_updates: true, hide_stale: true };
    expect(hostListQuery(filters, { key: 'status', direction: 'desc' })).toEqual({
      group: 'g1', status: undefined, os: undefined, search: undefined, needs_updates: 'true', security: undefined, reboot_required: undefined,
      sort: 'status', order: 'desc',
    });
  });

  it('writes changes into the URL, keeps other parameters and drops empty values and the default order', () => {
    const params = new URLSearchParams('group=g1&tab=x&sort=status&order=desc');
    const next = withFilters(params, { group: '', security: true, search: 'db', sort: { key: 'friendly_name', direction: 'asc' } });
    expect(next.toString()).toBe('tab=x&search=db&security=true');
    expect(withFilters(next, { sort: { key: 'updates_count', direction: 'desc' } }).get('order')).toBe('desc');
  });

  it('clears every filter but nothing else', () => {
    const params = new URLSearchParams('group=g1&needs_updates=true&hide_stale=true&sort=os&order=asc');
    const cleared = clearFilters(params);
    expect(cleared.toString()).toBe('sort=os&order=asc');
    expect(hasFilters(filtersFromParams(cleared))).toBe(false);
    expect(hasFilters(filtersFromParams(params))).toBe(true);
  });

  it('calls offline hosts and hosts silent for a week stale, never a host that has not reported yet', () => {
    const now = Date.parse('2025-06-10T12:00:00Z');
    expect(isStale({ status: 'offline', last_report_at: '2025-06-10T11:59:00Z' }, now)).toBe(true);
    expect(isStale({ status: 'active', last_report_at: '2025-06-03T11:00:00Z' }, now)).toBe(true);
    expect(isStale({ status: 'active', last_report_at: '2025-06-04T12:00:00Z' }, now)).toBe(false);
    expect(isStale({ status: 'pending', last_report_at: null }, now)).toBe(false);
  });
});

describe('host packages filters', () => {
  it('reads the package filter from the URL and maps it to the query', () => {
    expect(packageFilterFromParams(new URLSearchParams('pkg=security'))).toBe('security');
    expect(packageFilterFromParams(new URLSearchParams('pkg=bogus'))).toBe('all');
    expect(packageQuery('needs_updates', ' ssl ')).toEqual({ needs_updates: 'true', security: undefined, search: 'ssl' });
    expect(packageQuery('all', '')).toEqual({ needs_updates: undefined, security: undefined, search: undefined });
  });
});

describe('install commands', () => {
  it('fetches the install script with the agent headers and pipes it to a root shell', () => {
    const command = installCommand('https://acme.patchmon.example/', 'patchmon_0123456789abcdef', 'k'.repeat(64));
    expect(command).toBe(
      `curl -fsS "https://acme.patchmon.example/api/v1/hosts/install" -H "X-API-ID: patchmon_0123456789abcdef" -H "X-API-KEY: ${'k'.repeat(64)}" | sudo sh`,
    );
    // The headers as the browser tests read them back out of the command.
    const headers: Record<string, string | undefined> = Object.fromEntries(
      [...command.matchAll(/X-API-(ID|KEY):\s*([^\s"'\\]+)/gi)].map((m): [string, string | undefined] => [m[1] ?? '', m[2]]),
    );
    expect(headers).toEqual({ ID: 'patchmon_0123456789abcdef', KEY: 'k'.repeat(64) });
  });

  it('quotes what the shell would otherwise interpret', () => {
    expect(installCommand('http://h', 'id', 'a"b$c')).toContain('"X-API-KEY: a\\"b\\$c"');
  });

  it('removes the agent with the public removal script', () => {
    expect(uninstallCommand('http://localhost:8000')).toBe('curl -fsS "http://localhost:8000/api/v1/hosts/remove" | sudo sh');
  });
});

describe('how host facts read', () => {
  it('names the WebSocket connection', () => {
    expect(connectionLabel({ connected: true, secure: true })).toBe('WSS');
    expect(connectionLabel({ connected: true, secure: false })).toBe('WS');
    expect(connectionLabel({ connected: false, secure: true })).toBe('Offline');
  });

  it('compares agent versions numerically', () => {
    expect(isNewerVersion('1.10.0', '1.9.3')).toBe(true);
    expect(isNewerVersion('1.5', '1.5.0')).toBe(false);
    expect(isNewerVersion('v2.0.0-rc1', '1.9')).toBe(true);
    expect(isNewerVersion('1.0.0', null)).toBe(false);
  });
});

describe('form schemas', () => {
  it('requires a friendly name that is not blank and at most 255 characters', () => {
    const base = { groups: [], docker_enabled: false, compliance_enabled: false };
    expect(newHostSchema.safeParse({ ...base, friendly_name: '   ' }).success).toBe(false);
    expect(newHostSchema.safeParse({ ...base, friendly_name: 'x'.repeat(256) }).success).toBe(false);
    const parsed = newHostSchema.safeParse({ ...base, friendly_name: '  web-01  ', groups: ['g1'] });
    expect(parsed.success && parsed.data).toEqual({ ...base, friendly_name: 'web-01', groups: ['g1'] });
    expect(renameSchema.safeParse({ friendly_name: '' }).success).toBe(false);
  });
});
