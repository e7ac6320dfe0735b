import { describe, expect, it } from 'vitest';

import type { AgentSettings, SecuritySettings } from '../../../api/orgSettings';
import {
  NUMBER_SECTIONS, PASSWORD_MIN_LENGTH, securitySchema, signupRoleOptions, toSecurityPut, toSecurityValues, type SecurityValues,
} from './fields';
import { SECURITY } from './testData';

const valid = (change: (v: SecurityValues) => void) => {
  const values = structuredClone(toSecurityValues(SECURITY));
  change(values);
  return securitySchema.safeParse(values).success;
};

describe('security settings form', () => {
  it('edits everything but the agent settings', () => {
    const values = toSecurityValues(SECURITY);
    expect(values).not.toHaveProperty('agent_update_interval_minutes');
    expect(values).not.toHaveProperty('server_url');
    expect(values).toHaveProperty('host_offline_grace_seconds', 120);
    expect(securitySchema.safeParse(values).success).toBe(true);
  });

  it("checks the server's bounds (tenant/schemas.py)", () => {
    expect(valid((v) => { v.password_policy.min_length = 7; })).toBe(false);
    expect(valid((v) => { v.password_policy.min_length = 128; })).toBe(true);
    expect(valid((v) => { v.password_policy.min_length = 129; })).toBe(false);
    expect(valid((v) => { v.session_inactivity_timeout_minutes = 4; })).toBe(false);
    expect(valid((v) => { v.tfa_max_remember_sessions = 21; })).toBe(false);
    expect(valid((v) => { v.refresh_token_days = 91; })).toBe(false);
    expect(valid((v) => { v.host_offline_grace_seconds = 29; })).toBe(false);
    expect(valid((v) => { v.general_rate_limit = 9; })).toBe(false);
    expect(valid((v) => { v.general_rate_limit = 1_000_000; })).toBe(true); // no upper bound on the server
    expect(valid((v) => { v.max_login_attempts = 2.5; })).toBe(false);
    expect(valid((v) => { v.default_user_role = ''; })).toBe(false);
  });

  it('has a field for every number the server holds outside the agent settings', () => {
    const names = NUMBER_SECTIONS.flatMap((s) => s.fields.map((f) => f.name));
    const numbers = Object.entries(toSecurityValues(SECURITY)).filter(([, value]) => typeof value === 'number').map(([key]) => key);
    expect(names.sort()).toEqual(numbers.sort());
  });

  it("documents each number's bounds and the server's default", () => {
    const fields = NUMBER_SECTIONS.flatMap((section) => section.fields);
    const defaults = toSecurityValues(SECURITY);
    for (const field of fields) expect(field.default, field.name).toBe(defaults[field.name as keyof SecurityValues]);
    const description = (name: string) => fields.find((field) => field.name === name)?.description;
    expect(PASSWORD_MIN_LENGTH.description).toBe('Characters; 8 to 128 (default 8).');
    expect(description('max_login_attempts')).toBe('1 to 100 (default 5).');
    expect(description('session_inactivity_timeout_minutes')).toBe('Sign out after this long without activity; 5 to 1440 (default 30).');
    expect(description('general_rate_limit')).toBe('Every signed-in request; at least 10 (default 5000).');
    expect(description('general_rate_window_minutes')).toBe('At least 1 (default 15).');
  });

  it('puts the whole settings back, the agent settings from a fresh read', () => {
    const agent: AgentSettings = {
      update_interval: 15, auto_update: false, signup_enabled: true, server_url: 'https://pm.example.com', server_protocol: 'https',
      server_host: 'pm.example.com', server_port: 443, agent_reports_retention_days: 90,
    };
    const values = { ...toSecurityValues(SECURITY), max_login_attempts: 3 };
    expect(toSecurityPut(SECURITY, values, agent)).toEqual({
      ...SECURITY, max_login_attempts: 3, agent_update_interval_minutes: 15, agent_auto_update: false, server_url: 'https://pm.example.com',
      agent_report_retention_days: 90,
    });
    // A setting the app does not know yet is sent back as it was.
    const newer = { ...SECURITY, future_setting: 3 } as SecuritySettings;
    expect(toSecurityPut(newer, values, agent)).toHaveProperty('future_setting', 3);
  });

  it('offers roles below admin for sign-ups', () => {
    expect(signupRoleOptions(undefined, 'user').map((o) => o.value)).toEqual(['user', 'readonly', 'host_manager']);
    const roles = [{ role: 'superadmin', label: 'Super Admin' }, { role: 'admin', label: 'Admin' }, { role: 'user', label: 'User' },
      { role: 'auditor', label: 'Auditor' }];
    expect(signupRoleOptions(roles, 'user')).toEqual([{ value: 'user', label: 'User' }, { value: 'auditor', label: 'Auditor' }]);
    expect(signupRoleOptions(undefined, 'noc').at(-1)).toEqual({ value: 'noc', label: 'noc' });
  });
});
