/** The policy form (C10.3, C10.6): the server's PolicyWrite rules (patching/schemas.py) checked before sending. */
import { z } from 'zod/mini';

import type { PatchDelayType, PatchPolicy, PolicyWrite } from '../../api/patching';

export const DELAY_TYPES: { value: PatchDelayType; label: string }[] = [
  { value: 'immediate', label: 'Immediate' },
  { value: 'delayed', label: 'Delayed (run after N minutes)' },
  { value: 'fixed_time', label: 'Fixed time (e.g. 03:00)' },
];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const MAX_DELAY_MINUTES = 10_080;

export const policySchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1, 'Enter a name'), z.maxLength(100, 'Use at most 100 characters')),
  description: z.string().check(z.trim(), z.maxLength(500, 'Use at most 500 characters')),
  patch_delay_type: z.enum(['immediate', 'delayed', 'fixed_time']),
  delay_minutes: z.string(),
  fixed_time: z.string(),
  timezone: z.string(),
}).check(
  z.refine((v) => v.patch_delay_type !== 'delayed' || (/^\d+$/.test(v.delay_minutes.trim()) && Number(v.delay_minutes) >= 1 && Number(v.delay_minutes) <= MAX_DELAY_MINUTES),
    { path: ['delay_minutes'], error: `Enter a whole number of minutes from 1 to ${MAX_DELAY_MINUTES}` }),
  z.refine((v) => v.patch_delay_type !== 'fixed_time' || HHMM.test(v.fixed_time.trim()), { path: ['fixed_time'], error: 'Enter a time as HH:MM, e.g. 03:00' }),
);

export type PolicyValues = z.infer<typeof policySchema>;

export function policyDefaults(policy?: PatchPolicy | null): PolicyValues {
  return {
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    patch_delay_type: policy?.patch_delay_type ?? 'immediate',
    delay_minutes: policy?.delay_minutes ? String(policy.delay_minutes) : '60',
    fixed_time: policy?.fixed_time ?? '03:00',
    timezone: policy?.timezone ?? '',
  };
}

/** The request body: only the field of the chosen delay type; an empty timezone is the organisation's. */
export function toPolicyWrite(values: PolicyValues): PolicyWrite {
  return {
    name: values.name.trim(),
    description: values.description.trim() || null,
    patch_delay_type: values.patch_delay_type,
    delay_minutes: values.patch_delay_type === 'delayed' ? Number(values.delay_minutes) : null,
    fixed_time: values.patch_delay_type === 'fixed_time' ? values.fixed_time.trim() : null,
    timezone: values.timezone || null,
  };
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
