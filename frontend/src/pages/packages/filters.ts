/**
 * The Packages page's filters as URL search params (deep links from the docs: ?filter=outdated,
 * ?filter=security or security-updates), and what GET /packages is asked for them.
 */
import type { FleetPackage, PackageHost, PackageQuery } from '../../api/inventory';

export type UpdateStatus = 'all' | 'outdated' | 'security';

export const UPDATE_STATUS_OPTIONS: { value: UpdateStatus; label: string }[] = [
  { value: 'all', label: 'All Packages' },
  { value: 'outdated', label: 'Packages Needing Updates' },
  { value: 'security', label: 'Security Updates Only' },
];

// "regular" (non-security updates only) is documented but GET /packages cannot filter on it yet: it shows all.
const STATUS_ALIASES: Record<string, UpdateStatus> = {
  outdated: 'outdated', 'needs-updates': 'outdated', security: 'security', 'security-updates': 'security',
};

interface PackageFilters {
  status: UpdateStatus;
  search: string;
}

export function filtersFromParams(params: URLSearchParams): PackageFilters {
  return { status: STATUS_ALIASES[params.get('filter') ?? ''] ?? 'all', search: (params.get('search') ?? '').trim() };
}

/** The search params for `filters`, keeping any other params of `current`. */
export function paramsWithStatus(current: URLSearchParams, status: UpdateStatus): URLSearchParams {
  const next = new URLSearchParams(current);
  if (status === 'all') next.delete('filter');
  else next.set('filter', status);
  return next;
}

export function toPackageQuery(filters: PackageFilters): PackageQuery {
  return {
    needs_updates: filters.status === 'outdated' || undefined,
    security: filters.status === 'security' || undefined,
    search: filters.search || undefined,
  };
}

export function isFiltered(filters: PackageFilters): boolean {
  return filters.status !== 'all' || filters.search !== '';
}

export type PackageStatus = 'security' | 'outdated' | 'current';

export const STATUS_LABEL: Record<PackageStatus, string> = {
  security: 'Security Update Available',
  outdated: 'Update Available',
  current: 'Up to Date',
};

export const STATUS_COLOR: Record<PackageStatus, string> = { security: 'red', outdated: 'orange', current: 'green' };

/** The highest-priority state of a package across the fleet. */
export function fleetStatus(pkg: Pick<FleetPackage, 'outdated_hosts' | 'security_hosts'>): PackageStatus {
  if (pkg.security_hosts > 0) return 'security';
  return pkg.outdated_hosts > 0 ? 'outdated' : 'current';
}

/** The state of one host's copy (a security flag without a pending update means nothing to install). */
export function hostStatus(row: Pick<PackageHost, 'needs_update' | 'is_security_update'>): PackageStatus {
  if (!row.needs_update) return 'current';
  return row.is_security_update ? 'security' : 'outdated';
}
