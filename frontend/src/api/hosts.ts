/**
 * Hosts (chalicelib/host/routes.py): the host list, enrolment, one host's facts and inventory, and the changes a
 * host manager makes. Field names are the server's (snake_case), except the bodies the server names in camelCase.
 * The groups, the server URL and the agent version the Hosts pages also show belong to hostGroups.ts and orgSettings.ts,
 * so Settings' changes to them reach these pages through the same cache entries.
 */
import { api, type QueryParams } from './client';
import type { CursorPage } from './types';

type HostStatus = 'pending' | 'active' | 'offline' | (string & {});

/** A host as GET /hosts lists it (host/service.py view()). */
export interface Host {
  host_id: string;
  friendly_name: string;
  hostname: string | null;
  api_id: string;
  status: HostStatus;
  os_type: string | null;
  os_version: string | null;
  architecture: string | null;
  kernel_version: string | null;
  agent_version: string | null;
  ip: string | null;
  group_ids: string[] | null;
  packages_count: number | null;
  updates_count: number | null;
  security_count: number | null;
  needs_reboot: boolean | null;
  reboot_reason: string | null;
  docker_enabled: boolean | null;
  compliance_enabled: boolean | null;
  auto_update: boolean | null;
  created_at: string | null;
  updated_at: string | null;
  last_report_at: string | null;
  notes: string | null;
  /** The agent's last check-in (report or ping). */
  last_seen_at: string | null;
  /** Whether the agent holds its WebSocket open now. */
  connected: boolean;
  connected_since: string | null;
}

/** One network interface as the agent reports it (agent reference §8). */
export interface NetworkInterface {
  name: string;
  type?: string;
  macAddress?: string;
  mtu?: number;
  status?: string;
  linkSpeed?: number;
  duplex?: string;
  addresses?: { address: string; family?: string; netmask?: string; gateway?: string }[] | null;
}

interface DiskDetail {
  name?: string;
  size?: string;
  mountpoint?: string;
}

/** The setup status an agent last reported for an integration (POST /hosts/integration-status). */
export interface IntegrationStatus {
  enabled?: boolean;
  status?: string;
  message?: string | null;
  components?: Record<string, string> | null;
  received_at?: string;
}

/** GET /hosts/{host_id}: the list view plus the system facts of the last full report. */
export interface HostDetail extends Host {
  /** The WebSocket is over TLS (WSS). */
  secure: boolean;
  /** What the host holds by itself (apt-mark, versionlock, zypper locks, IgnorePkg), as our agent reports it: the first 500. */
  held_packages?: string[] | null;
  held_packages_count?: number | null;
  network_interfaces: NetworkInterface[] | null;
  gateway_ip: string | null;
  dns_servers: string[] | null;
  disk_details: DiskDetail[] | null;
  cpu_model: string | null;
  cpu_cores: number | null;
  /** GiB. */
  ram_installed: number | null;
  /** GiB. */
  swap_size: number | null;
  system_uptime: string | null;
  boot_time: string | null;
  load_average: number[] | null;
  machine_id: string | null;
  installed_kernel_version: string | null;
  selinux_status: string | null;
  package_manager: string | null;
  repos_count: number | null;
  integration_status: Record<string, IntegrationStatus> | null;
}

type HostPage = CursorPage<'hosts', Host>;

/** POST /hosts/create answer: the API key is in it this once. */
export interface CreatedHost {
  hostId: string;
  friendlyName: string;
  apiId: string;
  apiKey: string;
  hostGroups: { id: string; name: string; color: string }[];
  instructions: string;
}

interface NewHost {
  friendly_name: string;
  hostGroupIds: string[];
  docker_enabled?: boolean;
  compliance_enabled?: boolean;
}

export interface Credentials {
  apiId: string;
  apiKey: string;
}

/** A package on one host (GET /hosts/{host_id}/packages). */
export interface HostPackage {
  host_id: string;
  name: string;
  current_version: string;
  available_version: string;
  needs_update: boolean;
  is_security_update: boolean;
  source_repository: string;
  description: string;
  category: string;
  updated_at: string;
}

