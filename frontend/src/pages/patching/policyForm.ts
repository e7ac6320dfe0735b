/**
 * The policy form (C10.3, C10.6, and docs/patching.md "Beyond PatchMon"): the server's PolicyWrite rules
 * (patching/schemas.py: the delay, the maintenance window and its rollout, the reboot policy and the hooks) checked
 * before sending, the request body, and where the server's "field: message" refusals go.
 */
import type { Path } from 'react-hook-form';
import { z } from 'zod/mini';

import type { MaintenanceWindow, PatchDelayType, PatchPolicy, PolicyWrite, RebootPolicy, Weekday } from '../../api/patching';
import { rolloutProblems, rolloutValues, toRolloutSpec } from '../../components/patching/rollout';

export const DELAY_TYPES: { value: PatchDelayType; label: string }[] = [
  { value: 'immediate', label: 'Immediate' },
  { value: 'delayed', label: 'Delayed (run after N minutes)' },
  { value: 'fixed_time', label: 'Fixed time (e.g. 03:00)' },
  { value: 'maintenance_window', label: 'Maintenance window' },
];

export const REBOOT_POLICIES: { value: RebootPolicy; label: string }[] = [
  { value: 'never', label: 'Never' },
  { value: 'if_required', label: 'If required' },
  { value: 'always', label: 'Always' },
];

export const OPERATIONS: { value: MaintenanceWindow['operation']; label: string }[] = [
  { value: 'patch_all', label: 'All updates' },
  { value: 'security', label: 'Security updates only' },
];

export type HookListName = 'pre_hooks' | 'post_hooks' | 'post_reboot_hooks';

export const HOOK_LISTS: { name: HookListName; label: string; one: string; description: string }[] = [
  { name: 'pre_hooks', label: 'Pre-patch hooks', one: 'pre-patch hook', description: 'Before the package operation; a failing one aborts the run.' },
  { name: 'post_hooks', label: 'Post-patch hooks', one: 'post-patch hook', description: 'After the package operation.' },
  { name: 'post_reboot_hooks', label: 'After-reboot hooks', one: 'after-reboot hook', description: 'When the host is back from the reboot.' },
];

/** EventBridge's weekday order (SUN first), which the server sorts the days into. */
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const satisfies readonly Weekday[];

export const MAX_HOOKS = 10;
export const MAX_HOOK_LENGTH = 1024;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const CRON = /^cron\([^()]+\)$/;
const MAX_CRON_LENGTH = 120;
const MAX_DELAY_MINUTES = 10_080;
export const DEFAULT_WINDOW_MINUTES = 180;

function wholeIn(text: string, min: number, max: number): boolean {
  return /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;
}

/** An EventBridge cron expression: `cron(minutes hours day-of-month month day-of-week year)`. */
export function cronProblem(text: string): string | null {
  const value = text.trim();
  if (!value) return 'Enter a cron expression, e.g. cron(0 2 ? * SAT,SUN *)';
  if (value.length > MAX_CRON_LENGTH) return `Use at most ${MAX_CRON_LENGTH} characters`;
  if (!CRON.test(value)) return 'Write it as cron(…), e.g. cron(0 2 ? * SAT,SUN *)';
  if (value.slice(5, -1).trim().split(/\s+/).length !== 6) return 'An EventBridge cron has six fields: minutes hours day-of-month month day-of-week year';
  return null;
}

const hook = z.object({
  command: z.string().check(
    z.refine((v) => v.trim().length > 0, 'Enter a command, or remove this hook'),
    z.maxLength(MAX_HOOK_LENGTH, 'Use at most 1,024 characters'),
    z.refine((v) => !/[\n\r\0]/.test(v), 'Write the command on one line'),
  ),
});
const hooks = z.array(hook).check(z.maxLength(MAX_HOOKS, `Add at most ${MAX_HOOKS} hooks`));

/** The window's "Roll out gradually" (rollout.ts RolloutValues; its rules are rolloutProblems'). */
const rolloutFields = z.object({
  enabled: z.boolean(),
  max_concurrency: z.string(),
  max_errors: z.string(),
  first_ring: z.enum(['none', 'group', 'hosts']),
  first_ring_group_id: z.string(),
  first_ring_host_ids: z.array(z.string()),
  ring_success_threshold: z.string(),
});

