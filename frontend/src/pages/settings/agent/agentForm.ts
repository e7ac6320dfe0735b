/** The agent settings form (Settings → Agent updates): the server's bounds (settings/schemas.py) and the PATCH body. */
import { z } from 'zod/mini';

import type { AgentSettings, AgentSettingsPatch } from '../../../api/orgSettings';
import { intBetween } from '../shared/schemas';

/** The server's pattern for a stored server URL (tenant/schemas.py): http(s), a host, an optional port, no path. */
const SERVER_URL = /^https?:\/\/[^\s/]+\/?$/;

/** "" (use the address the app is opened at) or an http(s) URL with a host, an optional port 1–65535 and no path. */
export function isValidServerUrl(value: string): boolean {
  const url = value.trim();
  if (!url) return true;
  if (url.length > 255 || !SERVER_URL.test(url)) return false;
  try {
    const parsed = new URL(url);
    return Boolean(parsed.hostname) && parsed.port !== '0';
  } catch {
    return false; // e.g. a port above 65535
  }
}

export const agentSchema = z.object({
  update_interval: intBetween(5, 1440),
  auto_update: z.boolean(),
  agent_reports_retention_days: intBetween(7, 365),
  server_url: z.string().check(z.refine(isValidServerUrl, 'Enter an address such as https://patchmon.example.com or http://10.0.0.5:3000 (no path)')),
});

export type AgentValues = z.infer<typeof agentSchema>;

export function toAgentValues(settings: AgentSettings): AgentValues {
  return {
    update_interval: settings.update_interval,
    auto_update: settings.auto_update,
    agent_reports_retention_days: settings.agent_reports_retention_days,
    server_url: settings.server_url ?? '',
  };
}

/** The URL as the server stores it: trimmed, without trailing slashes; empty means none (null). */
export function normaliseServerUrl(value: string): string | null {
  return value.trim().replace(/\/+$/, '') || null;
}

/** The PATCH /settings body: only what differs from the settings as loaded (the server keeps what is left out). */
export function agentChanges(current: AgentSettings, values: AgentValues): AgentSettingsPatch {
  const changes: AgentSettingsPatch = {};
  if (values.update_interval !== current.update_interval) changes.update_interval = values.update_interval;
  if (values.auto_update !== current.auto_update) changes.auto_update = values.auto_update;
  if (values.agent_reports_retention_days !== current.agent_reports_retention_days) changes.agent_reports_retention_days = values.agent_reports_retention_days;
  const url = normaliseServerUrl(values.server_url);
  if (url !== current.server_url) changes.server_url = url;
  return changes;
}
