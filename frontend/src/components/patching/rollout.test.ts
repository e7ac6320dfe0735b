import { describe, expect, it } from 'vitest';

import type { Rollout } from '../../api/patching';
import {
  parseLimit, progressParts, ringCounts, ringName, ringState, ringSuccessRate, ROLLOUT_DEFAULTS, rolloutLimits, rolloutPollInterval, rolloutProblems,
  rolloutSource, rolloutSpecLabel, rolloutValues, stopReasonSentence, stopResultMessage, toRolloutSpec, type RolloutValues,
} from './rollout';

const ON: RolloutValues = { ...ROLLOUT_DEFAULTS, enabled: true };
const HOSTS = ['h1', 'h2', 'h3', 'h4'];

describe('a rollout limit ("At most N hosts at once", "Stop after M failures")', () => {
  it('is a whole number of hosts, or a percentage of them from 1% to 100%; empty is no limit', () => {
    expect(parseLimit('5')).toEqual({ ok: true, value: 5 });
    expect(parseLimit(' 25 % ')).toEqual({ ok: true, value: '25%' });
    expect(parseLimit('100%')).toEqual({ ok: true, value: '100%' });
    expect(parseLimit('007%')).toEqual({ ok: true, value: '7%' });
    expect(parseLimit('')).toEqual({ ok: true, value: null });
    expect(parseLimit('0')).toEqual({ ok: false, message: 'Enter at least 1' });
    expect(parseLimit('0%')).toEqual({ ok: false, message: 'A percentage is from 1% to 100%' });
    expect(parseLimit('101%')).toEqual({ ok: false, message: 'A percentage is from 1% to 100%' });
    for (const bad of ['2.5', '-1', 'ten', '25%%', '%25']) {
      expect(parseLimit(bad)).toEqual({ ok: false, message: 'Enter a whole number (e.g. 5) or a percentage (e.g. 25%)' });
    }
    expect(parseLimit('1000000')).toEqual({ ok: false, message: 'Enter at most 100,000' });
  });
});

describe('the rollout fields', () => {
  it('ask nothing while the rollout is off', () => {
    expect(rolloutProblems({ ...ON, enabled: false, max_concurrency: 'x' }, { hostIds: HOSTS })).toEqual({});
    expect(toRolloutSpec({ ...ON, enabled: false })).toBeNull();
  });

  it('accept the defaults: 25% at once, stop after 1 failure, no first ring', () => {
    expect(rolloutProblems(ON, { hostIds: HOSTS })).toEqual({});
    expect(toRolloutSpec(ON, { hostIds: HOSTS })).toEqual({ max_concurrency: '25%', max_errors: 1 });
  });

  it('say what is wrong with each field', () => {
    expect(rolloutProblems({ ...ON, max_concurrency: '0', max_errors: 'many' })).toEqual({
      max_concurrency: 'Enter at least 1', max_errors: 'Enter a whole number (e.g. 5) or a percentage (e.g. 25%)',
    });
    expect(rolloutProblems({ ...ON, first_ring: 'group' })).toEqual({ first_ring_group_id: 'Choose a host group' });
    expect(rolloutProblems({ ...ON, first_ring: 'group', first_ring_group_id: 'g1', ring_success_threshold: '0' }))
      .toEqual({ ring_success_threshold: 'Enter a whole percentage from 1 to 100' });
    expect(rolloutProblems({ ...ON, first_ring: 'group', first_ring_group_id: 'g1', ring_success_threshold: '101' })).toHaveProperty('ring_success_threshold');
    expect(rolloutProblems({ ...ON, first_ring: 'group', first_ring_group_id: 'g1', ring_success_threshold: '99.5' })).toHaveProperty('ring_success_threshold');
    // The threshold is not asked for without a first ring.
    expect(rolloutProblems({ ...ON, ring_success_threshold: '' })).toEqual({});
  });

  it('choose the first ring among the rollout\'s hosts, leaving some for later', () => {
    expect(rolloutProblems({ ...ON, first_ring: 'hosts' }, { hostIds: HOSTS })).toEqual({ first_ring_host_ids: 'Choose at least one host for the first ring' });
    expect(rolloutProblems({ ...ON, first_ring: 'hosts', first_ring_host_ids: ['gone'] }, { hostIds: HOSTS }))
      .toEqual({ first_ring_host_ids: 'Choose at least one host for the first ring' });
    expect(rolloutProblems({ ...ON, first_ring: 'hosts', first_ring_host_ids: HOSTS }, { hostIds: HOSTS }))
      .toEqual({ first_ring_host_ids: 'Leave some hosts for after the first ring' });
    expect(rolloutProblems({ ...ON, first_ring: 'hosts', first_ring_host_ids: ['h3', 'h1'] }, { hostIds: HOSTS })).toEqual({});
  });

  it('need at least a limit, a failure stop or a first ring, and at most the hosts one trigger takes', () => {
    expect(rolloutProblems({ ...ON, max_concurrency: '', max_errors: '' })).toEqual({ max_concurrency: 'Set how many hosts at once, when to stop, or a first ring' });
    expect(rolloutProblems({ ...ON, max_concurrency: '', max_errors: '' , first_ring: 'group', first_ring_group_id: 'g1' })).toEqual({});
    expect(rolloutProblems(ON, { hostIds: ['a', 'b', 'c'], maxHosts: 2 })).toEqual({ enabled: 'A rollout takes at most 2 hosts; choose fewer hosts' });
  });

  it('send numbers as numbers, percentages as "N%", a group or the chosen hosts (in the rollout\'s order) with the threshold', () => {
    expect(toRolloutSpec({ ...ON, max_concurrency: '2', max_errors: '10%' })).toEqual({ max_concurrency: 2, max_errors: '10%' });
    expect(toRolloutSpec({ ...ON, max_concurrency: '50%', max_errors: '', first_ring: 'group', first_ring_group_id: 'g1' }))
      .toEqual({ max_concurrency: '50%', first_ring_group_id: 'g1', ring_success_threshold: 100 });
    expect(toRolloutSpec({ ...ON, max_concurrency: '1', first_ring: 'hosts', first_ring_host_ids: ['h3', 'gone', 'h1'], ring_success_threshold: ' 80 ' }, { hostIds: HOSTS }))
      .toEqual({ max_concurrency: 1, max_errors: 1, first_ring_host_ids: ['h1', 'h3'], ring_success_threshold: 80 });
    // A group chosen, then hosts: only the ring chosen last is sent.
    expect(toRolloutSpec({ ...ON, first_ring: 'hosts', first_ring_group_id: 'g1', first_ring_host_ids: ['h2'] }, { hostIds: HOSTS }))
      .not.toHaveProperty('first_ring_group_id');
  });

  it('read a stored rollout back (a window\'s), and say it in words', () => {
    expect(rolloutValues(null)).toEqual(ROLLOUT_DEFAULTS);
    const spec = { max_concurrency: 3, max_errors: '10%' as const, first_ring_group_id: 'g1', ring_success_threshold: 90 };
    expect(rolloutValues(spec)).toEqual({ ...ON, max_concurrency: '3', max_errors: '10%', first_ring: 'group', first_ring_group_id: 'g1', ring_success_threshold: '90' });
    expect(toRolloutSpec(rolloutValues(spec))).toEqual(spec);
    expect(rolloutSpecLabel(spec)).toBe('3 hosts at a time · stops after 10% failed · first ring first (90%)');
    expect(rolloutSpecLabel({ max_concurrency: '25%', max_errors: 1 })).toBe('25% of the hosts at a time · stops after 1 failed run');
  });
});

