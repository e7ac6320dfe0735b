/**
 * Patching (chalicelib/patching/routes.py, docs/patching.md): patch runs (list, one run, trigger, approve, retry
 * validation, stop, delete), the Timing preview, the Patching dashboard, policies with their assignments and
 * exclusions (and, beyond PatchMon, their maintenance window, reboot policy and hooks), package holds, rollouts (a
 * trigger's or a window's runs started a few at a time), and the one-time ticket that opens the browser WebSocket for
 * a run's live log.
 * Runs need the `patching` module, policies, holds and rollouts `patching_policies`; reading needs `can_view_hosts`,
 * writing `can_manage_patching`.
 */
import { api } from './client';

export type PatchType = 'patch_all' | 'patch_package';

export type PatchRunStatus =
  | 'pending_validation' | 'pending_approval' | 'validated' | 'approved' | 'scheduled' | 'queued' | 'running'
  | 'completed' | 'failed' | 'cancelled' | 'dry_run_completed' | 'timed_out' | 'agent_disconnected'
  /** Ours: held back by its rollout until a slot frees (deletable). */
  | 'waiting';

/** A run as GET /patching/runs lists it (runs.py view()). */
export interface PatchRun {
  id: string;
  host_id: string;
  host_name: string | null;
  patch_type: PatchType;
  package_names: string[];
  dry_run: boolean;
  status: PatchRunStatus | (string & {});
  /** Username; null for automation. */
  initiated_by: string | null;
  approved_by: string | null;
  created_at: string;
  updated_at?: string | null;
  scheduled_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  policy_name: string | null;
  /** On an execution run: the validation (or approval) run it was approved from. */
  validation_run_id: string | null;
  /** On an approved run: the execution run its approval created. */
  execution_run_id: string | null;
  /** Packages the dry run would change beyond those asked for. */
  extra_deps_count: number;
  error_message: string | null;
  schedule_override?: 'immediate' | null;
  /** The agent's reboot decision after a real run (and, once the host is back, its kernels). */
  reboot?: RunReboot | null;
  /** A maintenance window's run: the window's end; a run not started by then is cancelled. */
  not_after?: string | null;
  /** A maintenance window's run: the opening that created it. */
  window_occurrence?: string | null;
  /** A rollout's run: the rollout that starts it, and its ring (0: the first ring, or every host without one). */
  rollout_id?: string | null;
  ring?: number | null;
  deletable: boolean;
  approvable: boolean;
}

export type RebootPolicy = 'never' | 'if_required' | 'always';

/**
 * `run.reboot` (output.py): what the agent decided after the package operation (`policy`, `required`, `decision`,
 * `reason`, `kernel_before`), then, when it rebooted, `status` (rebooting → host_back) and after the `rebooted`
 * stage `kernel_after`, `new_kernel`, `booted_at` and the server's `host_back_at`.
 */
export interface RunReboot {
  policy?: RebootPolicy | null;
  required?: boolean | null;
  decision?: 'rebooting' | 'not_required' | 'not_allowed' | 'skipped' | null;
  reason?: string | null;
  kernel_before?: string | null;
  status?: 'rebooting' | 'host_back' | null;
  kernel_after?: string | null;
  new_kernel?: boolean | null;
  booted_at?: string | null;
  host_back_at?: string | null;
}

export interface PolicySnapshot {
  policy_id?: string | null;
  name: string;
  patch_delay_type: PatchDelayType;
  delay_minutes?: number | null;
  fixed_time?: string | null;
  timezone?: string | null;
  reboot_policy?: RebootPolicy | null;
  pre_hooks?: string[] | null;
  post_hooks?: string[] | null;
  post_reboot_hooks?: string[] | null;
  window?: MaintenanceWindow | null;
}

export interface AffectedPackage {
  name: string;
  version?: string | null;
  action?: string | null;
}

/** GET /patching/runs/{id}: the list view plus its output, packages affected, policy snapshot and host. */
export interface PatchRunDetail extends PatchRun {
  policy_id: string | null;
  policy_snapshot: PolicySnapshot | null;
  packages_affected: AffectedPackage[] | null;
  shell_output: string;
  /** The number of the last output chunk stored (the live log's chunks carry the next ones). */
  output_seq: number;
  output_truncated: boolean | null;
  cancelled_by: string | null;
  /** The hold patterns the run keeps back (its host's holds when it was created or approved). */
  exclude_packages?: string[] | null;
  /** The post-reboot hooks' output and error, once the host is back. */
  post_reboot_output?: string | null;
  post_reboot_error?: string | null;
  /** After a completed run: the host's next inventory report is awaited, or has arrived. */
  post_patch: 'awaiting_report' | 'report_received' | null;
  host: { id: string; friendly_name?: string | null; hostname?: string | null; last_report_at?: string | null; exists: boolean };
}

