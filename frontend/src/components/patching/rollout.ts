/**
 * Rollouts (docs/patching.md "Rollouts"): the rules of the rollout fields the Patch Wizard and a maintenance window's
 * form share (what a valid limit is, what is sent), and how a rollout's progress reads. Pure and unit-tested.
 */
import type { Rollout, RolloutLimit, RolloutRing, RolloutSpec } from '../../api/patching';
import { plural } from '../format';

export type FirstRing = 'none' | 'group' | 'hosts';

/** The rollout fields as typed (strings, as inputs hold them); `enabled` false: no rollout. */
export interface RolloutValues {
  enabled: boolean;
  /** "At most N hosts at once": a number or "N%"; empty: no limit (all at once, within each ring). */
  max_concurrency: string;
  /** "Stop after M failures": a number or "M%"; empty: never stop on failures. */
  max_errors: string;
  first_ring: FirstRing;
  first_ring_group_id: string;
  first_ring_host_ids: string[];
  /** 1–100: the first ring's success rate the rest wait for. */
  ring_success_threshold: string;
}

export type RolloutField = keyof Omit<RolloutValues, 'first_ring'> | 'first_ring';
export type RolloutProblems = Partial<Record<RolloutField, string>>;

export const DEFAULT_RING_THRESHOLD = 100;
/** A count above this is a typing mistake (a rollout has at most a fleet's hosts). */
const MAX_COUNT = 100_000;

export const ROLLOUT_DEFAULTS: RolloutValues = {
  enabled: false,
  max_concurrency: '25%',
  max_errors: '1',
  first_ring: 'none',
  first_ring_group_id: '',
  first_ring_host_ids: [],
  ring_success_threshold: String(DEFAULT_RING_THRESHOLD),
};

export type LimitParse = { ok: true; value: RolloutLimit | null } | { ok: false; message: string };

/** "5" → 5, "25%" (or "25 %") → "25%", "" → null (no limit); anything else, 0, or more than 100% is refused. */
export function parseLimit(text: string): LimitParse {
  const value = text.replace(/\s+/g, '');
  if (!value) return { ok: true, value: null };
  if (/^\d+%$/.test(value)) {
    const percent = Number(value.slice(0, -1));
    if (percent < 1 || percent > 100) return { ok: false, message: 'A percentage is from 1% to 100%' };
    return { ok: true, value: `${percent}%` as const };
  }
  if (/^\d+$/.test(value)) {
    const count = Number(value);
    if (count < 1) return { ok: false, message: 'Enter at least 1' };
    if (count > MAX_COUNT) return { ok: false, message: `Enter at most ${MAX_COUNT.toLocaleString('en')}` };
    return { ok: true, value: count };
  }
  return { ok: false, message: 'Enter a whole number (e.g. 5) or a percentage (e.g. 25%)' };
}

function wholeIn(text: string, min: number, max: number): boolean {
  return /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;
}

export interface RolloutContext {
  /** The hosts the rollout is for (the wizard's); the first ring is chosen among them. */
  hostIds?: readonly string[] | undefined;
  /** The most hosts one rollout takes (a trigger's limit), when known. */
  maxHosts?: number | undefined;
}

/** The first ring's hosts that are in the rollout, in the rollout's order (all of them when its hosts are unknown). */
function ringHosts(values: RolloutValues, context: RolloutContext): string[] {
  if (!context.hostIds) return values.first_ring_host_ids;
  const chosen = new Set(values.first_ring_host_ids);
  return context.hostIds.filter((id) => chosen.has(id));
}

/** What is wrong with the rollout fields, by field; nothing when the rollout is off. */
export function rolloutProblems(values: RolloutValues, context: RolloutContext = {}): RolloutProblems {
  if (!values.enabled) return {};
  const problems: RolloutProblems = {};
  const hostCount = context.hostIds?.length;
  if (context.maxHosts !== undefined && hostCount !== undefined && hostCount > context.maxHosts) {
    problems.enabled = `A rollout takes at most ${context.maxHosts} hosts; choose fewer hosts`;
  }
  const concurrency = parseLimit(values.max_concurrency);
  if (!concurrency.ok) problems.max_concurrency = concurrency.message;
  const errors = parseLimit(values.max_errors);
  if (!errors.ok) problems.max_errors = errors.message;
  if (values.first_ring === 'group' && !values.first_ring_group_id) problems.first_ring_group_id = 'Choose a host group';
  if (values.first_ring === 'hosts') {
    const ring = ringHosts(values, context);
    if (ring.length === 0) problems.first_ring_host_ids = 'Choose at least one host for the first ring';
    else if (hostCount !== undefined && ring.length >= hostCount) problems.first_ring_host_ids = 'Leave some hosts for after the first ring';
  }
  if (values.first_ring !== 'none' && !wholeIn(values.ring_success_threshold, 1, 100)) {
    problems.ring_success_threshold = 'Enter a whole percentage from 1 to 100';
  }
  if (concurrency.ok && errors.ok && concurrency.value === null && errors.value === null && values.first_ring === 'none') {
    problems.max_concurrency = 'Set how many hosts at once, when to stop, or a first ring';
  }
  return problems;
}

