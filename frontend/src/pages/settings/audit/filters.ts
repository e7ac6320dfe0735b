/** The audit log's filters (kept in the URL), the query they make, and how events are labelled. */
import type { AuditEvent, AuditQuery, AuditUser } from '../../../api/audit';
import { fullName } from '../../../components/format';

/** The filters as the URL holds them: ?action=&outcome=&user=&from=YYYY-MM-DD&to=YYYY-MM-DD. */
export interface AuditFilters {
  action: string;
  outcome: string;
  user: string;
  from: string;
  to: string;
}

const FILTER_PARAMS: (keyof AuditFilters)[] = ['action', 'outcome', 'user', 'from', 'to'];

export const NO_FILTERS: AuditFilters = { action: '', outcome: '', user: '', from: '', to: '' };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const get = (name: string) => params.get(name)?.trim() ?? '';
  const date = (name: string) => (DATE.test(get(name)) ? get(name) : '');
  return { action: get('action'), outcome: get('outcome'), user: get('user'), from: date('from'), to: date('to') };
}

/** The URL's search params for `filters`, keeping params that are not filters (and leaving empty ones out). */
export function paramsWithFilters(params: URLSearchParams, filters: AuditFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of FILTER_PARAMS) {
    if (filters[name]) next.set(name, filters[name]);
    else next.delete(name);
  }
  return next;
}

/** The start of a local calendar day as the server's timestamps are written (ISO 8601 UTC with milliseconds). */
function localDayStart(date: string, addDays = 0): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, day + addDays).toISOString();
}

/** A "to" date before the "from" date: nothing could match. */
export function invalidRange(filters: AuditFilters): boolean {
  return Boolean(filters.from && filters.to && filters.to < filters.from);
}

/**
 * The GET /audit-log query: dates are whole days in the viewer's time zone; `until` is the start of the day after
 * "to" (the server compares timestamps as text, and an event key sorts after its bare timestamp).
 */
export function toAuditQuery(filters: AuditFilters): AuditQuery {
  return {
    action: filters.action || undefined,
    outcome: filters.outcome || undefined,
    actor_user_id: filters.user || undefined,
    since: filters.from ? localDayStart(filters.from) : undefined,
    until: filters.to ? localDayStart(filters.to, 1) : undefined,
  };
}

export function hasFilters(filters: AuditFilters): boolean {
  return FILTER_PARAMS.some((name) => filters[name]);
}

/** Every action the server records (grep audit.record in chalicelib), with a label. */
const ACTION_LABELS: Record<string, string> = {
  login: 'Sign-in',
  logout: 'Sign-out',
  setup_admin: 'First-time setup',
  user_signup: 'User sign-up',
  organisation_signup: 'Organisation sign-up',
  refresh_token_reuse: 'Refresh token reused',
  session_revoked: 'Session revoked',
  sessions_revoked: 'Sessions revoked',
  password_change: 'Password change attempt',
  password_changed: 'Password changed',
  profile_updated: 'Profile updated',
  tfa_enabled: 'Two-factor enabled',
  tfa_disabled: 'Two-factor disabled',
  tfa_backup_codes_regenerated: 'Backup codes regenerated',
  tfa_verification_failed: 'Two-factor code failed',
  trusted_device_revoked: 'Trusted device revoked',
  trusted_devices_revoked: 'Trusted devices revoked',
  user_created: 'User created',
  user_updated: 'User updated',
  user_password_reset: 'User password reset',
  user_deleted: 'User deleted',
  role_created: 'Role created',
  role_updated: 'Role updated',
  role_deleted: 'Role deleted',
  settings_updated: 'Settings updated',
  tenant_updated: 'Plan or organisation changed',
  host_created: 'Host added',
  host_deleted: 'Host deleted',
  host_credentials_regenerated: 'Host credentials regenerated',
  agent_install_script_issued: 'Install script issued',
  agent_bootstrap_exchanged: 'Agent bootstrap exchanged',
};

/** "Ada Lovelace (ada)", or just the username when the user has no name. */
export function nameWithUsername(user: AuditUser): string {
  const full = fullName(user);
  return full ? `${full} (${user.username})` : user.username;
}

export function actionLabel(action: string): string {
  const known = ACTION_LABELS[action];
  if (known) return known;
  const words = action.replace(/_/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : action;
}

/** The action filter's choices, by label; an action in the URL that is not known yet is offered too. */
export function actionOptions(current: string): { value: string; label: string }[] {
  const options = Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label }));
  if (current && !ACTION_LABELS[current]) options.push({ value: current, label: actionLabel(current) });
  return options.sort((a, b) => a.label.localeCompare(b.label));
}

/** Who acted: a user by name when known, else the principal in words ("user:<id>", "agent:<id>", "system:<job>", "operator"). */
export function actorLabel(actor: string, users: ReadonlyMap<string, AuditUser>): string {
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user' && id) {
    const user = users.get(id);
    return user ? nameWithUsername(user) : `User ${id}`;
  }
  if (kind === 'agent' && id) return `Agent ${id}`;
  if (kind === 'system' && id) return `System (${id.replace(/_/g, ' ')})`;
  if (actor === 'operator') return 'Operator';
  if (actor === 'anonymous' || !actor) return 'Anonymous';
  return actor;
}

/** What the event was about: "User ada", "Host web-01", "Settings security"… */
export function targetLabel(event: AuditEvent, users: ReadonlyMap<string, AuditUser>): string {
  const type = event.target_type ?? '';
  const id = event.target_id ?? '';
  if (!type && !id) return '—';
  const kind = type ? type.charAt(0).toUpperCase() + type.slice(1).replace(/_/g, ' ') : '';
  let name = id;
  if (type === 'user' && users.get(id)) name = users.get(id)?.username ?? id;
  const friendly = event.details?.friendly_name;
  if (type === 'host' && typeof friendly === 'string' && friendly) name = friendly;
  return [kind, name].filter(Boolean).join(' ');
}

/** The event's full record for the details panel, pretty-printed. */
export function eventDetails(event: AuditEvent): string {
  return JSON.stringify(event, null, 2);
}