export interface RunsPage {
  items: PatchRun[];
  next_cursor: string | null;
}

/** GET /patching/runs filters: a status (or `active`: queued + running), a type, one host, one rollout. */
export interface RunsQuery {
  status?: string | undefined;
  type?: PatchType | undefined;
  host_id?: string | undefined;
  rollout_id?: string | undefined;
}

/** GET /patching/dashboard: counts by status (plus `total` and `active`) and the latest runs. */
export interface PatchingDashboard {
  totals: Record<string, number>;
  recent: PatchRun[];
}

/** A rollout's limit: a number of hosts (≥ 1), or a percentage of the rollout's hosts, "1%" to "100%". */
export type RolloutLimit = number | `${number}%`;

/**
 * How the runs of one trigger or window opening roll out (schemas.py RolloutSpec): at most `max_concurrency` at once
 * (none: all at once), stopped after `max_errors` failed runs (none: never), optionally a first ring (a host group, or
 * hosts) that must reach `ring_success_threshold`% of successes (1–100, default 100) before the rest start.
 */
export interface RolloutSpec {
  max_concurrency?: RolloutLimit | null;
  max_errors?: RolloutLimit | null;
  first_ring_group_id?: string | null;
  first_ring_host_ids?: string[] | null;
  ring_success_threshold?: number;
}

/** POST /patching/trigger body: one run per host. */
export interface TriggerRequest {
  host_ids: string[];
  patch_type: PatchType;
  package_names?: string[];
  dry_run?: boolean;
  pending_approval?: boolean;
  schedule_override?: 'immediate';
  /** Not with dry_run or pending_approval (module patching_policies): the runs start now, as the limits allow. */
  rollout?: RolloutSpec;
}

export interface TriggeredRun {
  patch_run_id: string;
  host_id: string;
  host_name: string | null;
  status: PatchRunStatus;
  run_at: string | null;
}

export interface TriggerResult {
  message: string;
  runs: TriggeredRun[];
  /** With a rollout: the rollout its runs belong to. */
  rollout_id?: string;
}

export type RolloutStatus = 'running' | 'completed' | 'stopped';

