/** The server's default security settings (tenant/schemas.py), for the tests. */
import type { SecuritySettings } from '../../../api/orgSettings';

export const SECURITY: SecuritySettings = {
  password_policy: { min_length: 8, require_uppercase: true, require_lowercase: true, require_number: true, require_special: true },
  max_login_attempts: 5, lockout_duration_minutes: 15, session_inactivity_timeout_minutes: 30, access_token_minutes: 60, refresh_token_days: 7,
  remember_me_refresh_token_days: 30, max_tfa_attempts: 5, tfa_lockout_duration_minutes: 30, tfa_remember_me_days: 30, tfa_max_remember_sessions: 5,
  signup_enabled: false, default_user_role: 'user', general_rate_limit: 5000, general_rate_window_minutes: 15, auth_rate_limit: 500,
  auth_rate_window_minutes: 10, password_rate_limit: 5, password_rate_window_minutes: 15, agent_update_interval_minutes: 60, agent_auto_update: true,
  server_url: null, agent_report_retention_days: 30, host_offline_grace_seconds: 120,
};