const windowFields = z.object({
  /** true: a cron expression instead of weekdays and a time. */
  advanced: z.boolean(),
  days: z.array(z.enum(WEEKDAYS)),
  time: z.string(),
  cron: z.string(),
  duration_minutes: z.string(),
  operation: z.enum(['patch_all', 'security']),
  warn_minutes: z.string(),
  paused: z.boolean(),
  rollout: rolloutFields,
});

const isWindow = (v: { patch_delay_type: string }) => v.patch_delay_type === 'maintenance_window';

export const policySchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1, 'Enter a name'), z.maxLength(100, 'Use at most 100 characters')),
  description: z.string().check(z.trim(), z.maxLength(500, 'Use at most 500 characters')),
  patch_delay_type: z.enum(['immediate', 'delayed', 'fixed_time', 'maintenance_window']),
  delay_minutes: z.string(),
  fixed_time: z.string(),
  timezone: z.string(),
  window: windowFields,
  reboot_policy: z.enum(['never', 'if_required', 'always']),
  pre_hooks: hooks,
  post_hooks: hooks,
  post_reboot_hooks: hooks,
}).check(
  z.refine((v) => v.patch_delay_type !== 'delayed' || wholeIn(v.delay_minutes, 1, MAX_DELAY_MINUTES),
    { path: ['delay_minutes'], error: `Enter a whole number of minutes from 1 to ${MAX_DELAY_MINUTES}` }),
  z.refine((v) => v.patch_delay_type !== 'fixed_time' || HHMM.test(v.fixed_time.trim()), { path: ['fixed_time'], error: 'Enter a time as HH:MM, e.g. 03:00' }),
  z.refine((v) => !isWindow(v) || v.window.advanced || v.window.days.length > 0, { path: ['window', 'days'], error: 'Choose at least one day' }),
  z.refine((v) => !isWindow(v) || v.window.advanced || HHMM.test(v.window.time.trim()), { path: ['window', 'time'], error: 'Enter a time as HH:MM, e.g. 02:00' }),
  z.superRefine((v, ctx) => {
    const problem = isWindow(v) && v.window.advanced ? cronProblem(v.window.cron) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['window', 'cron'], message: problem, input: v.window.cron });
  }),
  z.refine((v) => !isWindow(v) || wholeIn(v.window.duration_minutes, 15, 1440),
    { path: ['window', 'duration_minutes'], error: 'Enter a whole number of minutes from 15 to 1440' }),
  z.refine((v) => !isWindow(v) || v.window.advanced || wholeIn(v.window.warn_minutes, 0, 1440),
    { path: ['window', 'warn_minutes'], error: 'Enter a whole number of minutes from 0 to 1440' }),
  z.superRefine((v, ctx) => {
    if (!isWindow(v)) return;
    for (const [field, message] of Object.entries(rolloutProblems(v.window.rollout))) {
      if (message) ctx.addIssue({ code: 'custom', path: ['window', 'rollout', field], message, input: v.window.rollout });
    }
  }),
);

export type PolicyValues = z.infer<typeof policySchema>;

const commands = (list: string[] | null | undefined) => (list ?? []).map((command) => ({ command }));

export function policyDefaults(policy?: PatchPolicy | null): PolicyValues {
  const window = policy?.window;
  return {
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    patch_delay_type: policy?.patch_delay_type ?? 'immediate',
    delay_minutes: policy?.delay_minutes ? String(policy.delay_minutes) : '60',
    fixed_time: policy?.fixed_time ?? '03:00',
    timezone: policy?.timezone ?? '',
    window: {
      advanced: Boolean(window?.cron),
      days: window?.days ?? [],
      time: window?.time ?? '02:00',
      cron: window?.cron ?? '',
      duration_minutes: String(window?.duration_minutes || DEFAULT_WINDOW_MINUTES),
      operation: window?.operation ?? 'patch_all',
      warn_minutes: String(window?.warn_minutes ?? 0),
      paused: window?.paused ?? false,
      rollout: rolloutValues(window?.rollout),
    },
    reboot_policy: policy?.reboot_policy ?? 'never',
    pre_hooks: commands(policy?.pre_hooks),
    post_hooks: commands(policy?.post_hooks),
    post_reboot_hooks: commands(policy?.post_reboot_hooks),
  };
}

