/**
 * The pure rules of patching screens shared by the Patching page, a host's Patching tab and a package's page: how
 * statuses read, which actions a run offers, when a run is polled, and how a policy's timing reads.
 */
import { ApiError } from '../../api/errors';
import type { AffectedPackage, MaintenanceWindow, PatchRun, PatchRunDetail, RunPreview, RunReboot, RunsQuery, Weekday } from '../../api/patching';
import { formatTime } from '../format';

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
  waiting: 'Waiting',
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
  waiting: 'violet',
};

export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status.replace(/_/g, ' ');
}

export function statusColor(status: string): string {
  return STATUS_COLOR[status] ?? 'gray';
}

/** The Runs & History status filter (C11.7): `active` is queued + running; `waiting` (a rollout's) needs `patching_policies`. */
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
  { value: 'waiting', label: 'Waiting' },
  { value: 'running', label: 'Running' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'timed_out', label: 'Timed out' },
  { value: 'agent_disconnected', label: 'Agent disconnected' },
];

/** The status filter's choices: without the `patching_policies` module there are no rollouts, so no waiting runs. */
export function statusFilters(withRollouts: boolean): { value: string; label: string }[] {
  return withRollouts ? STATUS_FILTERS : STATUS_FILTERS.filter((s) => s.value !== 'waiting');
}

/** A runs list polls faster while one of its runs is in one of these (it changes by itself soon). */
export const BUSY_STATUSES: ReadonlySet<string> = new Set(['queued', 'running', 'pending_validation', 'waiting']);

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

/** How often a run's page asks for it again (C11.13); false: not at all. A host rebooting after its run: every 10 s until it is back. */
export function runPollInterval(run: (Pick<PatchRunDetail, 'status' | 'post_patch'> & Pick<PatchRun, 'reboot'>) | undefined, socketOpen: boolean): number | false {
  if (!run) return false;
  if (run.status === 'queued' || run.status === 'pending_validation') return 3_000;
  if (run.status === 'waiting') return 5_000;
  if (run.status === 'running') return socketOpen ? 5_000 : 3_000;
  if (run.status === 'completed' && run.post_patch === 'awaiting_report') return 3_000;
  if (run.reboot?.decision === 'rebooting' && run.reboot.status !== 'host_back') return 10_000;
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

/** The next opening of a window in its timezone: "Sat 14 Mar, 02:00". */
function openingLabel(iso: string, timeZone: string): string {
  const options = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { ...options, timeZone }).formatToParts(new Date(iso));
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).formatToParts(new Date(iso));
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')}, ${part('hour')}:${part('minute')}`;
}

/**
 * "Runs immediately", or "Runs at 03:00 Europe/London via Nightly" (C10.10); a host patched by a maintenance window
 * waits for its next opening: "Waits for the Weekend window: Sat 14 Mar, 02:00 Europe/London".
 */
export function previewLabel(preview: Pick<RunPreview, 'immediate' | 'run_at_iso' | 'timezone' | 'policy_name' | 'patch_delay_type' | 'fixed_time'>): string {
  if (preview.immediate) return 'Runs immediately';
  if (preview.patch_delay_type === 'maintenance_window') {
    return `Waits for the ${preview.policy_name} window: ${openingLabel(preview.run_at_iso, preview.timezone)} ${preview.timezone}`;
  }
  const time = preview.patch_delay_type === 'fixed_time' && preview.fixed_time ? preview.fixed_time : wallClock(preview.run_at_iso, preview.timezone);
  return `Runs at ${time} ${preview.timezone} via ${preview.policy_name}`;
}

/** Weekdays as EventBridge names them, in the order the week is shown (Monday first). */
export const WEEK: { value: Weekday; label: string }[] = [
  { value: 'MON', label: 'Mon' }, { value: 'TUE', label: 'Tue' }, { value: 'WED', label: 'Wed' }, { value: 'THU', label: 'Thu' },
  { value: 'FRI', label: 'Fri' }, { value: 'SAT', label: 'Sat' }, { value: 'SUN', label: 'Sun' },
];

/** "Mon–Fri", "Sat, Sun", "Mon, Wed, Fri", "Every day": runs of three or more days read as a range. */
export function daysLabel(days: readonly string[]): string {
  const on = WEEK.map((d) => days.includes(d.value));
  if (on.every(Boolean)) return 'Every day';
  const parts: string[] = [];
  for (let i = 0; i < WEEK.length; i += 1) {
    if (!on[i]) continue;
    let end = i;
    while (end + 1 < WEEK.length && on[end + 1]) end += 1;
    const first = WEEK[i]?.label ?? '';
    const last = WEEK[end]?.label ?? '';
    if (end - i >= 2) parts.push(`${first}–${last}`);
    else parts.push(...WEEK.slice(i, end + 1).map((d) => d.label));
    i = end;
  }
  return parts.join(', ');
}