const ROLLOUT: Rollout = {
  id: 'ro1', status: 'running', total: 10, max_concurrency: 2, max_errors: 3, ring_success_threshold: 75, current_ring: 1, in_flight: 2, succeeded: 3,
  failed: 1, cancelled: 0, waiting: 4, stop_reason: null, stopped_by: null, created_at: '2026-03-10T10:00:00Z', completed_at: null, source: 'trigger',
  policy_name: null, initiated_by: 'root', rings: [{ size: 2, succeeded: 2, failed: 0, cancelled: 0 }, { size: 8, succeeded: 1, failed: 1, cancelled: 0 }],
};

describe('a rollout\'s progress', () => {
  it('splits the bar into succeeded, failed, cancelled, in flight and waiting, as shares of its hosts', () => {
    expect(progressParts(ROLLOUT).map((p) => [p.key, p.value, p.percent])).toEqual([
      ['succeeded', 3, 30], ['failed', 1, 10], ['cancelled', 0, 0], ['in_flight', 2, 20], ['waiting', 4, 40],
    ]);
    expect(progressParts({ ...ROLLOUT, total: 0, succeeded: 0, failed: 0, in_flight: 0, waiting: 0 }).every((p) => p.percent === 0)).toBe(true);
    expect(ringCounts({ size: 8, succeeded: 1, failed: 1, cancelled: 0 })).toEqual({ total: 8, succeeded: 1, failed: 1, cancelled: 0, in_flight: 0, waiting: 6 });
  });

  it('names its rings, where they stand and the first ring\'s success rate', () => {
    expect([ringName(0, 2), ringName(1, 2), ringName(0, 1)]).toEqual(['First ring', 'The rest', 'Every host']);
    expect([ringState(ROLLOUT, 0), ringState(ROLLOUT, 1)]).toEqual(['Done', 'In progress']);
    expect(ringState({ status: 'running', current_ring: 0 }, 1)).toBe('Waits for the first ring');
    expect(ringState({ status: 'stopped', current_ring: 0 }, 0)).toBeNull();
    expect(ringSuccessRate({ size: 3, succeeded: 2, failed: 1, cancelled: 0 })).toBe(67);
  });

  it('reads its limits, its source and why it stopped', () => {
    expect(rolloutLimits(ROLLOUT)).toEqual({ concurrency: '2 hosts at a time', errors: 'Stops after 3 failed runs' });
    expect(rolloutLimits({ ...ROLLOUT, max_concurrency: 10, max_errors: null })).toEqual({ concurrency: 'All 10 hosts at once', errors: 'Never stops on failures' });
    expect(rolloutSource(ROLLOUT)).toBe('Triggered by root');
    expect(rolloutSource({ source: 'window', policy_name: 'Weekend', initiated_by: null })).toBe('Maintenance window Weekend');
    expect(stopReasonSentence('stopped after 2 failed runs (the limit is 2)')).toBe('Stopped after 2 failed runs (the limit is 2)');
    expect(stopResultMessage({ cancelled: 4, stopped: 2 })).toBe('Rollout stopped: 4 waiting runs cancelled, 2 runs stopped');
    expect(stopResultMessage({ cancelled: 1, stopped: 0 })).toBe('Rollout stopped: 1 waiting run cancelled');
  });

  it('is polled every 5 s while running, not once it has ended', () => {
    expect(rolloutPollInterval(ROLLOUT)).toBe(5_000);
    expect(rolloutPollInterval({ status: 'completed' })).toBe(false);
    expect(rolloutPollInterval({ status: 'stopped' })).toBe(false);
    expect(rolloutPollInterval(undefined)).toBe(false);
  });
});
