/**
 * The Patch Wizard's rules (C9.2): six fixed steps, those that do not apply to the way it was opened are shown
 * muted and skipped (Back skips them too), and what the Submit step sends.
 */
import type { PatchRun, PatchType, RolloutSpec, TriggerRequest } from '../../api/patching';
import { runHostName, runHref, runsHref } from './logic';

export type StepKey = 'hosts' | 'packages' | 'validate' | 'timing' | 'approval' | 'submit';

export const STEPS: { key: StepKey; label: string }[] = [
  { key: 'hosts', label: 'Hosts' },
  { key: 'packages', label: 'Packages' },
  { key: 'validate', label: 'Validate' },
  { key: 'timing', label: 'Timing' },
  { key: 'approval', label: 'Approval' },
  { key: 'submit', label: 'Submit' },
];

export interface HostRef {
  id: string;
  name: string;
}

/** A run the approve mode approves (from a row's Approve or Skip & patch, or the run's page). */
export interface ApproveTarget {
  id: string;
  host_id: string;
  host_name: string;
  patch_type: PatchType;
  package_names: string[];
  status: string;
}

export interface TriggerSetup {
  mode: 'trigger';
  patchType: PatchType;
  /** Locked hosts (a host's page). Absent: the Hosts step offers the hosts that need `packages[0]` (a package's page). */
  hosts?: HostRef[];
  /** The packages asked for (patch_package). */
  packages: string[];
  /** The Packages step lists this host's outdated packages to choose from ("Patch selected packages"). */
  choosePackagesOf?: string;
}

export interface ApproveSetup {
  mode: 'approve';
  runs: ApproveTarget[];
}

export type WizardSetup = TriggerSetup | ApproveSetup;

/** The approve mode for runs of a list or a run's page. */
export function approveSetup(runs: PatchRun[]): ApproveSetup {
  return {
    mode: 'approve',
    runs: runs.map((r) => ({ id: r.id, host_id: r.host_id, host_name: runHostName(r), patch_type: r.patch_type, package_names: r.package_names, status: r.status })),
  };
}

export function stepApplies(setup: WizardSetup, step: StepKey): boolean {
  if (step === 'timing' || step === 'submit') return true;
  if (setup.mode === 'approve') return false;
  const packages = setup.patchType === 'patch_package';
  switch (step) {
    case 'hosts':
      return !setup.hosts;
    case 'packages':
      return packages && (Boolean(setup.choosePackagesOf) || setup.packages.length > 1);
    case 'validate':
    case 'approval':
      return packages;
  }
}

export function firstStep(setup: WizardSetup): StepKey {
  return STEPS.find((s) => stepApplies(setup, s.key))?.key ?? 'submit';
}

/** The next step that applies, or null after Submit. */
export function nextStep(setup: WizardSetup, current: StepKey): StepKey | null {
  const index = STEPS.findIndex((s) => s.key === current);
  return STEPS.slice(index + 1).find((s) => stepApplies(setup, s.key))?.key ?? null;
}

/** The previous step that applies, or null on the first. */
export function previousStep(setup: WizardSetup, current: StepKey): StepKey | null {
  const index = STEPS.findIndex((s) => s.key === current);
  return STEPS.slice(0, Math.max(0, index)).reverse().find((s) => stepApplies(setup, s.key))?.key ?? null;
}

/** A dry run started by the Validate step, with the status it was last seen in. */
export interface DryRun {
  runId: string;
  hostId: string;
  status: string;
}

/** "approve": run now (or as the policy says); "request": leave it for a second reviewer. */
export type ApprovalChoice = 'approve' | 'request';

export interface PlanInput {
  setup: WizardSetup;
  /** Hosts chosen (trigger mode). */
  hostIds: string[];
  /** Packages chosen (patch_package). */
  packages: string[];
  /** The dry runs of the Validate step; null when validation was skipped (or does not apply). */
  dryRuns: DryRun[] | null;
  approval: ApprovalChoice;
  /** Hosts whose run ignores the policy and runs now (`schedule_override: "immediate"`). */
  immediate: ReadonlySet<string>;
  /** The Submit step's "Roll out gradually", when on (and offered: rolloutApplies). */
  rollout?: RolloutSpec | null;
}

