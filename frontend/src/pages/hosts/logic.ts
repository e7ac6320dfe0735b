/** The pure rules of the Hosts pages: URL filters ↔ API query, install commands, and how host facts read. */
import type { QueryParams } from '../../api/client';
import type { Host, PackageFilter } from '../../api/hosts';
import type { SortState } from '../../components/sorting';

export const HOST_STATUSES = ['active', 'pending', 'offline'] as const;
const SORT_KEYS = ['friendly_name', 'hostname', 'status', 'os', 'last_report_at', 'updates_count', 'security_count', 'created_at'] as const;
const DEFAULT_SORT: SortState = { key: 'friendly_name', direction: 'asc' };
/** A host that has not reported for this long, or is offline, is stale (the "Hide stale" toggle). */
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/** The Hosts list filters, as kept in the URL (`/hosts?group=<id>&needs_updates=true`). */
export interface HostFilters {
  group: string;
  status: string;
  os: string;
  search: string;
  needs_updates: boolean;
  security: boolean;
  reboot_required: boolean;
  hide_stale: boolean;
}

export const EMPTY_FILTERS: HostFilters = {
  group: '', status: '', os: '', search: '', needs_updates: false, security: false, reboot_required: false, hide_stale: false,
};

const TEXT_FILTERS = ['group', 'status', 'os', 'search'] as const;
const FLAG_FILTERS = ['needs_updates', 'security', 'reboot_required', 'hide_stale'] as const;
const TRUE = new Set(['1', 'true', 'yes']);

export function filtersFromParams(params: URLSearchParams): HostFilters {
  const filters = { ...EMPTY_FILTERS };
  for (const name of TEXT_FILTERS) filters[name] = (params.get(name) ?? '').trim();
  for (const name of FLAG_FILTERS) filters[name] = TRUE.has((params.get(name) ?? '').toLowerCase());
  if (filters.status && !(HOST_STATUSES as readonly string[]).includes(filters.status)) filters.status = '';
  return filters;
}

export function sortFromParams(params: URLSearchParams): SortState {
  const key = params.get('sort') ?? '';
  const direction = params.get('order') === 'desc' ? 'desc' : 'asc';
  return (SORT_KEYS as readonly string[]).includes(key) ? { key, direction } : DEFAULT_SORT;
}

/** The URL's search params with `changes` applied; empty and false values are left out, other params are kept. */
export function withFilters(params: URLSearchParams, changes: Partial<HostFilters> & { sort?: SortState }): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of [...TEXT_FILTERS, ...FLAG_FILTERS]) {
    if (!(name in changes)) continue;
    const value = changes[name];
    if (value === '' || value === false || value === undefined) next.delete(name);
    else next.set(name, value === true ? 'true' : value);
  }
  if (changes.sort) {
    const isDefault = changes.sort.key === DEFAULT_SORT.key && changes.sort.direction === DEFAULT_SORT.direction;
    if (isDefault) {
      next.delete('sort');
      next.delete('order');
    } else {
      next.set('sort', changes.sort.key);
      next.set('order', changes.sort.direction);
    }
  }
  return next;
}

export function clearFilters(params: URLSearchParams): URLSearchParams {
  return withFilters(params, { ...EMPTY_FILTERS });
}

export function hasFilters(filters: HostFilters): boolean {
  return (Object.keys(EMPTY_FILTERS) as (keyof HostFilters)[]).some((name) => filters[name] !== EMPTY_FILTERS[name]);
}

/** The GET /hosts query for the filters (hide_stale is applied to the page shown: the server has no such filter). */
export function hostListQuery(filters: HostFilters, sort: SortState): QueryParams {
  return {
    group: filters.group || undefined,
    status: filters.status || undefined,
    os: filters.os || undefined,
    search: filters.search || undefined,
    needs_updates: filters.needs_updates ? 'true' : undefined,
    security: filters.security ? 'true' : undefined,
    reboot_required: filters.reboot_required ? 'true' : undefined,
    sort: sort.key,
    order: sort.direction,
  };
}

export function isStale(host: Pick<Host, 'status' | 'last_report_at'>, now: number): boolean {
  if (host.status === 'offline') return true;
  if (!host.last_report_at) return false; // pending: it has never reported, it is new rather than stale
  return now - Date.parse(host.last_report_at) > STALE_AFTER_MS;
}

/** The filters of a host's Packages tab, kept in the URL beside `tab=packages`. */
export function packageFilterFromParams(params: URLSearchParams): PackageFilter {
  const value = params.get('pkg');
  return value === 'needs_updates' || value === 'security' ? value : 'all';
}

export function packageQuery(filter: PackageFilter, search: string): QueryParams {
  return {
    needs_updates: filter === 'needs_updates' ? 'true' : undefined,
    security: filter === 'security' ? 'true' : undefined,
    search: search.trim() || undefined,
  };
}

// --- install commands ------------------------------------------------------------------------------
/** The server URL without a trailing slash. */
export function normaliseServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function shellQuoted(value: string): string {
  return `"${value.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * The install one-liner (chalicelib/install): GET /api/v1/hosts/install with the agent's headers returns a script
 * that runs as root. curl's -f makes a refused request (401: wrong key) fail instead of piping the error to sh.
 */
export function installCommand(serverUrl: string, apiId: string, apiKey: string): string {
  const url = `${normaliseServerUrl(serverUrl)}/api/v1/hosts/install`;
  return `curl -fsS ${shellQuoted(url)} -H ${shellQuoted(`X-API-ID: ${apiId}`)} -H ${shellQuoted(`X-API-KEY: ${apiKey}`)} | sudo sh`;
}

/** The uninstall one-liner: GET /api/v1/hosts/remove is public and the same for every host. */
export function uninstallCommand(serverUrl: string): string {
  return `curl -fsS ${shellQuoted(`${normaliseServerUrl(serverUrl)}/api/v1/hosts/remove`)} | sudo sh`;
}

// --- how things read (counts and times: components/format.ts) ----------------------------------
/** "Ubuntu 22.04", or an empty string before the first report. */
export function osLabel(host: Pick<Host, 'os_type' | 'os_version'>): string {
  return [host.os_type, host.os_version].filter(Boolean).join(' ');
}

/** 3.8 → "3.8 GiB". */
export function formatGiB(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return `${value.toLocaleString('en', { maximumFractionDigits: 1 })} GiB`;
}

type Connection = 'WSS' | 'WS' | 'Offline';

/** The WebSocket badge: WSS (TLS) or WS while connected, Offline otherwise. */
export function connectionLabel(host: { connected: boolean; secure?: boolean }): Connection {
  if (!host.connected) return 'Offline';
  return host.secure ? 'WSS' : 'WS';
}

export function statusColor(status: string): string {
  switch (status) {
    case 'active':
      return 'teal';
    case 'pending':
      return 'yellow';
    case 'offline':
    case 'error':
      return 'red';
    default:
      return 'gray';
  }
}

/** The numeric parts of a version ("v1.10.2-rc1" → [1, 10, 2]), or null. */
function versionParts(text: string | null | undefined): number[] | null {
  const match = /^v?(\d+(?:\.\d+)*)/.exec((text ?? '').trim());
  return match?.[1] ? match[1].split('.').map(Number) : null;
}

/** Whether `latest` is a higher version than `current` (as the server compares them); unknown versions never are. */
export function isNewerVersion(latest: string | null | undefined, current: string | null | undefined): boolean {
  const a = versionParts(latest);
  const b = versionParts(current);
  if (!a || !b) return false;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}
