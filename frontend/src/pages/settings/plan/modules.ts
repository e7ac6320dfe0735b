/**
 * The module catalogue (chalicelib/tenant/plans.py) and what the organisation's plan makes of it: each module
 * enabled or locked, and the tier that first includes it (MODULE_TIER, src/auth/modules.ts).
 */
import { MODULE_TIER } from '../../../auth/modules';
import { formatCount, plural } from '../../../components/format';

type Tier = 'Free' | 'Plus' | 'Max';

/** Every plan includes these (plans.py BASE_MODULES). */
const BASE_MODULES = ['patching', 'docker', 'compliance'] as const;

const MODULE_INFO: Record<string, { label: string; description: string }> = {
  patching: { label: 'Patching', description: 'Patch runs from the Patching page and each host: trigger, approve, stop and retry.' },
  docker: { label: 'Docker', description: 'Docker inventory of containers, images, volumes and networks on each host.' },
  compliance: { label: 'Compliance', description: 'Security compliance scans, results and remediation.' },
  patching_policies: { label: 'Patch policies', description: 'Policies, assignments, exclusions and scheduled patch runs.' },
  rbac_custom: { label: 'Custom roles', description: 'Create and edit your own roles with chosen permissions.' },
  custom_branding: { label: 'Custom branding', description: 'Your own logo and favicon, in light and dark variants.' },
  alerts_advanced: { label: 'Advanced alerts', description: 'Alert lifecycle: retention, auto-resolve and clean-up.' },
  ai: { label: 'AI terminal', description: 'An AI assistant in the web SSH terminal.' },
  remote_access: { label: 'Remote access', description: 'Remote sessions to managed hosts from the browser.' },
  ssh_terminal: { label: 'SSH terminal', description: 'An SSH terminal to each host in the browser.' },
  rdp: { label: 'RDP', description: 'Remote desktop to Windows hosts in the browser.' },
};

export interface ModuleRow {
  key: string;
  label: string;
  description: string;
  /** The cheapest plan that includes the module. */
  tier: Tier;
  enabled: boolean;
  /** The badge a locked module carries ("Plus"/"Max"); null for modules of every plan. */
  badge: 'Plus' | 'Max' | null;
}

const TIER_ORDER: Record<Tier, number> = { Free: 0, Plus: 1, Max: 2 };

export function moduleTier(key: string): Tier {
  return MODULE_TIER[key] ?? 'Free';
}

/** The catalogue: the base modules, then every tiered one, then any module the server grants that this app does not know yet. */
export function catalogue(extra: readonly string[] = []): string[] {
  const known = [...BASE_MODULES, ...Object.keys(MODULE_TIER)];
  return [...new Set([...known, ...extra])];
}

/** Each catalogue module with its state for an organisation that has `enabled`, ordered by tier then catalogue order. */
export function moduleRows(enabled: readonly string[]): ModuleRow[] {
  const on = new Set(enabled);
  const keys = catalogue(enabled);
  return keys
    .map((key, index) => {
      const tier = moduleTier(key);
      const info = MODULE_INFO[key];
      const row: ModuleRow = {
        key, tier, label: info?.label ?? key.replace(/_/g, ' '), description: info?.description ?? '', enabled: on.has(key),
        badge: on.has(key) || tier === 'Free' ? null : tier,
      };
      return { row, index };
    })
    .sort((a, b) => TIER_ORDER[a.row.tier] - TIER_ORDER[b.row.tier] || a.index - b.index)
    .map(({ row }) => row);
}

const PLAN_LABELS: Record<string, string> = { free: 'Free', plus: 'Plus', max: 'Max', custom: 'Custom' };

export function planLabel(plan: string): string {
  return PLAN_LABELS[plan] ?? plan.charAt(0).toUpperCase() + plan.slice(1);
}

interface HostUsage {
  label: string;
  /** 0–100, for a progress bar; null when there is no limit or no count. */
  percent: number | null;
  full: boolean;
}

/** "12 of 25 hosts" and how full the plan is; the count may be unknown (no dashboard permission). */
export function hostUsage(count: number | undefined, limit: number | null): HostUsage {
  if (limit === null) return { label: count === undefined ? 'No host limit' : `${plural(count, 'host')} (no limit)`, percent: null, full: false };
  if (count === undefined) return { label: `Up to ${plural(limit, 'host')}`, percent: null, full: false };
  const percent = limit > 0 ? Math.min(100, Math.round((count / limit) * 100)) : 100;
  return { label: `${formatCount(count)} of ${plural(limit, 'host')}`, percent, full: count >= limit };
}