export type SubmitPlan =
  | { kind: 'approve'; items: { runId: string; hostId: string; immediate: boolean }[]; skipped: DryRun[] }
  | { kind: 'trigger'; requests: TriggerRequest[] }
  /** The validated dry runs stay as they are, awaiting a reviewer's approval. */
  | { kind: 'leave'; runIds: string[] };

/** The server takes at most this many hosts per trigger. */
export const MAX_HOSTS_PER_TRIGGER = 100;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/**
 * The hosts the run will patch: in trigger mode with dry runs and "approve", only those whose dry run was
 * validated; otherwise every chosen host (or every run's host in approve mode).
 */
export function patchedHostIds(input: Omit<PlanInput, 'immediate'>): string[] {
  // Several runs of one host (approving a batch) share its row and its override.
  if (input.setup.mode === 'approve') return [...new Set(input.setup.runs.map((r) => r.host_id))];
  if (input.dryRuns) return input.dryRuns.filter((d) => d.status === 'validated').map((d) => d.hostId);
  return input.hostIds;
}

/**
 * Whether Submit offers a rollout: runs triggered now on more than one host — not dry runs to approve, not a request
 * for approval (the server refuses a rollout with either). The module and the hosts' count limit are the caller's.
 */
export function rolloutApplies(input: Pick<PlanInput, 'setup' | 'hostIds' | 'dryRuns' | 'approval'>): boolean {
  return input.setup.mode === 'trigger' && input.dryRuns === null && input.approval === 'approve' && input.hostIds.length > 1;
}

/**
 * What Submit sends (C9.3, C9.4, C9.6, C9.7). A rollout is one trigger of every host, without overrides: it starts
 * its runs now, as its limits allow.
 */
export function submitPlan(input: PlanInput): SubmitPlan {
  const { setup } = input;
  if (setup.mode === 'approve') {
    return { kind: 'approve', items: setup.runs.map((r) => ({ runId: r.id, hostId: r.host_id, immediate: input.immediate.has(r.host_id) })), skipped: [] };
  }
  if (input.dryRuns) {
    const validated = input.dryRuns.filter((d) => d.status === 'validated');
    if (input.approval === 'request') return { kind: 'leave', runIds: validated.map((d) => d.runId) };
    return {
      kind: 'approve',
      items: validated.map((d) => ({ runId: d.runId, hostId: d.hostId, immediate: input.immediate.has(d.hostId) })),
      skipped: input.dryRuns.filter((d) => d.status !== 'validated'),
    };
  }
  const base: Pick<TriggerRequest, 'patch_type' | 'package_names'> = setup.patchType === 'patch_package'
    ? { patch_type: 'patch_package', package_names: input.packages }
    : { patch_type: 'patch_all' };
  if (input.approval === 'request') {
    // Requests for approval are never timed: the policy applies when they are approved.
    return { kind: 'trigger', requests: chunks(input.hostIds, MAX_HOSTS_PER_TRIGGER).map((ids) => ({ ...base, host_ids: ids, pending_approval: true })) };
  }
  if (input.rollout && rolloutApplies(input)) {
    return { kind: 'trigger', requests: [{ ...base, host_ids: input.hostIds, rollout: input.rollout }] };
  }
  const now = input.hostIds.filter((id) => input.immediate.has(id));
  const timed = input.hostIds.filter((id) => !input.immediate.has(id));
  return {
    kind: 'trigger',
    requests: [
      ...chunks(timed, MAX_HOSTS_PER_TRIGGER).map((ids): TriggerRequest => ({ ...base, host_ids: ids })),
      ...chunks(now, MAX_HOSTS_PER_TRIGGER).map((ids): TriggerRequest => ({ ...base, host_ids: ids, schedule_override: 'immediate' })),
    ],
  };
}

/** What a submission came to, for a caller that reports it itself (Runs & History's bulk approve banner). */
export interface WizardResult {
  /** Runs approved, queued or left for approval. */
  done: number;
  failed: { name: string; message: string }[];
}

/** Where the wizard goes after submitting: the run's page for one run, else Runs & History filtered. */
export function afterSubmitPath(created: { runId: string; status: string }[], patchType: PatchType | null): string {
  if (created.length === 1 && created[0]) return runHref(created[0].runId);
  const statuses = new Set(created.map((c) => c.status));
  const [only] = [...statuses];
  return runsHref({ status: statuses.size === 1 && only ? only : '', type: patchType ?? '' });
}
