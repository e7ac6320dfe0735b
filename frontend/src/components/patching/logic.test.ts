import { describe, expect, it } from 'vitest';

import { ApiError } from '../../api/errors';
import type { PatchRun } from '../../api/patching';
import {
  BUSY_STATUSES, bulkEligible, bulkResultTitle, daysLabel, durationLabel, extraDeps, heldRefusal, previewLabel, rebootPill, rebootSummary, rowActions,
  runPollInterval, runsHref, runTypeLabel, scheduleLabel, startedAt, statusColor, statusFilters, statusLabel,
} from './logic';

function run(status: string, overrides: Partial<PatchRun> = {}): Pick<PatchRun, 'status' | 'patch_type' | 'deletable'> {
  const deletable = ['queued', 'pending_validation', 'pending_approval', 'validated', 'approved', 'scheduled', 'waiting'].includes(status);
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
    expect(rowActions(run('waiting'), true)).toEqual(['delete', 'view']); // a rollout's run not started yet
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

describe('the waiting status (a rollout\'s run not started yet)', () => {
  it('reads "Waiting", has its own colour, keeps lists polling fast, and is a status filter only with rollouts', () => {
    expect(statusLabel('waiting')).toBe('Waiting');
    expect(statusColor('waiting')).toBe('violet');
    expect(BUSY_STATUSES.has('waiting')).toBe(true);
    expect(runPollInterval({ status: 'waiting', post_patch: null }, false)).toBe(5000);
    expect(statusFilters(true)).toContainEqual({ value: 'waiting', label: 'Waiting' });
    expect(statusFilters(false).map((s) => s.value)).not.toContain('waiting');
    expect(statusFilters(false)).toHaveLength(statusFilters(true).length - 1);
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

  it('polls every 10 s while the run is rebooting its host, until the host is back', () => {
    expect(runPollInterval({ status: 'completed', post_patch: 'report_received', reboot: { decision: 'rebooting', status: 'rebooting' } }, false)).toBe(10_000);
    expect(runPollInterval({ status: 'completed', post_patch: 'report_received', reboot: { decision: 'rebooting', status: 'host_back' } }, false)).toBe(false);
    expect(runPollInterval({ status: 'completed', post_patch: null, reboot: { decision: 'not_allowed' } }, false)).toBe(false);
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

describe('policies and maintenance windows in words', () => {
  const window = { days: ['SUN', 'SAT'] as ('SUN' | 'SAT')[], time: '02:00', cron: null, duration_minutes: 180, operation: 'security' as const, warn_minutes: 0, paused: false };

  it('reads a window: days (Monday first, runs as ranges), time, zone, duration, operation', () => {
    expect(scheduleLabel({ patch_delay_type: 'maintenance_window', timezone: 'Europe/London', window })).toBe('Sat, Sun at 02:00 Europe/London · 3 h · security only');
    expect(scheduleLabel({ patch_delay_type: 'maintenance_window', timezone: null, window: { ...window, operation: 'patch_all', duration_minutes: 90 } }))
      .toBe('Sat, Sun at 02:00 (organisation timezone) · 1 h 30 min');
    expect(scheduleLabel({ patch_delay_type: 'maintenance_window', timezone: 'UTC', window: { ...window, days: null, time: null, cron: 'cron(0 3 1 * ? *)', duration_minutes: 45 } }))
      .toBe('cron(0 3 1 * ? *) UTC · 45 min · security only');
    expect(scheduleLabel({ patch_delay_type: 'fixed_time', fixed_time: '03:00', timezone: 'Europe/London' })).toBe('Fixed time 03:00 Europe/London');
  });

  it('names days and durations compactly', () => {
    expect(daysLabel(['MON', 'TUE', 'WED', 'THU', 'FRI'])).toBe('Mon–Fri');
    expect(daysLabel(['MON', 'WED', 'FRI'])).toBe('Mon, Wed, Fri');
    expect(daysLabel(['SAT', 'SUN', 'MON'])).toBe('Mon, Sat, Sun');
    expect(daysLabel(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'])).toBe('Every day');
    expect(durationLabel(180)).toBe('3 h');
    expect(durationLabel(15)).toBe('15 min');
    expect(durationLabel(1440)).toBe('24 h');
  });

  it('says a window host waits for the next opening', () => {
    expect(previewLabel({ immediate: false, run_at_iso: '2026-03-14T02:00:00Z', timezone: 'Europe/London', policy_name: 'Weekend', patch_delay_type: 'maintenance_window', fixed_time: null }))
      .toBe('Waits for the Weekend window: Sat 14 Mar, 02:00 Europe/London');
  });
});

describe('reboots', () => {
  it('sums up each decision for the run page', () => {
    expect(rebootSummary({ policy: 'always', decision: 'rebooting', status: 'rebooting', kernel_before: '6.1.0-25' })).toMatchObject({ color: 'blue', title: 'Rebooting…' });
    const back = rebootSummary({
      policy: 'if_required', required: true, decision: 'rebooting', status: 'host_back', kernel_before: '6.1.0-25', kernel_after: '6.1.0-26', new_kernel: true,
      host_back_at: '2026-03-10T12:03:00Z',
    });
    expect(back.color).toBe('green');
    const at = new Date('2026-03-10T12:03:00Z').toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }); // "12:03" in UTC
    expect(back.title).toBe(`Host back at ${at}, new kernel 6.1.0-26 (was 6.1.0-25)`);
    expect(rebootSummary({ decision: 'rebooting', status: 'host_back', kernel_before: 'k1', kernel_after: 'k1', new_kernel: false }).title).toBe('Host back, same kernel k1');
    expect(rebootSummary({ policy: 'never', required: true, decision: 'not_allowed', reason: '/var/run/reboot-required exists' }))
      .toEqual({ color: 'orange', title: 'Reboot required but the policy says never', details: ['/var/run/reboot-required exists', 'Reboot the host yourself, or change the policy.'] });
    expect(rebootSummary({ policy: 'if_required', required: false, decision: 'not_required' })).toMatchObject({ color: 'gray', title: 'No reboot needed' });
    expect(rebootSummary({ policy: 'always', decision: 'skipped', reason: 'the run failed' })).toMatchObject({ title: 'Reboot skipped', details: ['the run failed', 'Reboot policy: Always'] });
  });

  it('marks rebooting, rebooted and not-allowed runs in the runs table only', () => {
    expect(rebootPill({ decision: 'rebooting', status: 'rebooting' })?.label).toBe('Rebooting');
    expect(rebootPill({ decision: 'rebooting', status: 'host_back' })?.label).toBe('Rebooted');
    expect(rebootPill({ decision: 'not_allowed' })?.label).toBe('Reboot required');
    expect(rebootPill({ decision: 'not_required' })).toBeNull();
    expect(rebootPill(null)).toBeNull();
  });
});

describe('a refusal for a held package', () => {
  it('carries the server\'s sentence and the held names', () => {
    const body = { error: 'curl is held on web-01 (hold cur*); remove the hold to patch it', code: 'package_held', held: ['curl'] };
    expect(heldRefusal(new ApiError(409, 'package_held', body.error, body))).toEqual({ message: body.error, held: ['curl'] });
    expect(heldRefusal(new ApiError(409, 'not_approvable', 'no', {}))).toBeNull();
    expect(heldRefusal(new Error('x'))).toBeNull();
  });
});
