/**
 * Fleet inventory (chalicelib/inventory/routes.py): packages across the fleet and the repositories hosts use.
 * Every list is one request per page (the server keeps per-package and per-repository counters).
 */
import { api } from './client';
import type { HostPackage, HostRepository } from './hosts';
import type { CursorPage } from './types';

/** A package across the fleet (GET /packages, GET /packages/{name}). */
export interface FleetPackage {
  name: string;
  description: string;
  category: string;
  /** The newest available version any host has reported (null until a host reports an update for it). */
  latest_version: string | null;
  installed_hosts: number;
  outdated_hosts: number;
  /** Hosts with a security update pending for the package. */
  security_hosts: number;
}

type PackagePage = CursorPage<'packages', FleetPackage>;

/** One host's copy of a package (GET /packages/{name}/hosts): the host's package row and who the host is. */
export interface PackageHost extends HostPackage {
  friendly_name?: string;
  hostname?: string;
}

type PackageHostPage = CursorPage<'hosts', PackageHost>;

/** A repository across the fleet: the same (url, distribution, components) on every host is one record. */
export interface Repository {
  repo_id: string;
  name: string;
  url: string;
  distribution: string;
  components: string;
  /** deb, deb-src, rpm, apk, pacman… as the agent reports it. */
  repo_type: string;
  is_secure: boolean;
  host_count: number;
}

export type RepositoryPage = CursorPage<'repositories', Repository>;

/** A host's use of a repository (GET /repositories/{id}/hosts): the host's repository row and who the host is. */
export interface RepositoryHost extends HostRepository {
  friendly_name?: string;
  hostname?: string;
}

type RepositoryHostPage = CursorPage<'hosts', RepositoryHost>;

/** The filters GET /packages understands. */
export interface PackageQuery {
  needs_updates?: boolean;
  security?: boolean;
  search?: string;
}

/** A package name as one path segment: names hold `+`, `.` and `:` (libstdc++6, python3.11, libc6:amd64). */
export function packageSegment(name: string): string {
  return encodeURIComponent(name);
}

/** The web app's page of a package. */
export function packageHref(name: string): string {
  return `/packages/${packageSegment(name)}`;
}

export function hostHref(hostId: string): string {
  return `/hosts/${encodeURIComponent(hostId)}`;
}

export function repositoryHref(repoId: string): string {
  return `/repositories/${encodeURIComponent(repoId)}`;
}

/** The name to show for a host row of an inventory list. */
export function hostLabel(row: { host_id: string; friendly_name?: string; hostname?: string }): string {
  return row.friendly_name || row.hostname || row.host_id;
}

export const inventoryKeys = {
  packageList: (filters: PackageQuery, pageSize: number) => ['packages', 'list', filters, pageSize] as const,
  package: (name: string) => ['packages', 'detail', name] as const,
  packageHosts: (name: string) => ['packages', 'hosts', name] as const,
  /** Every page of the repositories list (a prefix: a repository's page looks for its row in them). */
  repositories: ['repositories', 'list'] as const,
  repositoryList: (pageSize: number) => ['repositories', 'list', pageSize] as const,
  repositoryHosts: (id: string) => ['repositories', 'hosts', id] as const,
};

interface PageArgs {
  cursor: string | null;
  limit: number;
  signal?: AbortSignal;
}

export const inventoryApi = {
  packages: (filters: PackageQuery, { cursor, limit, signal }: PageArgs) =>
    api.get<PackagePage>('/packages', {
      query: {
        needs_updates: filters.needs_updates ? 'true' : undefined,
        security: filters.security ? 'true' : undefined,
        search: filters.search || undefined,
        cursor,
        limit,
      },
      signal,
    }),
  package: (name: string, signal?: AbortSignal) => api.get<FleetPackage>(`/packages/${packageSegment(name)}`, { signal }),
  packageHosts: (name: string, { cursor, limit, signal }: PageArgs) =>
    api.get<PackageHostPage>(`/packages/${packageSegment(name)}/hosts`, { query: { cursor, limit }, signal }),
  repositories: ({ cursor, limit, signal }: PageArgs) => api.get<RepositoryPage>('/repositories', { query: { cursor, limit }, signal }),
  repositoryHosts: (repoId: string, { cursor, limit, signal }: PageArgs) =>
    api.get<RepositoryHostPage>(`/repositories/${encodeURIComponent(repoId)}/hosts`, { query: { cursor, limit }, signal }),
};