export function hasProblems(problems: RolloutProblems): boolean {
  return Object.values(problems).some(Boolean);
}

/** The request's `rollout` (numbers as numbers, percentages as "25%"), or null when the rollout is off. */
export function toRolloutSpec(values: RolloutValues, context: RolloutContext = {}): RolloutSpec | null {
  if (!values.enabled) return null;
  const spec: RolloutSpec = {};
  const concurrency = parseLimit(values.max_concurrency);
  if (concurrency.ok && concurrency.value !== null) spec.max_concurrency = concurrency.value;
  const errors = parseLimit(values.max_errors);
  if (errors.ok && errors.value !== null) spec.max_errors = errors.value;
  if (values.first_ring === 'group') spec.first_ring_group_id = values.first_ring_group_id;
  if (values.first_ring === 'hosts') spec.first_ring_host_ids = ringHosts(values, context);
  if (values.first_ring !== 'none') spec.ring_success_threshold = Number(values.ring_success_threshold.trim());
  return spec;
}

/** A stored rollout (a window's) back into the fields; none: the defaults, off. */
export function rolloutValues(spec: RolloutSpec | null | undefined): RolloutValues {
  if (!spec) return { ...ROLLOUT_DEFAULTS, first_ring_host_ids: [] };
  let ring: FirstRing = 'none';
  if (spec.first_ring_group_id) ring = 'group';
  else if (spec.first_ring_host_ids?.length) ring = 'hosts';
  return {
    enabled: true,
    max_concurrency: spec.max_concurrency === null || spec.max_concurrency === undefined ? '' : String(spec.max_concurrency),
    max_errors: spec.max_errors === null || spec.max_errors === undefined ? '' : String(spec.max_errors),
    first_ring: ring,
    first_ring_group_id: spec.first_ring_group_id ?? '',
    first_ring_host_ids: spec.first_ring_host_ids ?? [],
    ring_success_threshold: String(spec.ring_success_threshold ?? DEFAULT_RING_THRESHOLD),
  };
}

function hostsText(limit: RolloutLimit): string {
  return typeof limit === 'number' ? plural(limit, 'host') : `${limit} of the hosts`;
}

/** A window's rollout in words: "2 hosts at a time · stops after 1 failed run · first ring first (90%)". */
export function rolloutSpecLabel(spec: RolloutSpec): string {
  const parts = [spec.max_concurrency ? `${hostsText(spec.max_concurrency)} at a time` : 'no limit at a time'];
  if (spec.max_errors) parts.push(`stops after ${typeof spec.max_errors === 'number' ? plural(spec.max_errors, 'failed run') : `${spec.max_errors} failed`}`);
  if (spec.first_ring_group_id || spec.first_ring_host_ids?.length) parts.push(`first ring first (${spec.ring_success_threshold ?? DEFAULT_RING_THRESHOLD}%)`);
  return parts.join(' · ');
}

// --- a rollout's progress --------------------------------------------------------------------------------------

export function rolloutHref(id: string): string {
  return `/patching/rollouts/${encodeURIComponent(id)}`;
}

export const ROLLOUTS_HREF = '/patching?tab=rollouts';

const ROLLOUT_STATUS: Record<string, { label: string; color: string }> = {
  running: { label: 'Running', color: 'blue' },
  completed: { label: 'Completed', color: 'green' },
  stopped: { label: 'Stopped', color: 'orange' },
};

export function rolloutStatusLabel(status: string): string {
  return ROLLOUT_STATUS[status]?.label ?? status;
}

export function rolloutStatusColor(status: string): string {
  return ROLLOUT_STATUS[status]?.color ?? 'gray';
}

/** A running rollout's page (and its runs) is asked for again every 5 s; an ended one is not. */
export const ROLLOUT_POLL_MS = 5_000;

export function rolloutPollInterval(rollout: Pick<Rollout, 'status'> | undefined): number | false {
  return rollout?.status === 'running' ? ROLLOUT_POLL_MS : false;
}

