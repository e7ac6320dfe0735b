import { describe, expect, it } from 'vitest';

import type { AgentSettings } from '../../../api/orgSettings';
import { agentChanges, agentSchema, isValidServerUrl, normaliseServerUrl, toAgentValues } from './agentForm';

const SETTINGS: AgentSettings = {
  update_interval: 60, auto_update: true, signup_enabled: false, server_url: null, server_protocol: null, server_host: null, server_port: null,
  agent_reports_retention_days: 30,
};

describe('agent settings form', () => {
  it('checks the server bounds: interval 5–1440 minutes, retention 7–365 days, whole numbers', () => {
    const ok = (values: object) => agentSchema.safeParse({ ...toAgentValues(SETTINGS), ...values }).success;
    expect(ok({})).toBe(true);
    expect(ok({ update_interval: 5 })).toBe(true);
    expect(ok({ update_interval: 1440 })).toBe(true);
    expect(ok({ update_interval: 4 })).toBe(false);
    expect(ok({ update_interval: 1441 })).toBe(false);
    expect(ok({ update_interval: 30.5 })).toBe(false);
    expect(ok({ update_interval: '' })).toBe(false);
    expect(ok({ agent_reports_retention_days: 6 })).toBe(false);
    expect(ok({ agent_reports_retention_days: 365 })).toBe(true);
    expect(ok({ agent_reports_retention_days: 366 })).toBe(false);
  });

  it('says what is wrong with a number in words', () => {
    const result = agentSchema.safeParse({ ...toAgentValues(SETTINGS), update_interval: 2 });
    expect(result.error?.issues[0]?.message).toBe('Enter a whole number from 5 to 1440');
  });

  it('accepts an http(s) server URL with an optional port and no path, or nothing', () => {
    for (const url of ['', 'https://patchmon.example.com', 'http://10.0.0.5:3000', 'https://pm.example.com/']) expect(isValidServerUrl(url)).toBe(true);
    for (const url of ['ftp://x.example.com', 'https://pm.example.com/api', 'pm.example.com', 'https://', 'https://a b', 'https://x:70000', 'https://x:0']) {
      expect(isValidServerUrl(url), url).toBe(false);
    }
  });

  it('sends only the fields that changed', () => {
    expect(agentChanges(SETTINGS, toAgentValues(SETTINGS))).toEqual({});
    expect(agentChanges(SETTINGS, { ...toAgentValues(SETTINGS), update_interval: 15 })).toEqual({ update_interval: 15 });
    expect(agentChanges(SETTINGS, { ...toAgentValues(SETTINGS), auto_update: false, agent_reports_retention_days: 90 }))
      .toEqual({ auto_update: false, agent_reports_retention_days: 90 });
  });

  it('compares the server URL as the server stores it, and clears it with null', () => {
    const withUrl = { ...SETTINGS, server_url: 'https://pm.example.com' };
    expect(normaliseServerUrl(' https://pm.example.com// ')).toBe('https://pm.example.com');
    expect(agentChanges(withUrl, { ...toAgentValues(withUrl), server_url: 'https://pm.example.com/' })).toEqual({});
    expect(agentChanges(withUrl, { ...toAgentValues(withUrl), server_url: '' })).toEqual({ server_url: null });
    expect(agentChanges(SETTINGS, { ...toAgentValues(SETTINGS), server_url: 'http://10.0.0.5:3000' })).toEqual({ server_url: 'http://10.0.0.5:3000' });
  });
});
