/**
 * The role matrix and the role editor's logic (D24.5-D24.11): permissions by tier × roles, presets, per-tier
 * select/deselect, and what an edit changes. Mirrors chalicelib/rbac (PRESETS, ROLE_KEY_RE).
 */
import type { PermissionCatalogue, PermissionTier, RoleView } from '../../../api/users';

type Preset = 'readonly' | 'operator' | 'admin' | 'clear';

export const PRESETS: { value: Preset; label: string; description: string }[] = [
  { value: 'readonly', label: 'Read only', description: 'Just the Monitoring & Visibility group' },
  { value: 'operator', label: 'Operator', description: 'Everything except the Administration group' },
  { value: 'admin', label: 'Admin', description: 'Every permission' },
  { value: 'clear', label: 'Clear all', description: 'Start from zero' },
];

/** The colour of each risk tier in the matrix (low → high). */
export const TIER_COLORS: Record<string, string> = { monitoring: 'green', infrastructure: 'yellow', operations: 'orange', administration: 'red' };

const ROLE_NAME_RE = /^[a-z][a-z0-9_]{1,39}$/;

function allKeys(catalogue: PermissionCatalogue): string[] {
  return catalogue.tiers.flatMap((tier) => tier.permissions.map((p) => p.key));
}

function tierKeys(catalogue: PermissionCatalogue, tier: string): string[] {
  return catalogue.tiers.find((t) => t.tier === tier)?.permissions.map((p) => p.key) ?? [];
}

/** The permissions a preset grants (the server's PRESETS). */
export function presetKeys(preset: Preset, catalogue: PermissionCatalogue): Set<string> {
  switch (preset) {
    case 'readonly': return new Set(tierKeys(catalogue, 'monitoring'));
    case 'operator': {
      const admin = new Set(tierKeys(catalogue, 'administration'));
      return new Set(allKeys(catalogue).filter((key) => !admin.has(key)));
    }
    case 'admin': return new Set(allKeys(catalogue));
    case 'clear': return new Set();
  }
}

/** Which preset (if any) a selection is exactly. */
export function matchingPreset(selection: ReadonlySet<string>, catalogue: PermissionCatalogue): Preset | null {
  for (const { value } of PRESETS) {
    const keys = presetKeys(value, catalogue);
    if (keys.size === selection.size && [...keys].every((key) => selection.has(key))) return value;
  }
  return null;
}

export function grantedKeys(role: RoleView): Set<string> {
  return new Set(Object.entries(role.permissions).filter(([, on]) => on).map(([key]) => key));
}

export function toggle(selection: ReadonlySet<string>, key: string): Set<string> {
  const next = new Set(selection);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

/** Tick or untick every permission of a tier ("Select all" / "Deselect all" on a group header). */
export function setTier(selection: ReadonlySet<string>, tier: PermissionTier, on: boolean): Set<string> {
  const next = new Set(selection);
  for (const { key } of tier.permissions) {
    if (on) next.add(key);
    else next.delete(key);
  }
  return next;
}

export function tierState(selection: ReadonlySet<string>, tier: PermissionTier): 'all' | 'some' | 'none' {
  const held = tier.permissions.filter((p) => selection.has(p.key)).length;
  if (held === 0) return 'none';
  return held === tier.permissions.length ? 'all' : 'some';
}

interface PermissionDiff {
  added: string[];
  removed: string[];
}

/** What an edit changes, in catalogue order. */
export function diffPermissions(before: ReadonlySet<string>, after: ReadonlySet<string>, catalogue: PermissionCatalogue): PermissionDiff {
  const keys = allKeys(catalogue);
  return { added: keys.filter((k) => after.has(k) && !before.has(k)), removed: keys.filter((k) => before.has(k) && !after.has(k)) };
}

export function isUnchanged(diff: PermissionDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0;
}

/** "Adds View Hosts, Manage Docker. Removes Export Data." (empty when nothing changes). */
export function describeDiff(diff: PermissionDiff, catalogue: PermissionCatalogue): string {
  const labels = new Map(catalogue.tiers.flatMap((t) => t.permissions.map((p) => [p.key, p.label] as const)));
  const names = (keys: string[]) => keys.map((key) => labels.get(key) ?? key).join(', ');
  return [diff.added.length ? `Adds ${names(diff.added)}.` : '', diff.removed.length ? `Removes ${names(diff.removed)}.` : '']
    .filter(Boolean).join(' ');
}

/** The selection as the server wants it: the granted keys in catalogue order. */
export function toBody(selection: ReadonlySet<string>, catalogue: PermissionCatalogue): string[] {
  return allKeys(catalogue).filter((key) => selection.has(key));
}

export function countGranted(selection: ReadonlySet<string>, catalogue: PermissionCatalogue): number {
  return allKeys(catalogue).filter((key) => selection.has(key)).length;
}

/** Why a new role name cannot be used, or null. PUT on an existing name would overwrite that role, so names must be new. */
export function roleNameProblem(name: string, existing: readonly RoleView[]): string | null {
  if (!ROLE_NAME_RE.test(name)) return 'Lowercase letters, digits and underscores, starting with a letter (2 to 40 characters)';
  if (existing.some((role) => role.role === name)) return 'A role with this name already exists';
  return null;
}
