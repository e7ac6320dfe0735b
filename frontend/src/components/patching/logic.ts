/**
 * The pure rules of patching screens shared by the Patching page, a host's Patching tab and a package's page: how
 * statuses read, which actions a run offers, when a run is polled, and how a policy's timing reads.
 */
import { ApiError } from '../../api/errors';
import type { AffectedPackage, PatchRun, PatchRunDetail, RunPreview, RunsQuery } from '../../api/patching';

export const STATUS_LABEL: Record<string, string> = {
  pending_validation: 'Pending validation',
  pending_approval: 'Pending approval',
  validated: 'Validated',
  approved: 'Approved',
  scheduled: 'Scheduled',
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  dry_run_completed: 'Dry run completed',
  timed_out: 'Timed out',
  agent_disconnected: 'Agent disconnected',
};

const STATUS_COLOR: Record<string, string> = {
  pending_validation: 'yellow',
  pending_approval: 'grape',
  validated: 'cyan',
  approved: 'teal',
  scheduled: 'indigo',
  queued: 'blue',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'gray',
  dry_run_completed: 'teal',
  timed_out: 'orange',
  agent_disconnected: 'orange',
};

export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status.replace(/_/g, ' ');
}

export function statusColor(status: string): string {
  return STATUS_COLOR[status] ?? 'gray';
}

/** The Runs & History status filter (C11.7): `active` is queued + running. */
export const STATUS_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'awaiting_approval', label: 'Awaiting approval' },
  { value: 'queued', label: 'Queued' },
  { value: 'pending_validation', label: 'Pending validation' },
  { value: 'pending_approval', label: 'Pending approval' },
  { value: 'validated', label: 'Validated (awaiting approval)' },
  { value: 'approved', label: 'Approved' },
  { value: 'scheduled', label: 'Scheduled' },
  { value: 'running', label: 'Running' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'timed_out', label: 'Timed out' },
  { value: 'agent_disconnected', label: 'Agent disconnected' },
];

export const TYPE_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'patch_all', label: 'Patch all' },
  { value: 'patch_package', label: 'Patch package' },
];

/** Statuses the run will not leave by itself (the server's TERMINAL): no live log, no polling. */
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'dry_run_completed', 'timed_out', 'agent_disconnected', 'validated', 'approved']);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** Where a run's page is. */
export function runHref(id: string): string {
  return `/patching/runs/${encodeURIComponent(id)}`;
}

/** The Runs & History tab, filtered. */
export function runsHref(filters: { status?: string; type?: string } = {}): string {
  const params = new URLSearchParams({ tab: 'runs' });
  if (filters.status) params.set('status', filters.status);
  if (filters.type) params.set('type', filters.type);
  return `/patching?${params.toString()}`;
}

/** The host's name as the run knows it: friendly name, else hostname, else its id. */
export function runHostName(run: Pick<PatchRun, 'host_id' | 'host_name'> & { host?: PatchRunDetail['host'] }): string {
  return run.host?.friendly_name || run.host_name || run.host?.hostname || run.host_id;
}

