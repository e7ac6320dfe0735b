/**
 * Hosts (chalicelib/host/routes.py): the host list, enrolment, one host's facts and inventory, and the changes a
 * host manager makes. Field names are the server's (snake_case), except the bodies the server names in camelCase.
 */
import { api, type QueryParams } from './client';

export type HostStatus = 'pending' | 'active' | 'offline' | (string & {});

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

export interface DiskDetail {
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

export interface HostPage {
  hosts: Host[];
  next_cursor: string | null;
}

export interface HostGroup {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
}

/** POST /hosts/create answer: the API key is in it this once. */
export interface CreatedHost {
  hostId: string;
  friendlyName: string;
  apiId: string;
  apiKey: string;
  hostGroups: { id: string; name: string; color: string }[];
  instructions: string;
}

export interface NewHost {
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

export interface HostPackagePage {
  packages: HostPackage[];
  next_cursor: string | null;
}

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

export interface HostRepositoryPage {
  repositories: HostRepository[];
  next_cursor: string | null;
}

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

export interface HostReportPage {
  reports: HostReport[];
  next_cursor: string | null;
}

/** GET /agent/version: the agent build this deployment serves (404 when it has none). */
export interface AgentVersion {
  latestVersion: string;
  autoUpdateDisabled: boolean;
  autoUpdateDisabledReason: string | null;
}

export interface BulkDeleteResult {
  deleted: string[];
  not_found: string[];
}

export type PackageFilter = 'all' | 'needs_updates' | 'security';

const path = (hostId: string, suffix = '') => `/hosts/${encodeURIComponent(hostId)}${suffix}`;
const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

export const hostsApi = {
  list: (query: QueryParams, signal?: AbortSignal) => api.get<HostPage>('/hosts', { query, ...withSignal(signal) }),
  get: (hostId: string, signal?: AbortSignal) => api.get<HostDetail>(path(hostId), withSignal(signal)),
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
    api.get<HostPackagePage>(path(hostId, '/packages'), { query, ...withSignal(signal) }),
  repositories: (hostId: string, query: QueryParams, signal?: AbortSignal) =>
    api.get<HostRepositoryPage>(path(hostId, '/repositories'), { query, ...withSignal(signal) }),
  reports: (hostId: string, query: QueryParams, signal?: AbortSignal) =>
    api.get<HostReportPage>(path(hostId, '/reports'), { query, ...withSignal(signal) }),
  groups: (signal?: AbortSignal) => api.get<{ groups: HostGroup[] }>('/host-groups', withSignal(signal)),
  serverUrl: (signal?: AbortSignal) => api.get<{ server_url: string }>('/settings/server-url', withSignal(signal)),
  agentVersion: (signal?: AbortSignal) => api.get<AgentVersion>('/agent/version', withSignal(signal)),
};

export const hostKeys = {
  all: ['hosts'] as const,
  list: (filters: unknown, sort: unknown) => ['hosts', 'list', filters, sort] as const,
  detail: (hostId: string) => ['hosts', 'detail', hostId] as const,
  packages: (hostId: string, filters: unknown) => ['hosts', 'packages', hostId, filters] as const,
  repositories: (hostId: string) => ['hosts', 'repositories', hostId] as const,
  reports: (hostId: string) => ['hosts', 'reports', hostId] as const,
  groups: ['hosts', 'groups'] as const,
  serverUrl: ['hosts', 'server-url'] as const,
  agentVersion: ['hosts', 'agent-version'] as const,
};
