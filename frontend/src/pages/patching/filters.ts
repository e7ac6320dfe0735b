/** The Patching page's URL state: the tab (`?tab=overview|runs|rollouts|policies`), the runs filters and the expanded policy. */
import type { PatchType, RunsQuery } from '../../api/patching';
import { PAGE_SIZES } from '../../components/pageSize';
import { STATUS_FILTERS, TYPE_FILTERS } from '../../components/patching/logic';

export const TABS = [
  { value: 'overview', label: 'Overview' },
  { value: 'runs', label: 'Runs & History' },
  { value: 'rollouts', label: 'Rollouts' },
  { value: 'policies', label: 'Policies' },
] as const;

export type TabValue = (typeof TABS)[number]['value'];

/** The tabs shown: Rollouts only with the `patching_policies` module (Policies shows "Upgrade required" without it). */
export function visibleTabs(rollouts: boolean): readonly (typeof TABS)[number][] {
  return rollouts ? TABS : TABS.filter((tab) => tab.value !== 'rollouts');
}

/** `?tab=`: one of the tabs shown, else the Overview. */
export function tabFrom(params: URLSearchParams, shown: readonly { value: TabValue }[] = TABS): TabValue {
  const value = params.get('tab');
  return shown.find((tab) => tab.value === value)?.value ?? 'overview';
}

export interface RunFilters {
  status: string;
  type: string;
}

const STATUSES = new Set(STATUS_FILTERS.map((s) => s.value));
const TYPES = new Set(TYPE_FILTERS.map((t) => t.value));

/** `?status=` and `?type=`; unknown values read as "All". */
export function runFiltersFromParams(params: URLSearchParams): RunFilters {
  const status = params.get('status') ?? '';
  const type = params.get('type') ?? '';
  return { status: STATUSES.has(status) ? status : '', type: TYPES.has(type) ? type : '' };
}

/** The URL's params with `changes` applied (empty values left out), other params kept. */
export function withRunFilters(params: URLSearchParams, changes: Partial<RunFilters>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of ['status', 'type'] as const) {
    if (!(name in changes)) continue;
    const value = changes[name];
    if (value) next.set(name, value);
    else next.delete(name);
  }
  return next;
}

export function hasRunFilters(filters: RunFilters): boolean {
  return Boolean(filters.status || filters.type);
}

export function toRunsQuery(filters: RunFilters): RunsQuery {
  return { status: filters.status || undefined, type: (filters.type || undefined) as PatchType | undefined };
}

/** Runs & History's rows per page (C11.5): 25 by default, kept in this browser under `patching-runs-limit`. */
export const RUNS_LIMIT_KEY = 'patching-runs-limit';
const DEFAULT_RUNS_LIMIT = 25;

export function parseRunsLimit(raw: string | null): number {
  const value = Number(raw);
  return (PAGE_SIZES as readonly number[]).includes(value) ? value : DEFAULT_RUNS_LIMIT;
}