/** "Patch all", or the packages compactly: "curl, openssl" / "curl, openssl +3 more". */
export function runTypeLabel(run: Pick<PatchRun, 'patch_type' | 'package_names'>, shown = 2): string {
  if (run.patch_type === 'patch_all') return 'Patch all';
  const names = run.package_names;
  if (names.length === 0) return 'Patch package';
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} +${names.length - shown} more` : head;
}

/** The Started column (C11.3): started_at; else the time it is scheduled for; else when it was created. */
export function startedAt(run: Pick<PatchRun, 'started_at' | 'scheduled_at' | 'created_at'>): { iso: string | null; kind: 'started' | 'scheduled' | 'created' } {
  if (run.started_at) return { iso: run.started_at, kind: 'started' };
  if (run.scheduled_at) return { iso: run.scheduled_at, kind: 'scheduled' };
  return { iso: run.created_at, kind: 'created' };
}

export type RunAction = 'retry' | 'skip' | 'approve' | 'delete' | 'view';

/**
 * The buttons of a run's row (C11.9): pending validation → Retry (patch_package), Skip & patch; pending approval or
 * validated → Approve; any run not started yet → Delete; always View. Writers only (can_manage_patching).
 */
export function rowActions(run: Pick<PatchRun, 'status' | 'patch_type' | 'deletable'>, canManage: boolean): RunAction[] {
  const actions: RunAction[] = [];
  if (canManage) {
    if (run.status === 'pending_validation') {
      if (run.patch_type === 'patch_package') actions.push('retry');
      actions.push('skip');
    }
    if (run.status === 'pending_approval' || run.status === 'validated') actions.push('approve');
    if (run.deletable) actions.push('delete');
  }
  actions.push('view');
  return actions;
}

/** The two selection sets of Runs & History (C11.10), independent of each other. */
export type BulkSet = 'delete' | 'approve';

/**
 * Whether a run can join a selection set: delete takes the runs not started yet (the server's `deletable`), approve
 * those awaiting a decision — validated, pending validation, pending approval (the server's `approvable`).
 */
export function bulkEligible(run: Pick<PatchRun, 'deletable' | 'approvable'>, set: BulkSet): boolean {
  return set === 'delete' ? run.deletable : run.approvable;
}

/** A bulk action's banner title (C11.10): "Approved 5", "Approved 5, 1 failed", "Deleted 0, 2 failed". */
export function bulkResultTitle(verb: string, done: number, failed: number): string {
  return `${verb} ${done}${failed > 0 ? `, ${failed} failed` : ''}`;
}

/** How often a run's page asks for it again (C11.13); false: not at all. */
export function runPollInterval(run: Pick<PatchRunDetail, 'status' | 'post_patch'> | undefined, socketOpen: boolean): number | false {
  if (!run) return false;
  if (run.status === 'queued' || run.status === 'pending_validation') return 3_000;
  if (run.status === 'running') return socketOpen ? 5_000 : 3_000;
  if (run.status === 'completed' && run.post_patch === 'awaiting_report') return 3_000;
  return false;
}

/** Packages a dry run would change beyond those requested (its "Extra deps"). */
export function extraDeps(requested: readonly string[], affected: readonly AffectedPackage[] | null | undefined): Set<string> {
  const asked = new Set(requested);
  return new Set((affected ?? []).map((p) => p.name).filter((name) => !asked.has(name)));
}

function wallClock(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(new Date(iso));
  }
}

/** "Runs immediately", or "Runs at 03:00 Europe/London via Nightly" (C10.10). */
export function previewLabel(preview: Pick<RunPreview, 'immediate' | 'run_at_iso' | 'timezone' | 'policy_name' | 'patch_delay_type' | 'fixed_time'>): string {
  if (preview.immediate) return 'Runs immediately';
  const time = preview.patch_delay_type === 'fixed_time' && preview.fixed_time ? preview.fixed_time : wallClock(preview.run_at_iso, preview.timezone);
  return `Runs at ${time} ${preview.timezone} via ${preview.policy_name}`;
}

/** A policy's timing in words: "Immediate", "Delayed 30 min", "Fixed time 03:00 Europe/London". */
export function scheduleLabel(policy: { patch_delay_type: string; delay_minutes?: number | null; fixed_time?: string | null; timezone?: string | null }): string {
  if (policy.patch_delay_type === 'delayed') return `Delayed ${policy.delay_minutes ?? '?'} min`;
  if (policy.patch_delay_type === 'fixed_time') return `Fixed time ${policy.fixed_time ?? '?'} ${policy.timezone || '(organisation timezone)'}`;
  return 'Immediate';
}

/** The runs list query of a host's runs, or of the fleet's (for hrefs and keys). */
export function runsQuery(filters: RunsQuery): RunsQuery {
  return { status: filters.status || undefined, type: filters.type || undefined, host_id: filters.host_id || undefined };
}

/** The API's 403 for a feature outside the organisation's plan (the session's module list may be older). */
export function isModuleUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && error.code === 'module_not_available';
}
