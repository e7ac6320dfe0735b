import { describe, expect, it } from 'vitest';

import {
  afterSubmitPath, firstStep, nextStep, patchedHostIds, previousStep, rolloutApplies, STEPS, stepApplies, submitPlan, type PlanInput, type WizardSetup,
} from './wizard';

const HOST = [{ id: 'h1', name: 'web-01' }];

function shown(setup: WizardSetup): string[] {
  return STEPS.filter((s) => stepApplies(setup, s.key)).map((s) => s.key);
}

describe('the wizard steps (C9.2)', () => {
  it('patch_all on a locked host opens at Timing and goes on to Submit', () => {
    const setup: WizardSetup = { mode: 'trigger', patchType: 'patch_all', hosts: HOST, packages: [] };
    expect(shown(setup)).toEqual(['timing', 'submit']);
    expect(firstStep(setup)).toBe('timing');
    expect(nextStep(setup, 'timing')).toBe('submit');
    expect(nextStep(setup, 'submit')).toBeNull();
    expect(previousStep(setup, 'timing')).toBeNull();
  });

  it('patch_package of one package skips Hosts and Packages; Back skips them too', () => {
    const setup: WizardSetup = { mode: 'trigger', patchType: 'patch_package', hosts: HOST, packages: ['curl'] };
    expect(shown(setup)).toEqual(['validate', 'timing', 'approval', 'submit']);
    expect(firstStep(setup)).toBe('validate');
    expect(previousStep(setup, 'validate')).toBeNull();
    expect(previousStep(setup, 'submit')).toBe('approval');
  });

  it('shows Packages for several packages or for choosing from a host, Hosts for a package of the fleet', () => {
    expect(shown({ mode: 'trigger', patchType: 'patch_package', hosts: HOST, packages: ['a', 'b'] })).toEqual(['packages', 'validate', 'timing', 'approval', 'submit']);
    expect(shown({ mode: 'trigger', patchType: 'patch_package', hosts: HOST, packages: [], choosePackagesOf: 'h1' })[0]).toBe('packages');
    const fleet: WizardSetup = { mode: 'trigger', patchType: 'patch_package', packages: ['curl'] };
    expect(shown(fleet)).toEqual(['hosts', 'validate', 'timing', 'approval', 'submit']);
    expect(nextStep(fleet, 'hosts')).toBe('validate');
    expect(previousStep(fleet, 'validate')).toBe('hosts');
    expect(shown({ mode: 'trigger', patchType: 'patch_all', packages: [] })).toEqual(['hosts', 'timing', 'submit']);
  });

  it('approve mode has only Timing and Submit', () => {
    const setup: WizardSetup = { mode: 'approve', runs: [{ id: 'r1', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_package', package_names: ['curl'], status: 'validated' }] };
    expect(shown(setup)).toEqual(['timing', 'submit']);
  });
});

describe('what Submit sends', () => {
  const packageSetup: WizardSetup = { mode: 'trigger', patchType: 'patch_package', packages: ['curl'] };
  const base: PlanInput = { setup: packageSetup, hostIds: ['h1', 'h2', 'h3'], packages: ['curl'], dryRuns: null, approval: 'approve', immediate: new Set() };

  it('approves the validated dry runs, with each host\'s override, and leaves the rest', () => {
    const plan = submitPlan({
      ...base, immediate: new Set(['h2']),
      dryRuns: [{ runId: 'r1', hostId: 'h1', status: 'validated' }, { runId: 'r2', hostId: 'h2', status: 'validated' }, { runId: 'r3', hostId: 'h3', status: 'failed' }],
    });
    expect(plan).toEqual({
      kind: 'approve',
      items: [{ runId: 'r1', hostId: 'h1', immediate: false }, { runId: 'r2', hostId: 'h2', immediate: true }],
      skipped: [{ runId: 'r3', hostId: 'h3', status: 'failed' }],
    });
  });

  it('leaves validated dry runs for a reviewer when submitted for approval', () => {
    expect(submitPlan({ ...base, approval: 'request', dryRuns: [{ runId: 'r1', hostId: 'h1', status: 'validated' }] })).toEqual({ kind: 'leave', runIds: ['r1'] });
  });

  it('triggers without validation, splitting the hosts that run immediately', () => {
    expect(submitPlan({ ...base, immediate: new Set(['h3']) })).toEqual({
      kind: 'trigger',
      requests: [
        { patch_type: 'patch_package', package_names: ['curl'], host_ids: ['h1', 'h2'] },
        { patch_type: 'patch_package', package_names: ['curl'], host_ids: ['h3'], schedule_override: 'immediate' },
      ],
    });
    expect(submitPlan({ ...base, setup: { mode: 'trigger', patchType: 'patch_all', hosts: HOST, packages: [] }, hostIds: ['h1'], approval: 'request' })).toEqual({
      kind: 'trigger', requests: [{ patch_type: 'patch_all', host_ids: ['h1'], pending_approval: true }],
    });
  });

  it('sends at most 100 hosts per trigger', () => {
    const hostIds = Array.from({ length: 150 }, (_, i) => `h${i}`);
    const plan = submitPlan({ ...base, hostIds });
    expect(plan.kind === 'trigger' && plan.requests.map((r) => r.host_ids.length)).toEqual([100, 50]);
  });

  it('goes to the run for one, to Runs & History filtered for many', () => {
    expect(afterSubmitPath([{ runId: 'r9', status: 'queued' }], 'patch_all')).toBe('/patching/runs/r9');
    expect(afterSubmitPath([{ runId: 'a', status: 'scheduled' }, { runId: 'b', status: 'scheduled' }], 'patch_package'))
      .toBe('/patching?tab=runs&status=scheduled&type=patch_package');
    expect(afterSubmitPath([{ runId: 'a', status: 'scheduled' }, { runId: 'b', status: 'queued' }], 'patch_all')).toBe('/patching?tab=runs&type=patch_all');
  });

  it('approves a batch of runs in one pass: one Timing row per host, each run sent with its host\'s override (C11.10)', () => {
    const setup: WizardSetup = {
      mode: 'approve',
      runs: [
        { id: 'r1', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_package', package_names: ['curl'], status: 'validated' },
        { id: 'r2', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_all', package_names: [], status: 'pending_approval' },
        { id: 'r3', host_id: 'h2', host_name: 'db-01', patch_type: 'patch_all', package_names: [], status: 'pending_validation' },
      ],
    };
    const input: PlanInput = { ...base, setup, immediate: new Set(['h1']) };
    expect(patchedHostIds(input)).toEqual(['h1', 'h2']);
    expect(submitPlan(input)).toEqual({
      kind: 'approve',
      items: [{ runId: 'r1', hostId: 'h1', immediate: true }, { runId: 'r2', hostId: 'h1', immediate: true }, { runId: 'r3', hostId: 'h2', immediate: false }],
      skipped: [],
    });
  });

  describe('with a rollout', () => {
    const rollout = { max_concurrency: 2, max_errors: '10%' as const };
    const allSetup: WizardSetup = { mode: 'trigger', patchType: 'patch_all', hosts: [...HOST, { id: 'h2', name: 'db-01' }, { id: 'h3', name: 'app-01' }], packages: [] };
    const input: PlanInput = { ...base, setup: allSetup, rollout };

    it('is offered for runs triggered now on more than one host: not one host, not dry runs, not for approval, not approving', () => {
      expect(rolloutApplies(input)).toBe(true);
      expect(rolloutApplies({ ...input, hostIds: ['h1'] })).toBe(false);
      expect(rolloutApplies({ ...input, approval: 'request' })).toBe(false);
      expect(rolloutApplies({ ...input, setup: packageSetup, dryRuns: [{ runId: 'r1', hostId: 'h1', status: 'validated' }] })).toBe(false);
      expect(rolloutApplies({ ...input, setup: { mode: 'approve', runs: [] } })).toBe(false);
      expect(rolloutApplies({ ...input, setup: packageSetup })).toBe(true); // validation skipped
    });

    it('sends one trigger of every host with the rollout and no override (the rollout starts the runs now)', () => {
      expect(submitPlan({ ...input, immediate: new Set(['h2']) })).toEqual({
        kind: 'trigger', requests: [{ patch_type: 'patch_all', host_ids: ['h1', 'h2', 'h3'], rollout }],
      });
      expect(submitPlan({ ...input, setup: packageSetup })).toEqual({
        kind: 'trigger', requests: [{ patch_type: 'patch_package', package_names: ['curl'], host_ids: ['h1', 'h2', 'h3'], rollout }],
      });
    });

    it('is dropped where it does not apply: a request for approval, or approving dry runs', () => {
      expect(submitPlan({ ...input, approval: 'request' })).toEqual({
        kind: 'trigger', requests: [{ patch_type: 'patch_all', host_ids: ['h1', 'h2', 'h3'], pending_approval: true }],
      });
      expect(submitPlan({ ...input, setup: packageSetup, dryRuns: [{ runId: 'r1', hostId: 'h1', status: 'validated' }] }).kind).toBe('approve');
    });
  });
});