/** One ring's size and how its runs ended (the first ring, then the rest; one ring without a first ring). */
export interface RolloutRing {
  size: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** GET /patching/rollouts/{id} and the items of GET /patching/rollouts (rollouts.py view()); limits made absolute. */
export interface Rollout {
  id: string;
  status: RolloutStatus | (string & {});
  total: number;
  /** Runs at once (a percentage was made a number of hosts; all of them without a limit). */
  max_concurrency: number;
  /** Failed runs that stop the rollout; null: never stops on failures. */
  max_errors: number | null;
  ring_success_threshold: number;
  /** 0: the first ring (or the only one), 1: the rest. */
  current_ring: number;
  in_flight: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  waiting: number;
  stop_reason: string | null;
  stopped_by: string | null;
  created_at: string | null;
  completed_at: string | null;
  source: 'trigger' | 'window' | (string & {}) | null;
  policy_id?: string | null;
  policy_name: string | null;
  initiated_by: string | null;
  rings: RolloutRing[];
}

/** POST /patching/rollouts/{id}/stop (202): waiting runs cancelled, running ones stopped, queued ones deleted. */
export interface RolloutStopResult {
  message: string;
  cancelled: number;
  stopped: number;
  rollout: Rollout;
}

/** POST /patching/runs/{id}/approve answer: the new execution run. */
export interface ApproveResult {
  message: string;
  patch_run_id: string;
  validation_run_id: string;
  status: PatchRunStatus;
  run_at: string | null;
}

/** GET /patching/preview-run?host_id=: when a run triggered now on the host would fire, and by which policy. */
export interface RunPreview {
  host_id: string;
  host_name: string | null;
  run_at_iso: string;
  immediate: boolean;
  policy_id: string | null;
  policy_name: string;
  patch_delay_type: PatchDelayType;
  delay_minutes: number | null;
  fixed_time: string | null;
  timezone: string;
}

export type PatchDelayType = 'immediate' | 'delayed' | 'fixed_time' | 'maintenance_window';

export type Weekday = 'SUN' | 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT';

/**
 * A maintenance window (schemas.py WindowSpec): weekdays and "HH:MM", or an EventBridge `cron(...)`, in the policy's
 * timezone; it lasts `duration_minutes` (15–1440) and patches everything or only security updates; `warn_minutes`
 * (0–1440, days and time only) before it opens an event warns of it; paused, it opens no more.
 */
export interface MaintenanceWindow {
  days?: Weekday[] | null;
  time?: string | null;
  cron?: string | null;
  duration_minutes: number;
  operation: 'patch_all' | 'security';
  warn_minutes: number;
  paused: boolean;
  /** Each opening's runs roll out so (absent: the server did not say). */
  rollout?: RolloutSpec | null;
}

export interface PatchPolicy {
  id: string;
  name: string;
  description: string | null;
  patch_delay_type: PatchDelayType;
  delay_minutes: number | null;
  /** "HH:MM" in `timezone` (or the organisation's when empty). */
  fixed_time: string | null;
  timezone: string | null;
  /** Beyond PatchMon; absent from an older server (read as never / no hooks / no window). */
  reboot_policy?: RebootPolicy;
  pre_hooks?: string[];
  post_hooks?: string[];
  post_reboot_hooks?: string[];
  window?: MaintenanceWindow | null;
  assignment_count: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface PolicyAssignment {
  id: string;
  target_type: 'host' | 'host_group';
  target_id: string;
  target_name: string | null;
  created_at: string;
}

export interface PolicyExclusion {
  host_id: string;
  host_name: string | null;
  created_at: string;
}

export interface PatchPolicyDetail extends PatchPolicy {
  assignments: PolicyAssignment[];
  exclusions: PolicyExclusion[];
}

/** The body of POST /patching/policies and PUT /patching/policies/{id}. */
export interface PolicyWrite {
  name: string;
  description: string | null;
  patch_delay_type: PatchDelayType;
  delay_minutes: number | null;
  fixed_time: string | null;
  /** null: the organisation's timezone. */
  timezone: string | null;
  reboot_policy: RebootPolicy;
  /** One-line shell commands, at most 10 each, ≤ 1,024 characters; run as root around real runs, never in a dry run. */
  pre_hooks: string[];
  post_hooks: string[];
  post_reboot_hooks: string[];
  /** Only with `maintenance_window`: `{days, time}` or `{cron}`, with the rest. */
  window: MaintenanceWindow | null;
}

/** A package hold (holds.py): packages whose names match `pattern` (`*`, `?`; case-sensitive) are kept back. */
export interface PackageHold {
  id: string;
  target_type: 'host' | 'host_group';
  target_id: string;
  pattern: string;
  reason: string | null;
  created_by: string | null;
  created_at: string | null;
}

/** GET /patching/holds: a host's (its own and its groups'), a group's, or (neither) the organisation's. */
export interface HoldsQuery {
  host_id?: string | undefined;
  group_id?: string | undefined;
}

export interface HoldCreate {
  target_type: 'host' | 'host_group';
  target_id: string;
  pattern: string;
  reason: string | null;
}

export interface WsTicket {
  ticket: string;
  expires_at: string;
}

const run = (id: string, suffix = '') => `/patching/runs/${encodeURIComponent(id)}${suffix}`;
const policy = (id: string, suffix = '') => `/patching/policies/${encodeURIComponent(id)}${suffix}`;

export const patchingApi = {
  dashboard: (signal?: AbortSignal) => api.get<PatchingDashboard>('/patching/dashboard', { signal }),
  /** The counts only (the main dashboard's cards): no read of the latest runs. */
  counts: (signal?: AbortSignal) => api.get<Pick<PatchingDashboard, 'totals'>>('/patching/dashboard?recent=false', { signal }),
  runs: (query: RunsQuery, cursor: string | null, limit: number, signal?: AbortSignal) =>
    api.get<RunsPage>('/patching/runs', {
      query: { status: query.status, type: query.type, host_id: query.host_id, rollout_id: query.rollout_id, limit, cursor }, signal,
    }),
  run: (id: string, signal?: AbortSignal) => api.get<PatchRunDetail>(run(id), { signal }),
  trigger: (body: TriggerRequest) => api.post<TriggerResult>('/patching/trigger', body),
  approve: (id: string, scheduleOverride?: 'immediate') =>
    api.post<ApproveResult>(run(id, '/approve'), scheduleOverride ? { schedule_override: scheduleOverride } : {}),
  retryValidation: (id: string) => api.post<{ message: string }>(run(id, '/retry-validation')),
  stop: (id: string) => api.post<{ message: string }>(run(id, '/stop')),
  remove: (id: string) => api.delete<{ message: string }>(run(id)),
  preview: (hostId: string, signal?: AbortSignal) => api.get<RunPreview>('/patching/preview-run', { query: { host_id: hostId }, signal }),

  policies: (signal?: AbortSignal) => api.get<{ items: PatchPolicy[] }>('/patching/policies', { signal }),
  policy: (id: string, signal?: AbortSignal) => api.get<PatchPolicyDetail>(policy(id), { signal }),
  createPolicy: (body: PolicyWrite) => api.post<PatchPolicy>('/patching/policies', body),
  updatePolicy: (id: string, body: PolicyWrite) => api.put<PatchPolicy>(policy(id), body),
  removePolicy: (id: string) => api.delete<{ message: string }>(policy(id)),
  addAssignment: (id: string, body: { target_type: 'host' | 'host_group'; target_id: string }) =>
    api.post<PolicyAssignment>(policy(id, '/assignments'), body),
  removeAssignment: (id: string, assignmentId: string) => api.delete<{ message: string }>(policy(id, `/assignments/${encodeURIComponent(assignmentId)}`)),
  addExclusion: (id: string, hostId: string) => api.post<PolicyExclusion>(policy(id, '/exclusions'), { host_id: hostId }),
  removeExclusion: (id: string, hostId: string) => api.delete<{ message: string }>(policy(id, `/exclusions/${encodeURIComponent(hostId)}`)),

  holds: (query: HoldsQuery, signal?: AbortSignal) =>
    api.get<{ items: PackageHold[] }>('/patching/holds', { query: { host_id: query.host_id, group_id: query.group_id }, signal }),
  createHold: (body: HoldCreate) => api.post<PackageHold>('/patching/holds', body),
  removeHold: (id: string) => api.delete<{ message: string }>(`/patching/holds/${encodeURIComponent(id)}`),

  rollouts: (signal?: AbortSignal) => api.get<{ items: Rollout[] }>('/patching/rollouts', { signal }),
  rollout: (id: string, signal?: AbortSignal) => api.get<Rollout>(`/patching/rollouts/${encodeURIComponent(id)}`, { signal }),
  stopRollout: (id: string) => api.post<RolloutStopResult>(`/patching/rollouts/${encodeURIComponent(id)}/stop`),

  /** A one-time ticket (30 s) for one browser WebSocket connection (chalicelib/realtime/routes.py). */
  wsTicket: () => api.post<WsTicket>('/ws/tickets'),
};

/** The browser WebSocket's address on this origin (`/api/v1/ws`, as infra/definition.py WEBSOCKET_PATHS), with the ticket. */
export function webSocketUrl(ticket: string, location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${api.url('/ws', { ticket })}`;
}

export const patchingKeys = {
  all: ['patching'] as const,
  dashboard: ['patching', 'dashboard'] as const,
  /** The counts alone (the main dashboard's cards), a different answer from `dashboard`. */
  counts: ['patching', 'dashboard', 'counts'] as const,
  /** Every runs list (a prefix). */
  runLists: ['patching', 'runs', 'list'] as const,
  runs: (query: RunsQuery, limit: number) => ['patching', 'runs', 'list', query, limit] as const,
  run: (id: string) => ['patching', 'runs', 'detail', id] as const,
  /** The Timing step's previews of several hosts (one query). */
  previews: (hostIds: string[]) => ['patching', 'previews', hostIds] as const,
  /** The wizard's dry runs (one query polling them all). */
  dryRuns: (runIds: string[]) => ['patching', 'dry-runs', runIds] as const,
  /** The hosts that need a package's update (the wizard's Hosts step). */
  packageHosts: (name: string) => ['patching', 'package-hosts', name] as const,
  policies: ['patching', 'policies'] as const,
  policy: (id: string) => ['patching', 'policies', id] as const,
  /** Every holds list (a prefix). */
  allHolds: ['patching', 'holds'] as const,
  holds: (query: HoldsQuery) => ['patching', 'holds', query] as const,
  /** The latest rollouts (the Rollouts tab). */
  rollouts: ['patching', 'rollouts', 'list'] as const,
  rollout: (id: string) => ['patching', 'rollouts', 'detail', id] as const,
};