export interface ProgressPart {
  key: 'succeeded' | 'failed' | 'cancelled' | 'in_flight' | 'waiting';
  label: string;
  value: number;
  /** Of the rollout's hosts, 0–100. */
  percent: number;
  color: string;
}

function percentOf(value: number, total: number): number {
  return total > 0 ? (100 * value) / total : 0;
}

export type ProgressCounts = Pick<Rollout, 'total' | 'succeeded' | 'failed' | 'cancelled' | 'in_flight' | 'waiting'>;

/** The progress bar's parts, in order: succeeded, failed, cancelled, in flight, waiting. */
export function progressParts(rollout: ProgressCounts): ProgressPart[] {
  const parts: Omit<ProgressPart, 'percent'>[] = [
    { key: 'succeeded', label: 'Succeeded', value: rollout.succeeded, color: 'green' },
    { key: 'failed', label: 'Failed', value: rollout.failed, color: 'red' },
    { key: 'cancelled', label: 'Cancelled', value: rollout.cancelled, color: 'gray' },
    { key: 'in_flight', label: 'In flight', value: rollout.in_flight, color: 'blue' },
    { key: 'waiting', label: 'Waiting', value: rollout.waiting, color: 'gray.3' },
  ];
  return parts.map((part) => ({ ...part, percent: percentOf(part.value, rollout.total) }));
}

/** Runs that have ended (succeeded, failed or cancelled). */
export function endedCount(counts: Pick<RolloutRing, 'succeeded' | 'failed' | 'cancelled'>): number {
  return counts.succeeded + counts.failed + counts.cancelled;
}

/** A ring's runs as the bar counts them: the server does not tell a ring's in-flight runs from its waiting ones. */
export function ringCounts(ring: RolloutRing): ProgressCounts {
  return { total: ring.size, succeeded: ring.succeeded, failed: ring.failed, cancelled: ring.cancelled, in_flight: 0, waiting: Math.max(0, ring.size - endedCount(ring)) };
}

/** The ring's success rate as the server judges it: succeeded runs of the ring's hosts, 0–100, rounded. */
export function ringSuccessRate(ring: RolloutRing): number {
  return ring.size > 0 ? Math.round((100 * ring.succeeded) / ring.size) : 0;
}

/** "First ring" and "The rest" with a first ring; "Every host" without. */
export function ringName(index: number, count: number): string {
  if (count <= 1) return 'Every host';
  return index === 0 ? 'First ring' : 'The rest';
}

/** Where a ring stands: in progress, waiting for the first ring, done; null once the rollout has ended. */
export function ringState(rollout: Pick<Rollout, 'status' | 'current_ring'>, index: number): string | null {
  if (rollout.status !== 'running') return null;
  if (index < rollout.current_ring) return 'Done';
  if (index === rollout.current_ring) return 'In progress';
  return 'Waits for the first ring';
}

/** "Triggered by root", "Maintenance window Weekend". */
export function rolloutSource(rollout: Pick<Rollout, 'source' | 'policy_name' | 'initiated_by'>): string {
  if (rollout.source === 'window') return `Maintenance window ${rollout.policy_name ?? ''}`.trim();
  return rollout.initiated_by ? `Triggered by ${rollout.initiated_by}` : 'Triggered';
}

/** "2 hosts at a time" and "Stops after 3 failed runs" / "Never stops on failures", from the server's absolute limits. */
export function rolloutLimits(rollout: Pick<Rollout, 'max_concurrency' | 'max_errors' | 'total'>): { concurrency: string; errors: string } {
  const concurrency = rollout.max_concurrency >= rollout.total ? `All ${plural(rollout.total, 'host')} at once` : `${plural(rollout.max_concurrency, 'host')} at a time`;
  const errors = rollout.max_errors === null ? 'Never stops on failures' : `Stops after ${plural(rollout.max_errors, 'failed run')}`;
  return { concurrency, errors };
}

/** "Stopped by root", "Stopped after 2 failed runs (the limit is 2)": the server's reason as a sentence. */
export function stopReasonSentence(reason: string): string {
  const text = reason.trim();
  return text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : 'Stopped';
}

/** The toast after Stop rollout: "Rollout stopped: 4 waiting runs cancelled, 2 runs stopped". */
export function stopResultMessage(result: { cancelled: number; stopped: number }): string {
  const parts = [`${plural(result.cancelled, 'waiting run')} cancelled`];
  if (result.stopped > 0) parts.push(`${plural(result.stopped, 'run')} stopped`);
  return `Rollout stopped: ${parts.join(', ')}`;
}
