/**
 * The security settings form, described once: the sections, their fields and the server's bounds
 * (chalicelib/tenant/schemas.py SecuritySettings and PasswordPolicy). The zod schema is built from it, so the
 * page checks exactly what the server checks.
 */
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { z } from 'zod/mini';

import { ApiError, errorMessage } from '../../../api/errors';
import type { AgentSettings, SecuritySettings } from '../../../api/orgSettings';

/** A whole number within bounds, with one message for every way it can be wrong (empty, decimal, out of range). */
export function intBetween(min: number, max?: number) {
  const message = max === undefined ? `Enter a whole number of at least ${min}` : `Enter a whole number from ${min} to ${max}`;
  const checks = [z.gte(min, message), ...(max === undefined ? [] : [z.lte(max, message)])];
  return z.int({ error: message }).check(...checks);
}

/** The agent settings inside SecuritySettings: edited on Settings → Agent updates, not here. */
const AGENT_KEYS = ['agent_update_interval_minutes', 'agent_auto_update', 'server_url', 'agent_report_retention_days'] as const;

/** The settings this page edits: everything of SecuritySettings except the agent settings. */
export type SecurityValues = Omit<SecuritySettings, (typeof AGENT_KEYS)[number]>;

type NumberKey = { [K in keyof SecurityValues]: SecurityValues[K] extends number ? K : never }[keyof SecurityValues];

export interface NumberField {
  name: NumberKey | 'password_policy.min_length';
  label: string;
  description: string;
  min: number;
  max?: number;
}

export const PASSWORD_MIN_LENGTH: NumberField = {
  name: 'password_policy.min_length', label: 'Minimum length', description: 'Characters; 8 to 128 (default 8).', min: 8, max: 128,
};

export const PASSWORD_RULES = [
  { name: 'password_policy.require_uppercase', label: 'Require an uppercase letter' },
  { name: 'password_policy.require_lowercase', label: 'Require a lowercase letter' },
  { name: 'password_policy.require_number', label: 'Require a number' },
  { name: 'password_policy.require_special', label: 'Require a special character' },
] as const;

export interface NumberSection {
  title: string;
  description: string;
  fields: NumberField[];
}

export const NUMBER_SECTIONS: NumberSection[] = [
  {
    title: 'Login lockout',
    description: 'Repeated failed sign-ins lock the account (not the IP address) for a while, even for the right password.',
    fields: [
      { name: 'max_login_attempts', label: 'Failed attempts before lockout', description: '1 to 100 (default 5).', min: 1, max: 100 },
      { name: 'lockout_duration_minutes', label: 'Lockout duration (minutes)', description: '1 to 1440 (default 15).', min: 1, max: 1440 },
    ],
  },
  {
    title: 'Sessions',
    description: 'How long people stay signed in.',
    fields: [
      { name: 'session_inactivity_timeout_minutes', label: 'Inactivity timeout (minutes)', description: 'Sign out after this long without activity; 5 to 1440 (default 30).', min: 5, max: 1440 },
      { name: 'access_token_minutes', label: 'Access token lifetime (minutes)', description: '5 to 1440 (default 60).', min: 5, max: 1440 },
      { name: 'refresh_token_days', label: 'Session lifetime (days)', description: 'Without "Remember me"; 1 to 90 (default 7).', min: 1, max: 90 },
      { name: 'remember_me_refresh_token_days', label: 'Session lifetime with "Remember me" (days)', description: '1 to 90 (default 30).', min: 1, max: 90 },
    ],
  },
  {
    title: 'Two-factor authentication',
    description: 'Applies to users who have two-factor authentication turned on.',
    fields: [
      { name: 'max_tfa_attempts', label: 'Failed codes before lockout', description: '1 to 100 (default 5).', min: 1, max: 100 },
      { name: 'tfa_lockout_duration_minutes', label: 'Two-factor lockout (minutes)', description: '1 to 1440 (default 30).', min: 1, max: 1440 },
      { name: 'tfa_remember_me_days', label: 'Remember a trusted device for (days)', description: '1 to 90 (default 30).', min: 1, max: 90 },
      { name: 'tfa_max_remember_sessions', label: 'Trusted devices per user', description: 'The oldest is forgotten beyond this; 1 to 20 (default 5).', min: 1, max: 20 },
    ],
  },
  {
    title: 'Rate limits',
    description: 'Requests allowed per client IP address in each window; more are refused until the window ends.',
    fields: [
      { name: 'general_rate_limit', label: 'Requests per window', description: 'Every signed-in request; at least 10 (default 5000).', min: 10 },
      { name: 'general_rate_window_minutes', label: 'Request window (minutes)', description: 'At least 1 (default 15).', min: 1 },
      { name: 'auth_rate_limit', label: 'Sign-in requests per window', description: 'Login, setup, sign-up, two-factor and refresh; at least 5 (default 500).', min: 5 },
      { name: 'auth_rate_window_minutes', label: 'Sign-in window (minutes)', description: 'At least 1 (default 10).', min: 1 },
      { name: 'password_rate_limit', label: 'Password changes per window', description: 'At least 1 (default 5).', min: 1 },
      { name: 'password_rate_window_minutes', label: 'Password change window (minutes)', description: 'At least 1 (default 15).', min: 1 },
    ],
  },
  {
    title: 'Host status',
    description: "How long an agent's connection may be gone before its host is shown offline (reconnects within it are not outages).",
    fields: [
      { name: 'host_offline_grace_seconds', label: 'Offline grace period (seconds)', description: '30 to 3600 (default 120).', min: 30, max: 3600 },
    ],
  },
];

