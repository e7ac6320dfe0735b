/**
 * Runs & History's two selection sets (C11.10), delete and approve, independent of each other: pure functions over
 * the runs ticked (kept by id, across pages of the same list) and the page on screen.
 */
import type { PatchRun } from '../../api/patching';
import { bulkEligible, type BulkSet } from '../../components/patching/logic';

export type Selected = ReadonlyMap<string, PatchRun>;

/** The selection with one run ticked or unticked. */
export function toggled(selected: Selected, run: PatchRun, on: boolean): Map<string, PatchRun> {
  const next = new Map(selected);
  if (on) next.set(run.id, run);
  else next.delete(run.id);
  return next;
}

/** The header checkbox: every run of the page that may join the set, ticked (or all of them unticked). */
export function withPage(selected: Selected, page: readonly PatchRun[], set: BulkSet, on: boolean): Map<string, PatchRun> {
  const next = new Map(selected);
  for (const run of page) {
    if (!bulkEligible(run, set)) continue;
    if (on) next.set(run.id, run);
    else next.delete(run.id);
  }
  return next;
}

/** The header checkbox's state for the page: none, some or all of its eligible runs ticked. */
export function pageTicks(selected: Selected, page: readonly PatchRun[], set: BulkSet): { eligible: number; checked: boolean; indeterminate: boolean } {
  const eligible = page.filter((run) => bulkEligible(run, set));
  const ticked = eligible.filter((run) => selected.has(run.id)).length;
  return { eligible: eligible.length, checked: eligible.length > 0 && ticked === eligible.length, indeterminate: ticked > 0 && ticked < eligible.length };
}

/**
 * The runs a bulk action acts on: those ticked, as the page now shows them (a poll may have changed them), without
 * those that left the set meanwhile (approved by someone else, started…). Runs ticked on another page are kept as seen.
 */
export function current(selected: Selected, page: readonly PatchRun[] | undefined, set: BulkSet): PatchRun[] {
  const shown = new Map((page ?? []).map((run) => [run.id, run]));
  return [...selected.values()].map((run) => shown.get(run.id) ?? run).filter((run) => bulkEligible(run, set));
}
