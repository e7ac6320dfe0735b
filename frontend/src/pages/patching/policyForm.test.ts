import { describe, expect, it } from 'vitest';

import { ROLLOUT_DEFAULTS } from '../../components/patching/rollout';
import { cronProblem, policyDefaults, policyErrorField, policySchema, toPolicyWrite, type PolicyValues } from './policyForm';

function values(overrides: Partial<PolicyValues> = {}, window: Partial<PolicyValues['window']> = {}): PolicyValues {
  const base = policyDefaults(null);
  return { ...base, name: 'Weekend', patch_delay_type: 'maintenance_window', ...overrides, window: { ...base.window, ...window } };
}

function problems(input: PolicyValues): Record<string, string> {
  const result = policySchema.safeParse(input);
  return Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]));
}

describe('a maintenance window in the policy form', () => {
  it('needs days and a time, or a valid cron expression', () => {
    expect(problems(values({}, { days: [], time: '2am' }))).toEqual({ 'window.days': 'Choose at least one day', 'window.time': 'Enter a time as HH:MM, e.g. 02:00' });
    expect(problems(values({}, { days: ['SAT'], time: '02:00' }))).toEqual({});
    // With a cron expression the days and time are not asked for, nor the warning.
    expect(problems(values({}, { advanced: true, days: [], time: '', cron: 'cron(0 2 ? * SAT *)', warn_minutes: 'x' }))).toEqual({});
    expect(problems(values({}, { advanced: true, cron: '0 2 * * 6' }))['window.cron']).toBe('Write it as cron(…), e.g. cron(0 2 ? * SAT,SUN *)');
    expect(problems(values({}, { advanced: true, cron: 'cron(0 2 * * 6)' }))['window.cron']).toMatch(/six fields/);
    expect(problems(values({}, { advanced: true, cron: '' }))['window.cron']).toMatch(/^Enter a cron expression/);
  });

  it('keeps the duration within 15–1440 minutes and the warning within 0–1440', () => {
    const base = { days: ['SUN' as const], time: '02:00' };
    expect(problems(values({}, { ...base, duration_minutes: '10' }))['window.duration_minutes']).toBe('Enter a whole number of minutes from 15 to 1440');
    expect(problems(values({}, { ...base, duration_minutes: '1441' }))['window.duration_minutes']).toBeDefined();
    expect(problems(values({}, { ...base, duration_minutes: '15', warn_minutes: '1441' }))['window.warn_minutes']).toBe('Enter a whole number of minutes from 0 to 1440');
  });

  it('asks nothing of the window for other delay types', () => {
    expect(problems(values({ patch_delay_type: 'immediate' }, { days: [], time: '' }))).toEqual({});
  });

  it('sends days (in EventBridge order) and time, or the cron alone, and no window for other types', () => {
    const days = toPolicyWrite(values({ timezone: 'Europe/London' }, { days: ['SUN', 'SAT', 'MON'], time: ' 02:00 ', duration_minutes: '90', operation: 'security', warn_minutes: '30' }));
    expect(days).toEqual({
      name: 'Weekend', description: null, patch_delay_type: 'maintenance_window', delay_minutes: null, fixed_time: null, timezone: 'Europe/London',
      reboot_policy: 'never', pre_hooks: [], post_hooks: [], post_reboot_hooks: [],
      window: { days: ['SUN', 'MON', 'SAT'], time: '02:00', duration_minutes: 90, operation: 'security', warn_minutes: 30, paused: false },
    });
    const cron = toPolicyWrite(values({}, { advanced: true, cron: ' cron(0 2 ? * SAT *) ', days: ['SUN'], warn_minutes: '30', paused: true }));
    expect(cron.window).toEqual({ cron: 'cron(0 2 ? * SAT *)', duration_minutes: 180, operation: 'patch_all', warn_minutes: 0, paused: true });
    expect(toPolicyWrite(values({ patch_delay_type: 'fixed_time', fixed_time: '03:00' })).window).toBeNull();
  });

  it('reads a window policy back into the form', () => {
    const form = policyDefaults({
      id: 'p1', name: 'W', description: null, patch_delay_type: 'maintenance_window', delay_minutes: null, fixed_time: null, timezone: null,
      assignment_count: 0, created_at: null, updated_at: null, reboot_policy: 'if_required', pre_hooks: ['systemctl stop app'], post_hooks: [], post_reboot_hooks: [],
      window: { days: null, time: null, cron: 'cron(0 3 1 * ? *)', duration_minutes: 60, operation: 'security', warn_minutes: 0, paused: true },
    });
    expect(form.window).toEqual({
      advanced: true, days: [], time: '02:00', cron: 'cron(0 3 1 * ? *)', duration_minutes: '60', operation: 'security', warn_minutes: '0', paused: true,
      rollout: { ...ROLLOUT_DEFAULTS, enabled: false },
    });
    expect(form.pre_hooks).toEqual([{ command: 'systemctl stop app' }]);
    expect(form.reboot_policy).toBe('if_required');
  });
});

