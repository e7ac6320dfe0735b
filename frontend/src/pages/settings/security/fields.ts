/**
 * The security settings form, described once: the sections, their fields and the server's bounds
 * (chalicelib/tenant/schemas.py SecuritySettings and PasswordPolicy). The zod schema is built from it, so the
 * page checks exactly what the server checks.
 */
import { z } from 'zod/mini';

import type { AgentSettings, SecuritySettings } from '../../../api/orgSettings';
import { isPrivileged, roleLabel } from '../shared/rank';
import { intBetween } from '../shared/schemas';

/** The agent settings inside SecuritySettings: edited on Settings → Agent updates, not here. */
const AGENT_KEYS = ['agent_update_interval_minutes', 'agent_auto_update', 'server_url', 'agent_report_retention_days'] as const;

/** The settings this page edits: everything of SecuritySettings except the agent settings. */
export type SecurityValues = Omit<SecuritySettings, (typeof AGENT_KEYS)[number]>;

type NumberKey = { [K in keyof SecurityValues]: SecurityValues[K] extends number ? K : never }[keyof SecurityValues];

export interface NumberField {
  name: NumberKey | 'password_policy.min_length';
  label: string;
  /** The help under the field: the note, the bounds and the server's default ("1 to 100 (default 5)."). */
  description: string;
  min: number;
  max?: number;
  /** The server's default (tenant/schemas.py). */
  default: number;
}

/** A number setting; its description is written from its bounds and default, after an optional note. */
function numberField(name: NumberField['name'], label: string, bounds: { min: number; max?: number; default: number; note?: string }): NumberField {
  const range = bounds.max === undefined ? `at least ${bounds.min}` : `${bounds.min} to ${bounds.max}`;
  const text = bounds.note ? `${bounds.note}; ${range}` : range;
  const description = `${text.charAt(0).toUpperCase()}${text.slice(1)} (default ${bounds.default}).`;
  return { name, label, description, min: bounds.min, max: bounds.max, default: bounds.default };
}

export const PASSWORD_MIN_LENGTH = numberField('password_policy.min_length', 'Minimum length', { min: 8, max: 128, default: 8, note: 'Characters' });

export const PASSWORD_RULES = [
  { name: 'password_policy.require_uppercase', label: 'Require an uppercase letter' },
  { name: 'password_policy.require_lowercase', label: 'Require a lowercase letter' },
  { name: 'password_policy.require_number', label: 'Require a number' },
  { name: 'password_policy.require_special', label: 'Require a special character' },
] as const;

interface NumberSection {
  title: string;
  description: string;
  fields: NumberField[];
}

const ATTEMPTS = { min: 1, max: 100, default: 5 };

export const NUMBER_SECTIONS: NumberSection[] = [
  {
    title: 'Login lockout',
    description: 'Repeated failed sign-ins lock the account (not the IP address) for a while, even for the right password.',
    fields: [
      numberField('max_login_attempts', 'Failed attempts before lockout', ATTEMPTS),
      numberField('lockout_duration_minutes', 'Lockout duration (minutes)', { min: 1, max: 1440, default: 15 }),
    ],
  },
  {
    title: 'Sessions',
    description: 'How long people stay signed in.',
    fields: [
      numberField('session_inactivity_timeout_minutes', 'Inactivity timeout (minutes)',
        { min: 5, max: 1440, default: 30, note: 'Sign out after this long without activity' }),
      numberField('access_token_minutes', 'Access token lifetime (minutes)', { min: 5, max: 1440, default: 60 }),
      numberField('refresh_token_days', 'Session lifetime (days)', { min: 1, max: 90, default: 7, note: 'Without "Remember me"' }),
      numberField('remember_me_refresh_token_days', 'Session lifetime with "Remember me" (days)', { min: 1, max: 90, default: 30 }),
    ],
  },
  {
    title: 'Two-factor authentication',
    description: 'Applies to users who have two-factor authentication turned on.',
    fields: [
      numberField('max_tfa_attempts', 'Failed codes before lockout', ATTEMPTS),
      numberField('tfa_lockout_duration_minutes', 'Two-factor lockout (minutes)', { min: 1, max: 1440, default: 30 }),
      numberField('tfa_remember_me_days', 'Remember a trusted device for (days)', { min: 1, max: 90, default: 30 }),
      numberField('tfa_max_remember_sessions', 'Trusted devices per user', { min: 1, max: 20, default: 5, note: 'The oldest is forgotten beyond this' }),
    ],
  },
  {
    title: 'Rate limits',
    description: 'Requests allowed per client IP address in each window; more are refused until the window ends.',
    fields: [
      numberField('general_rate_limit', 'Requests per window', { min: 10, default: 5000, note: 'Every signed-in request' }),
      numberField('general_rate_window_minutes', 'Request window (minutes)', { min: 1, default: 15 }),
      numberField('auth_rate_limit', 'Sign-in requests per window', { min: 5, default: 500, note: 'Login, setup, sign-up, two-factor and refresh' }),
      numberField('auth_rate_window_minutes', 'Sign-in window (minutes)', { min: 1, default: 10 }),
      numberField('password_rate_limit', 'Password changes per window', { min: 1, default: 5 }),
      numberField('password_rate_window_minutes', 'Password change window (minutes)', { min: 1, default: 15 }),
    ],
  },
  {
    title: 'Host status',
    description: "How long an agent's connection may be gone before its host is shown offline (reconnects within it are not outages).",
    fields: [
      numberField('host_offline_grace_seconds', 'Offline grace period (seconds)', { min: 30, max: 3600, default: 120 }),
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

/** Every field name of the form, for applyServerError. */
export const SECURITY_FIELDS = [
  PASSWORD_MIN_LENGTH.name, ...PASSWORD_RULES.map((r) => r.name), ...NUMBER_SECTIONS.flatMap((s) => s.fields.map((f) => f.name)),
  'signup_enabled', 'default_user_role',
] as const;

/** The built-in roles a sign-up may get, offered while the organisation's roles are unknown (no can_manage_users). */
const BUILTIN_SIGNUP_ROLES = ['user', 'readonly', 'host_manager'];

/**
 * The choices of the default role: the organisation's roles below admin when known, else the built-in ones, plus the
 * current value. The server refuses admin and superadmin (and roles that do not exist).
 */
export function signupRoleOptions(roles: { role: string; label: string }[] | undefined, current: string): { value: string; label: string }[] {
  const options = roles
    ? roles.filter((r) => !isPrivileged(r.role)).map((r) => ({ value: r.role, label: r.label }))
    : BUILTIN_SIGNUP_ROLES.map((role) => ({ value: role, label: roleLabel(role) }));
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: current });
  return options;
}
