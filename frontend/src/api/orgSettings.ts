/**
 * The organisation's settings: agent and server settings (chalicelib/settings: GET/PATCH /settings, GET
 * /settings/server-url), security settings (chalicelib/tenant: GET/PUT /settings/security) and the agent version
 * this server serves (GET /agent/version).
 */
import { queryOptions } from '@tanstack/react-query';

import { api } from './client';

/** GET /settings (settings/schemas.py SettingsRead). */
export interface AgentSettings {
  update_interval: number;
  auto_update: boolean;
  signup_enabled: boolean;
  /** null: install commands use the address the request came in on. */
  server_url: string | null;
  server_protocol: 'http' | 'https' | null;
  server_host: string | null;
  server_port: number | null;
  agent_reports_retention_days: number;
}

/** PATCH /settings: fields left out keep their values (SettingsUpdate). */
export type AgentSettingsPatch = Partial<Pick<AgentSettings, 'update_interval' | 'auto_update' | 'signup_enabled' | 'server_url'
  | 'agent_reports_retention_days'>>;

/** The tenant's password policy (tenant/schemas.py PasswordPolicy). */
export interface PasswordPolicy {
  min_length: number;
  require_uppercase: boolean;
  require_lowercase: boolean;
  require_number: boolean;
  require_special: boolean;
}

/** GET/PUT /settings/security: the whole of the tenant's settings (tenant/schemas.py SecuritySettings); PUT replaces all of it. */
export interface SecuritySettings {
  password_policy: PasswordPolicy;
  max_login_attempts: number;
  lockout_duration_minutes: number;
  session_inactivity_timeout_minutes: number;
  access_token_minutes: number;
  refresh_token_days: number;
  remember_me_refresh_token_days: number;
  max_tfa_attempts: number;
  tfa_lockout_duration_minutes: number;
  tfa_remember_me_days: number;
  tfa_max_remember_sessions: number;
  signup_enabled: boolean;
  default_user_role: string;
  general_rate_limit: number;
  general_rate_window_minutes: number;
  auth_rate_limit: number;
  auth_rate_window_minutes: number;
  password_rate_limit: number;
  password_rate_window_minutes: number;
  agent_update_interval_minutes: number;
  agent_auto_update: boolean;
  server_url: string | null;
  agent_report_retention_days: number;
  host_offline_grace_seconds: number;
}

/** GET /agent/version (install/service.py version_answer, without a host). */
interface AgentVersion {
  currentVersion: string | null;
  latestVersion: string;
  hasUpdate: boolean;
  autoUpdateDisabled: boolean;
  autoUpdateDisabledReason: string | null;
  downloadUrl: string;
  hash: string | null;
  agentType?: string;
}

export const orgSettingsKeys = {
  agent: ['orgSettings', 'agent'] as const,
  serverUrl: ['orgSettings', 'server-url'] as const,
  agentVersion: ['orgSettings', 'agent-version'] as const,
  security: ['orgSettings', 'security'] as const,
};

export const orgSettingsApi = {
  agent: (signal?: AbortSignal) => api.get<AgentSettings>('/settings', { signal }),
  patchAgent: (changes: AgentSettingsPatch) => api.patch<AgentSettings>('/settings', changes),
  serverUrl: (signal?: AbortSignal) => api.get<{ server_url: string }>('/settings/server-url', { signal }),
  agentVersion: (signal?: AbortSignal) => api.get<AgentVersion>('/agent/version', { signal }),
  security: (signal?: AbortSignal) => api.get<SecuritySettings>('/settings/security', { signal }),
  putSecurity: (settings: SecuritySettings) => api.put<SecuritySettings>('/settings/security', settings),
};

/** GET /settings/server-url as a query: Settings → Agent updates and the hosts' install commands share it. */
export const serverUrlQuery = queryOptions({ queryKey: orgSettingsKeys.serverUrl, queryFn: ({ signal }) => orgSettingsApi.serverUrl(signal) });

/** GET /agent/version as a query (Settings → Agent updates, a host's Agent tab); the build served changes only with a deployment. */
export const agentVersionQuery = queryOptions({
  queryKey: orgSettingsKeys.agentVersion, queryFn: ({ signal }) => orgSettingsApi.agentVersion(signal), staleTime: 5 * 60_000,
});
