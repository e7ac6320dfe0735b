import { describe, expect, it } from 'vitest';

import type { PatchRun } from '../../api/patching';
import { bulkEligible, bulkResultTitle, extraDeps, previewLabel, rowActions, runPollInterval, runsHref, runTypeLabel, startedAt } from './logic';

function run(status: string, overrides: Partial<PatchRun> = {}): Pick<PatchRun, 'status' | 'patch_type' | 'deletable'> {
  const deletable = ['queued', 'pending_validation', 'pending_approval', 'validated', 'approved', 'scheduled'].includes(status);
  return { status, patch_type: 'patch_package', deletable, ...overrides };
}

describe('row actions by status', () => {
  it('offers what each status allows to a patch manager (C11.9)', () => {
    expect(rowActions(run('pending_validation'), true)).toEqual(['retry', 'skip', 'delete', 'view']);
    expect(rowActions(run('pending_validation', { patch_type: 'patch_all' }), true)).toEqual(['skip', 'delete', 'view']);
    expect(rowActions(run('pending_approval'), true)).toEqual(['approve', 'delete', 'view']);
    expect(rowActions(run('validated'), true)).toEqual(['approve', 'delete', 'view']);
    expect(rowActions(run('scheduled'), true)).toEqual(['delete', 'view']);
    expect(rowActions(run('queued'), true)).toEqual(['delete', 'view']);
    for (const status of ['running', 'completed', 'failed', 'cancelled', 'timed_out', 'agent_disconnected']) {
      expect(rowActions(run(status), true)).toEqual(['view']);
    }
  });

  it('offers only View to a reader', () => {
    for (const status of ['pending_validation', 'pending_approval', 'validated', 'queued', 'running']) expect(rowActions(run(status), false)).toEqual(['view']);
  });
});

describe('how runs read', () => {
  it('names the type compactly', () => {
    expect(runTypeLabel({ patch_type: 'patch_all', package_names: [] })).toBe('Patch all');
    expect(runTypeLabel({ patch_type: 'patch_package', package_names: ['curl', 'openssl'] })).toBe('curl, openssl');
    expect(runTypeLabel({ patch_type: 'patch_package', package_names: ['a', 'b', 'c', 'd'] })).toBe('a, b +2 more');
  });

  it('starts the Started column at started_at, else the scheduled time, else the creation', () => {
    expect(startedAt({ started_at: 's', scheduled_at: 'x', created_at: 'c' })).toEqual({ iso: 's', kind: 'started' });
    expect(startedAt({ started_at: null, scheduled_at: 'x', created_at: 'c' })).toEqual({ iso: 'x', kind: 'scheduled' });
    expect(startedAt({ started_at: null, scheduled_at: null, created_at: 'c' })).toEqual({ iso: 'c', kind: 'created' });
  });

  it('marks the packages beyond those asked for', () => {
    expect([...extraDeps(['curl'], [{ name: 'curl' }, { name: 'libcurl4' }])]).toEqual(['libcurl4']);
    expect(extraDeps(['curl'], null).size).toBe(0);
  });

  it('reads the Timing preview', () => {
    const base = { run_at_iso: '2026-03-10T03:00:00Z', timezone: 'Europe/London', policy_name: 'Nightly' };
    expect(previewLabel({ ...base, immediate: true, patch_delay_type: 'immediate', fixed_time: null })).toBe('Runs immediately');
    expect(previewLabel({ ...base, immediate: false, patch_delay_type: 'fixed_time', fixed_time: '03:00' })).toBe('Runs at 03:00 Europe/London via Nightly');
    expect(previewLabel({ ...base, immediate: false, patch_delay_type: 'delayed', fixed_time: null, run_at_iso: '2026-07-01T13:30:00Z' }))
      .toBe('Runs at 14:30 Europe/London via Nightly');
  });

  it('links to Runs & History filtered', () => {
    expect(runsHref()).toBe('/patching?tab=runs');
    expect(runsHref({ status: 'pending_approval', type: 'patch_all' })).toBe('/patching?tab=runs&status=pending_approval&type=patch_all');
  });
});

describe('polling a run (C11.13)', () => {
  it('polls while waiting, running or awaiting the post-patch report, and not otherwise', () => {
    expect(runPollInterval({ status: 'queued', post_patch: null }, false)).toBe(3000);
    expect(runPollInterval({ status: 'pending_validation', post_patch: null }, true)).toBe(3000);
    expect(runPollInterval({ status: 'running', post_patch: null }, true)).toBe(5000);
    expect(runPollInterval({ status: 'running', post_patch: null }, false)).toBe(3000);
    expect(runPollInterval({ status: 'completed', post_patch: 'awaiting_report' }, false)).toBe(3000);
    expect(runPollInterval({ status: 'completed', post_patch: 'report_received' }, false)).toBe(false);
    expect(runPollInterval({ status: 'failed', post_patch: null }, false)).toBe(false);
    expect(runPollInterval(undefined, false)).toBe(false);
  });
});

describe('bulk selection (C11.10)', () => {
  it('lets a run join the delete set when not started, the approve set when awaiting a decision', () => {
    const flags = (status: string) => ({
      deletable: ['queued', 'pending_validation', 'pending_approval', 'validated', 'approved', 'scheduled'].includes(status),
      approvable: ['validated', 'pending_validation', 'pending_approval'].includes(status),
    });
    const sets = (status: string) => (['delete', 'approve'] as const).filter((set) => bulkEligible(flags(status), set));
    expect(sets('validated')).toEqual(['delete', 'approve']);
    expect(sets('pending_validation')).toEqual(['delete', 'approve']);
    expect(sets('pending_approval')).toEqual(['delete', 'approve']);
    expect(sets('approved')).toEqual(['delete']);
    expect(sets('scheduled')).toEqual(['delete']);
    expect(sets('running')).toEqual([]);
    expect(sets('completed')).toEqual([]);
  });

  it('titles the result banner with the failures, if any', () => {
    expect(bulkResultTitle('Approved', 5, 1)).toBe('Approved 5, 1 failed');
    expect(bulkResultTitle('Approved', 3, 0)).toBe('Approved 3');
    expect(bulkResultTitle('Deleted', 0, 2)).toBe('Deleted 0, 2 failed');
  });
});