function toWindow(values: PolicyValues['window']): MaintenanceWindow {
  // No rollout: the key is left out (the window's runs start at once when it opens).
  const rollout = toRolloutSpec(values.rollout);
  const common = { duration_minutes: Number(values.duration_minutes), operation: values.operation, paused: values.paused, ...(rollout ? { rollout } : {}) };
  if (values.advanced) return { cron: values.cron.trim(), ...common, warn_minutes: 0 }; // a warning needs days and time
  const days = WEEKDAYS.filter((day) => values.days.includes(day));
  return { days, time: values.time.trim(), ...common, warn_minutes: Number(values.warn_minutes) };
}

/** The request body: only the fields of the chosen delay type; an empty timezone is the organisation's. */
export function toPolicyWrite(values: PolicyValues): PolicyWrite {
  return {
    name: values.name.trim(),
    description: values.description.trim() || null,
    patch_delay_type: values.patch_delay_type,
    delay_minutes: values.patch_delay_type === 'delayed' ? Number(values.delay_minutes) : null,
    fixed_time: values.patch_delay_type === 'fixed_time' ? values.fixed_time.trim() : null,
    timezone: values.timezone || null,
    reboot_policy: values.reboot_policy,
    pre_hooks: values.pre_hooks.map((h) => h.command.trim()),
    post_hooks: values.post_hooks.map((h) => h.command.trim()),
    post_reboot_hooks: values.post_reboot_hooks.map((h) => h.command.trim()),
    window: values.patch_delay_type === 'maintenance_window' ? toWindow(values.window) : null,
  };
}

const SAME_NAME = new Set(['name', 'description', 'patch_delay_type', 'delay_minutes', 'fixed_time', 'timezone', 'reboot_policy',
  'window.days', 'window.time', 'window.cron', 'window.duration_minutes', 'window.operation', 'window.warn_minutes', 'window.paused']);
const ROLLOUT_FIELDS = new Set(['max_concurrency', 'max_errors', 'first_ring_group_id', 'first_ring_host_ids', 'ring_success_threshold']);

/**
 * The form field a server refusal ("window.days.0: …", "pre_hooks.3: …", "window: give days and time…") belongs
 * under; undefined for the form's alert. A refusal of the whole window (its schedule) goes under the cron expression
 * or the days, whichever the form shows.
 */
export function policyErrorField(serverField: string, values: Pick<PolicyValues, 'window' | HookListName>): Path<PolicyValues> | undefined {
  const field = serverField === 'fixed_time_utc' ? 'fixed_time' : serverField.replace(/^window\.days\.\d+$/, 'window.days');
  if (SAME_NAME.has(field)) return field as Path<PolicyValues>;
  if (field === 'window') return values.window.advanced ? 'window.cron' : 'window.days';
  // "window.rollout.max_concurrency.int: …" (a union's branch) goes under the limit; the rollout as a whole, to the alert.
  const rollout = /^window\.rollout\.([a-z_]+)/.exec(field)?.[1];
  if (rollout && ROLLOUT_FIELDS.has(rollout)) return `window.rollout.${rollout}` as Path<PolicyValues>;
  const hookItem = /^(pre_hooks|post_hooks|post_reboot_hooks)(?:\.(\d+))?$/.exec(field);
  if (hookItem) {
    const name = hookItem[1] as HookListName;
    const index = hookItem[2] === undefined ? -1 : Number(hookItem[2]);
    return index >= 0 && index < values[name].length ? `${name}.${index}.command` : name;
  }
  return undefined;
}

const FALLBACK_ZONES = ['UTC', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York', 'America/Chicago', 'America/Los_Angeles',
  'Asia/Tokyo', 'Asia/Singapore', 'Australia/Sydney'];

/** IANA timezone names this browser knows, for the timezone select (empty value: the organisation's timezone). */
export function timezoneOptions(current?: string | null): { value: string; label: string }[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = FALLBACK_ZONES;
  }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  if (current && !zones.includes(current)) zones = [current, ...zones];
  return [{ value: '', label: 'Organisation timezone' }, ...zones.map((zone) => ({ value: zone, label: zone }))];
}