/** 180 → "3 h", 90 → "1 h 30 min", 45 → "45 min". */
export function durationLabel(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** "Sat, Sun at 02:00 Europe/London · 3 h · security only"; a cron window shows its expression. */
export function windowLabel(window: MaintenanceWindow, timezone?: string | null): string {
  const zone = timezone || '(organisation timezone)';
  const when = window.cron ? `${window.cron} ${zone}` : `${daysLabel(window.days ?? [])} at ${window.time ?? '?'} ${zone}`;
  const parts = [when, durationLabel(window.duration_minutes)];
  if (window.operation === 'security') parts.push('security only');
  return parts.join(' · ');
}

/** A policy's timing in words: "Immediate", "Delayed 30 min", "Fixed time 03:00 Europe/London", or its maintenance window. */
export function scheduleLabel(policy: {
  patch_delay_type: string; delay_minutes?: number | null; fixed_time?: string | null; timezone?: string | null; window?: MaintenanceWindow | null;
}): string {
  if (policy.patch_delay_type === 'delayed') return `Delayed ${policy.delay_minutes ?? '?'} min`;
  if (policy.patch_delay_type === 'fixed_time') return `Fixed time ${policy.fixed_time ?? '?'} ${policy.timezone || '(organisation timezone)'}`;
  if (policy.patch_delay_type === 'maintenance_window') return policy.window ? windowLabel(policy.window, policy.timezone) : 'Maintenance window';
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

/** What a 409 `package_held` says: the server's sentence and the held names (`{error, code, held}`); null otherwise. */
export function heldRefusal(error: unknown): { message: string; held: string[] } | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== 'package_held') return null;
  const held = Array.isArray(error.body.held) ? error.body.held.filter((name): name is string => typeof name === 'string') : [];
  return { message: error.message, held };
}

export interface RebootSummary {
  /** The panel's colour: blue while rebooting, green back, orange when a needed reboot was not allowed, gray otherwise. */
  color: 'blue' | 'green' | 'orange' | 'gray';
  title: string;
  /** Shown beneath the title: the agent's reason, the kernels. */
  details: string[];
}

const REBOOT_POLICY_LABEL: Record<string, string> = { never: 'Never', if_required: 'If required', always: 'Always' };

export function rebootPolicyLabel(policy: string | null | undefined): string {
  return REBOOT_POLICY_LABEL[policy ?? 'never'] ?? policy ?? 'Never';
}

/**
 * The run page's Reboot panel from `run.reboot`: "Rebooting…", "Host back at 12:03, new kernel 6.1.0-26 (was 6.1.0-25)",
 * "Reboot required but the policy says never", "No reboot needed", "Reboot skipped".
 */
export function rebootSummary(reboot: RunReboot): RebootSummary {
  const reason = reboot.reason ? [reboot.reason] : [];
  const policy = `Reboot policy: ${rebootPolicyLabel(reboot.policy)}`;
  switch (reboot.decision) {
    case 'rebooting': {
      if (reboot.status === 'host_back') {
        const at = reboot.host_back_at ?? reboot.booted_at;
        let title = at ? `Host back at ${formatTime(at)}` : 'Host back';
        if (reboot.kernel_after) {
          title += reboot.new_kernel === false || reboot.kernel_after === reboot.kernel_before
            ? `, same kernel ${reboot.kernel_after}`
            : `, new kernel ${reboot.kernel_after}${reboot.kernel_before ? ` (was ${reboot.kernel_before})` : ''}`;
        }
        return { color: 'green', title, details: [...reason, policy] };
      }
      return {
        color: 'blue', title: 'Rebooting…',
        details: [...reason, 'The host restarts after the run; the post-reboot hooks run when it is back.', policy],
      };
    }
    case 'not_allowed':
      return { color: 'orange', title: `Reboot required but the policy says ${(reboot.policy ?? 'never').replace(/_/g, ' ')}`, details: [...reason, 'Reboot the host yourself, or change the policy.'] };
    case 'not_required':
      return { color: 'gray', title: 'No reboot needed', details: [...reason, policy] };
    case 'skipped':
      return { color: 'gray', title: 'Reboot skipped', details: [...reason, policy] };
    default:
      return { color: 'gray', title: 'Reboot', details: [...reason, policy] };
  }
}

/** The runs table's reboot pill: a run that rebooted (or is rebooting) its host, or needed a reboot it was not allowed. */
export function rebootPill(reboot: RunReboot | null | undefined): { label: string; color: string; title: string } | null {
  if (!reboot) return null;
  if (reboot.decision === 'rebooting') {
    return reboot.status === 'host_back'
      ? { label: 'Rebooted', color: 'teal', title: 'The run rebooted the host; it is back' }
      : { label: 'Rebooting', color: 'blue', title: 'The run is rebooting the host' };
  }
  if (reboot.decision === 'not_allowed') return { label: 'Reboot required', color: 'orange', title: 'The host needs a reboot its policy does not allow' };
  return null;
}