function numberShape() {
  const shape: Record<string, ReturnType<typeof intBetween>> = {};
  for (const field of NUMBER_SECTIONS.flatMap((s) => s.fields)) shape[field.name] = intBetween(field.min, field.max);
  return shape as Record<NumberKey, ReturnType<typeof intBetween>>;
}

export const securitySchema = z.object({
  password_policy: z.object({
    min_length: intBetween(PASSWORD_MIN_LENGTH.min, PASSWORD_MIN_LENGTH.max),
    require_uppercase: z.boolean(),
    require_lowercase: z.boolean(),
    require_number: z.boolean(),
    require_special: z.boolean(),
  }),
  ...numberShape(),
  signup_enabled: z.boolean(),
  default_user_role: z.string().check(z.minLength(1, 'Choose a role')),
});

/** The form's values from the server's settings. */
export function toSecurityValues(settings: SecuritySettings): SecurityValues {
  const agent = new Set<string>(AGENT_KEYS);
  const values = Object.fromEntries(Object.entries(settings).filter(([key]) => !agent.has(key))) as SecurityValues;
  return { ...values, password_policy: { ...settings.password_policy } };
}

/**
 * The PUT body: PUT /settings/security replaces every setting, the agent settings included. Those are taken
 * from a fresh GET /settings (the agent page's source, read uncached by the server), so saving this page never
 * undoes a change made meanwhile on Agent updates.
 */
export function toSecurityPut(loaded: SecuritySettings, values: SecurityValues, agent: AgentSettings): SecuritySettings {
  return {
    ...loaded, // settings this app does not know yet go back unchanged (the form's schema drops unknown keys)
    ...values,
    password_policy: { ...values.password_policy },
    agent_update_interval_minutes: agent.update_interval,
    agent_auto_update: agent.auto_update,
    server_url: agent.server_url,
    agent_report_retention_days: agent.agent_reports_retention_days,
  };
}

/**
 * Put a "field.path: message" answer (chalicelib/web/route.py reports nested fields with dots) under its field;
 * anything else is returned for the form's alert.
 */
export function applyNestedServerError<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): string | null {
  if (error instanceof ApiError && error.status === 400) {
    const match = /^([\w.]+): (.+)$/.exec(error.message);
    const field = match ? fields.find((name) => name === match[1]) : undefined;
    if (match?.[2] && field) {
      setError(field, { type: 'server', message: match[2] }, { shouldFocus: true });
      return null;
    }
  }
  return errorMessage(error);
}

/** Every field name of the form, for applyNestedServerError. */
export const SECURITY_FIELDS = [
  PASSWORD_MIN_LENGTH.name, ...PASSWORD_RULES.map((r) => r.name), ...NUMBER_SECTIONS.flatMap((s) => s.fields.map((f) => f.name)),
  'signup_enabled', 'default_user_role',
] as const;

/** The roles a sign-up may get: the server refuses admin and superadmin (and roles that do not exist). */
export const PRIVILEGED_ROLES = ['superadmin', 'admin'];
export const BUILTIN_SIGNUP_ROLES = [
  { value: 'user', label: 'User' },
  { value: 'readonly', label: 'Readonly' },
  { value: 'host_manager', label: 'Host Manager' },
];

/** The choices of the default role: the organisation's roles below admin when known, else the built-in ones, plus the current value. */
export function signupRoleOptions(roles: { role: string; label: string }[] | undefined, current: string): { value: string; label: string }[] {
  const options = roles ? roles.filter((r) => !PRIVILEGED_ROLES.includes(r.role)).map((r) => ({ value: r.role, label: r.label })) : [...BUILTIN_SIGNUP_ROLES];
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: current });
  return options;
}