describe('a window\'s rollout in the policy form', () => {
  const on = { ...ROLLOUT_DEFAULTS, enabled: true };
  const window = { days: ['SAT' as const], time: '02:00' };

  it('is left out of the body while off, and sent as numbers and percentages while on', () => {
    expect(toPolicyWrite(values({}, window)).window).not.toHaveProperty('rollout');
    expect(toPolicyWrite(values({}, { ...window, rollout: { ...on, max_concurrency: ' 3 ', max_errors: '' } })).window?.rollout).toEqual({ max_concurrency: 3 });
    expect(toPolicyWrite(values({}, {
      ...window, rollout: { ...on, max_concurrency: '25 %', max_errors: '2', first_ring: 'group', first_ring_group_id: 'g1', ring_success_threshold: '90' },
    })).window?.rollout).toEqual({ max_concurrency: '25%', max_errors: 2, first_ring_group_id: 'g1', ring_success_threshold: 90 });
    // Another delay type has no window, so no rollout.
    expect(toPolicyWrite(values({ patch_delay_type: 'immediate' }, { ...window, rollout: on })).window).toBeNull();
  });

  it('checks the rollout fields only for a window whose rollout is on', () => {
    const bad = { ...on, max_concurrency: '0', max_errors: '150%', first_ring: 'group' as const, ring_success_threshold: '0' };
    expect(problems(values({}, { ...window, rollout: bad }))).toEqual({
      'window.rollout.max_concurrency': 'Enter at least 1',
      'window.rollout.max_errors': 'A percentage is from 1% to 100%',
      'window.rollout.first_ring_group_id': 'Choose a host group',
      'window.rollout.ring_success_threshold': 'Enter a whole percentage from 1 to 100',
    });
    expect(problems(values({}, { ...window, rollout: { ...bad, enabled: false } }))).toEqual({});
    expect(problems(values({ patch_delay_type: 'immediate' }, { ...window, rollout: bad }))).toEqual({});
  });

  it('reads a window\'s rollout back, hosts named through the API kept', () => {
    const form = policyDefaults({
      id: 'p1', name: 'W', description: null, patch_delay_type: 'maintenance_window', delay_minutes: null, fixed_time: null, timezone: null,
      assignment_count: 0, created_at: null, updated_at: null,
      window: { days: ['SAT'], time: '02:00', duration_minutes: 60, operation: 'patch_all', warn_minutes: 0, paused: false,
        rollout: { max_concurrency: '10%', first_ring_host_ids: ['h1', 'h2'], ring_success_threshold: 50 } },
    });
    expect(form.window.rollout).toEqual({
      enabled: true, max_concurrency: '10%', max_errors: '', first_ring: 'hosts', first_ring_group_id: '', first_ring_host_ids: ['h1', 'h2'],
      ring_success_threshold: '50',
    });
    expect(toPolicyWrite(form).window?.rollout).toEqual({ max_concurrency: '10%', first_ring_host_ids: ['h1', 'h2'], ring_success_threshold: 50 });
  });
});

describe('hooks in the policy form', () => {
  it('takes at most 10 one-line commands of at most 1,024 characters each, and sends them trimmed', () => {
    const hook = (command: string) => ({ command });
    expect(problems(values({ patch_delay_type: 'immediate', pre_hooks: [hook('x'.repeat(1024))] }))).toEqual({});
    expect(problems(values({ patch_delay_type: 'immediate', pre_hooks: [hook('ok'), hook('x'.repeat(1025))] }))).toEqual({ 'pre_hooks.1.command': 'Use at most 1,024 characters' });
    expect(problems(values({ patch_delay_type: 'immediate', post_hooks: [hook('  ')] }))).toEqual({ 'post_hooks.0.command': 'Enter a command, or remove this hook' });
    expect(problems(values({ patch_delay_type: 'immediate', post_reboot_hooks: [hook('a\nb')] }))).toEqual({ 'post_reboot_hooks.0.command': 'Write the command on one line' });
    expect(problems(values({ patch_delay_type: 'immediate', pre_hooks: Array.from({ length: 11 }, () => hook('true')) }))).toEqual({ pre_hooks: 'Add at most 10 hooks' });
    const body = toPolicyWrite(values({ patch_delay_type: 'immediate', reboot_policy: 'always', post_hooks: [hook(' systemctl start app ')] }));
    expect(body).toMatchObject({ reboot_policy: 'always', pre_hooks: [], post_hooks: ['systemctl start app'], post_reboot_hooks: [], window: null });
  });
});

describe('server refusals in the policy form', () => {
  it('go under the field they name', () => {
    const form = values({ pre_hooks: [{ command: 'a' }, { command: 'b' }] });
    expect(policyErrorField('window.days.0', form)).toBe('window.days');
    expect(policyErrorField('window.time', form)).toBe('window.time');
    expect(policyErrorField('window.duration_minutes', form)).toBe('window.duration_minutes');
    expect(policyErrorField('window', form)).toBe('window.days');
    expect(policyErrorField('window', values({}, { advanced: true }))).toBe('window.cron');
    expect(policyErrorField('pre_hooks.1', form)).toBe('pre_hooks.1.command');
    expect(policyErrorField('pre_hooks.5', form)).toBe('pre_hooks');
    expect(policyErrorField('post_hooks', form)).toBe('post_hooks');
    expect(policyErrorField('fixed_time_utc', form)).toBe('fixed_time');
    expect(policyErrorField('name', form)).toBe('name');
    expect(policyErrorField('body', form)).toBeUndefined();
    expect(policyErrorField('window.rollout.max_concurrency.constrained-str', form)).toBe('window.rollout.max_concurrency');
    expect(policyErrorField('window.rollout.ring_success_threshold', form)).toBe('window.rollout.ring_success_threshold');
    expect(policyErrorField('window.rollout', form)).toBeUndefined();
  });

  it('tells what is wrong with a cron expression', () => {
    expect(cronProblem('cron(0 2 ? * SAT,SUN *)')).toBeNull();
    expect(cronProblem(`cron(${'1 '.repeat(60)})`)).toBe('Use at most 120 characters');
  });
});