type HostPackagePage = CursorPage<'packages', HostPackage>;

/** A repository on one host (GET /hosts/{host_id}/repositories). */
export interface HostRepository {
  host_id: string;
  repo_id: string;
  name: string;
  url: string;
  distribution: string;
  components: string;
  repo_type: string;
  is_enabled: boolean;
  is_secure: boolean;
  updated_at: string;
}

type HostRepositoryPage = CursorPage<'repositories', HostRepository>;

/** One row of a host's report history (GET /hosts/{host_id}/reports). */
export interface HostReport {
  at: string;
  status: 'success' | 'error' | (string & {});
  report_type: 'full' | 'partial' | (string & {});
  sections_sent?: string[];
  sections_unchanged?: string[];
  execution_time?: number | null;
  agent_execution_ms?: number | null;
  server_ms?: number | null;
  packages_count?: number;
  error?: string;
}

type HostReportPage = CursorPage<'reports', HostReport>;

interface BulkDeleteResult {
  deleted: string[];
  not_found: string[];
}

export type PackageFilter = 'all' | 'needs_updates' | 'security';

const path = (hostId: string, suffix = '') => `/hosts/${encodeURIComponent(hostId)}${suffix}`;

export const hostsApi = {
  list: (query: QueryParams, signal?: AbortSignal) => api.get<HostPage>('/hosts', { query, signal }),
  get: (hostId: string, signal?: AbortSignal) => api.get<HostDetail>(path(hostId), { signal }),
  create: (body: NewHost) => api.post<CreatedHost>('/hosts/create', body),
  rename: (hostId: string, friendlyName: string) => api.patch<Host>(path(hostId, '/friendly-name'), { friendlyName }),
  setGroups: (hostId: string, groupIds: string[]) => api.put<Host>(path(hostId, '/groups'), { groupIds }),
  /** Replaces each host's groups with `groupIds` (it does not add to them). */
  bulkSetGroups: (hostIds: string[], groupIds: string[]) => api.put<{ updated: number }>('/hosts/bulk/groups', { hostIds, groupIds }),
  setAutoUpdate: (hostId: string, autoUpdate: boolean) => api.patch<Host>(path(hostId, '/auto-update'), { autoUpdate }),
  regenerateCredentials: (hostId: string) => api.post<Credentials>(path(hostId, '/regenerate-credentials')),
  remove: (hostId: string) => api.delete<{ message: string }>(path(hostId)),
  bulkRemove: (hostIds: string[]) => api.request<BulkDeleteResult>('/hosts/bulk', { method: 'DELETE', body: { hostIds } }),
  fetchReport: (hostId: string) => api.post<{ message: string }>(path(hostId, '/fetch-report')),
  forceAgentUpdate: (hostId: string) => api.post<{ message: string }>(path(hostId, '/force-agent-update')),
  packages: (hostId: string, query: QueryParams, signal?: AbortSignal) =>
    api.get<HostPackagePage>(path(hostId, '/packages'), { query, signal }),
  repositories: (hostId: string, query: QueryParams, signal?: AbortSignal) =>
    api.get<HostRepositoryPage>(path(hostId, '/repositories'), { query, signal }),
  reports: (hostId: string, query: QueryParams, signal?: AbortSignal) =>
    api.get<HostReportPage>(path(hostId, '/reports'), { query, signal }),
};

export const hostKeys = {
  all: ['hosts'] as const,
  /** `query`: the GET /hosts query (filters and order). */
  list: (query: QueryParams) => ['hosts', 'list', query] as const,
  detail: (hostId: string) => ['hosts', 'detail', hostId] as const,
  // A host's lists carry its last report time: a new report starts them again with its data.
  packages: (hostId: string, query: QueryParams, reportedAt: string | null) => ['hosts', 'packages', hostId, query, reportedAt] as const,
  repositories: (hostId: string, reportedAt: string | null) => ['hosts', 'repositories', hostId, reportedAt] as const,
  reports: (hostId: string, reportedAt: string | null) => ['hosts', 'reports', hostId, reportedAt] as const,
};
