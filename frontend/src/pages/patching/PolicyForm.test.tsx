import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import { PATCHER, READER } from './fixtures.test-data';
import PatchingPage from './index';

const routes = [{ path: '/patching/*', element: <PatchingPage /> }];

const WINDOW_POLICY = {
  id: 'p2', name: 'Weekend', description: null, patch_delay_type: 'maintenance_window', delay_minutes: null, fixed_time: null, fixed_time_utc: null,
  timezone: 'Europe/London', assignment_count: 1, created_at: '2026-01-01T00:00:00Z', updated_at: null, reboot_policy: 'if_required',
  pre_hooks: ['systemctl stop app'], post_hooks: [], post_reboot_hooks: [],
  window: { days: ['SUN', 'SAT'], time: '02:00', cron: null, duration_minutes: 180, operation: 'security', warn_minutes: 30, paused: true },
};

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function openCreate(user: ReturnType<typeof userEvent.setup>) {
  await user.click((await screen.findAllByRole('button', { name: 'Create policy' }))[0]!);
  return screen.findByRole('dialog', { name: 'Create policy' });
}

describe('the policy form', () => {
  it('creates a maintenance window from weekdays and a time, and puts a server refusal under its field', async () => {
    const created = { ...WINDOW_POLICY, id: 'p9', name: 'Nights' };
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': () => ({ body: { items: [] } }),
      'POST /patching/policies': [
        { status: 400, body: { error: "window.days.0: Input should be 'SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI' or 'SAT'", code: 'invalid_input' } },
        { status: 201, body: created },
      ],
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=policies');
    const dialog = await openCreate(user);

    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Nights');
    await user.selectOptions(within(dialog).getByLabelText('Patch delay'), 'maintenance_window');
    const days = within(dialog).getByRole('group', { name: /^Days/ });
    expect(within(days).getAllByRole('checkbox').map((c) => c.getAttribute('value'))).toEqual(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
    expect(within(dialog).getByRole('textbox', { name: /^Duration \(minutes\)/ })).toHaveValue('180');

    // Client-side: no day, and a time that is not HH:MM.
    const time = within(dialog).getByRole('textbox', { name: /^Opens at/ });
    await user.clear(time);
    await user.type(time, '2am');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(await within(dialog).findByText('Choose at least one day')).toBeInTheDocument();
    expect(within(dialog).getByText('Enter a time as HH:MM, e.g. 02:00')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.click(within(days).getByRole('checkbox', { name: 'Sat' }));
    await user.click(within(days).getByRole('checkbox', { name: 'Sun' }));
    await user.clear(time);
    await user.type(time, '02:30');
    await user.selectOptions(within(dialog).getByLabelText('Operation'), 'security');
    const warn = within(dialog).getByRole('textbox', { name: /^Warn N minutes before/ });
    await user.clear(warn);
    await user.type(warn, '30');
    await user.selectOptions(within(dialog).getByLabelText('Timezone'), 'Europe/London');
    await user.selectOptions(within(dialog).getByLabelText(/^Reboot/), 'if_required');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));

    // The server's refusal of a day goes under Days (window.days.0 → window.days).
    expect(await within(dialog).findByText("Input should be 'SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI' or 'SAT'")).toBeInTheDocument();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Policy "Nights" created');
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]?.body).toEqual({
      name: 'Nights', description: null, patch_delay_type: 'maintenance_window', delay_minutes: null, fixed_time: null, timezone: 'Europe/London',
      reboot_policy: 'if_required', pre_hooks: [], post_hooks: [], post_reboot_hooks: [],
      window: { days: ['SUN', 'SAT'], time: '02:30', duration_minutes: 180, operation: 'security', warn_minutes: 30, paused: false },
    });
  });

  it('takes a cron expression instead, checked before sending, without a warning', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': () => ({ body: { items: [] } }),
      'POST /patching/policies': { status: 201, body: { ...WINDOW_POLICY, name: 'Monthly' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=policies');
    const dialog = await openCreate(user);

    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Monthly');
    await user.selectOptions(within(dialog).getByLabelText('Patch delay'), 'maintenance_window');
    await user.click(within(dialog).getByRole('switch', { name: 'Advanced: cron expression' }));
    expect(within(dialog).queryByRole('group', { name: /^Days/ })).not.toBeInTheDocument();
    expect(within(dialog).getByRole('textbox', { name: /^Warn N minutes before/ })).toBeDisabled();
    const cron = within(dialog).getByRole('textbox', { name: /^Cron expression/ });
    await user.type(cron, '0 3 1 * *');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(await within(dialog).findByText('Write it as cron(…), e.g. cron(0 2 ? * SAT,SUN *)')).toBeInTheDocument();

    await user.clear(cron);
    await user.type(cron, 'cron(0 3 1 * ?)');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(await within(dialog).findByText(/six fields/)).toBeInTheDocument();

    await user.clear(cron);
    await user.type(cron, 'cron(0 3 1 * ? *)');
    const duration = within(dialog).getByRole('textbox', { name: /^Duration \(minutes\)/ });
    await user.clear(duration);
    await user.type(duration, '60');
    await user.click(within(dialog).getByRole('switch', { name: /^Paused/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));

    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      patch_delay_type: 'maintenance_window', reboot_policy: 'never',
      window: { cron: 'cron(0 3 1 * ? *)', duration_minutes: 60, operation: 'patch_all', warn_minutes: 0, paused: true },
    });
  });

  it('edits the hook lists: at most 10 one-line commands each, ≤ 1,024 characters, with the root and dry-run note', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': () => ({ body: { items: [] } }),
      'POST /patching/policies': { status: 201, body: { ...WINDOW_POLICY, name: 'Hooks' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=policies');
    const dialog = await openCreate(user);

    expect(within(dialog).getByText(/Hooks run as root on the host/)).toHaveTextContent('They are never run in a dry run.');
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Hooks');
    const addPre = within(dialog).getByRole('button', { name: 'Add pre-patch hook' });
    for (let i = 0; i < 10; i += 1) await user.click(addPre);
    expect(addPre).toBeDisabled();
    expect(within(dialog).getByText('At most 10 hooks.')).toBeInTheDocument();
    const pre = within(dialog).getByRole('group', { name: /^Pre-patch hooks/ });
    expect(within(pre).getAllByRole('textbox')).toHaveLength(10);
    for (let i = 10; i > 2; i -= 1) await user.click(within(pre).getByRole('button', { name: `Remove pre-patch hook ${i}` }));
    expect(addPre).toBeEnabled();

    await user.type(within(pre).getByRole('textbox', { name: 'Pre-patch hooks: command 1' }), 'systemctl stop app');
    await user.click(within(pre).getByRole('textbox', { name: 'Pre-patch hooks: command 2' }));
    await user.paste('x'.repeat(1025));
    await user.click(within(dialog).getByRole('button', { name: 'Add after-reboot hook' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(await within(dialog).findByText('Use at most 1,024 characters')).toBeInTheDocument();
    expect(within(dialog).getByText('Enter a command, or remove this hook')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.click(within(pre).getByRole('button', { name: 'Remove pre-patch hook 2' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'After-reboot hooks: command 1' }), 'systemctl start app');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      patch_delay_type: 'immediate', pre_hooks: ['systemctl stop app'], post_hooks: [], post_reboot_hooks: ['systemctl start app'], window: null,
    });
  });

  it('lists a window with its days, time, zone, duration and operation, marks it paused, and edits it with its values', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': () => ({ body: { items: [WINDOW_POLICY] } }),
      'PUT /patching/policies/p2': (body) => ({ body: { ...WINDOW_POLICY, ...(body as object) } }),
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=policies');

    const table = await screen.findByRole('table', { name: 'Patch policies' });
    expect(within(table).getByText('Sat, Sun at 02:00 Europe/London · 3 h · security only')).toBeInTheDocument();
    expect(within(table).getByText('Paused')).toBeInTheDocument();
    expect(within(table).getByText('Reboot if required')).toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit policy' });
    const days = within(dialog).getByRole('group', { name: /^Days/ });
    expect(within(days).getAllByRole('checkbox').filter((c) => (c as HTMLInputElement).checked).map((c) => c.getAttribute('value'))).toEqual(['SAT', 'SUN']);
    expect(within(dialog).getByRole('switch', { name: /^Paused/ })).toBeChecked();
    expect(within(dialog).getByRole('textbox', { name: 'Pre-patch hooks: command 1' })).toHaveValue('systemctl stop app');
    await user.click(within(dialog).getByRole('switch', { name: /^Paused/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Update policy' }));

    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({
      reboot_policy: 'if_required', pre_hooks: ['systemctl stop app'],
      window: { days: ['SUN', 'SAT'], time: '02:00', duration_minutes: 180, operation: 'security', warn_minutes: 30, paused: false },
    });
  });

  it('rolls a window out gradually: checked before sending, sent as window.rollout', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': () => ({ body: { items: [] } }),
      'GET /host-groups': { body: { groups: [{ id: 'g1', name: 'Canaries', description: null, color: '#E03131', created_at: null, updated_at: null }] } },
      'POST /patching/policies': { status: 201, body: { ...WINDOW_POLICY, name: 'Waves' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=policies');
    const dialog = await openCreate(user);

    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Waves');
    expect(within(dialog).queryByRole('switch', { name: /Roll out gradually/ })).not.toBeInTheDocument(); // a window's only
    await user.selectOptions(within(dialog).getByLabelText('Patch delay'), 'maintenance_window');
    await user.click(within(within(dialog).getByRole('group', { name: /^Days/ })).getByRole('checkbox', { name: 'Sat' }));
    const section = within(dialog).getByRole('group', { name: 'Rollout' });
    await user.click(within(section).getByRole('switch', { name: /Roll out gradually/ }));
    expect(within(section).getByRole('note')).toHaveTextContent('wait their turn as "Waiting"');
    const concurrency = within(section).getByRole('textbox', { name: /^At most N hosts at once/ });
    await user.clear(concurrency);
    await user.type(concurrency, '0');
    await user.clear(within(section).getByRole('textbox', { name: /^Stop after M failures/ }));
    await user.click(within(section).getByRole('radio', { name: 'A host group' }));
    expect(within(section).queryByRole('radio', { name: /Chosen hosts/ })).not.toBeInTheDocument(); // no hosts to choose from here
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(await within(section).findByText('Enter at least 1')).toBeInTheDocument();
    expect(within(section).getByText('Choose a host group')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(concurrency);
    await user.type(concurrency, '3');
    const group = within(section).getByRole('combobox', { name: /^First ring host group/ });
    await waitFor(() => expect(within(group).getByRole('option', { name: 'Canaries' })).toBeInTheDocument());
    await user.selectOptions(group, 'g1');
    const threshold = within(section).getByRole('textbox', { name: /^Go on when the first ring's success rate reaches/ });
    await user.clear(threshold);
    await user.type(threshold, '90');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));

    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      patch_delay_type: 'maintenance_window',
      window: { days: ['SAT'], time: '02:00', rollout: { max_concurrency: 3, first_ring_group_id: 'g1', ring_success_threshold: 90 } },
    });
  });

  it('edits a window\'s rollout from its values, and warns when the server did not say whether it has one', async () => {
    const rolling = { ...WINDOW_POLICY, window: { ...WINDOW_POLICY.window, rollout: { max_concurrency: '20%', max_errors: 2 } } };
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': () => ({ body: { items: [rolling, { ...WINDOW_POLICY, id: 'p3', name: 'Nights' }] } }),
      'PUT /patching/policies/p2': (body) => ({ body: { ...rolling, ...(body as object) } }),
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=policies');

    const table = await screen.findByRole('table', { name: 'Patch policies' });
    expect(within(table).getAllByText('Rolls out gradually')).toHaveLength(1);
    const [editRolling, editOther] = within(table).getAllByRole('button', { name: 'Edit' });
    await user.click(editOther!);
    let dialog = await screen.findByRole('dialog', { name: 'Edit policy' });
    expect(within(dialog).getByTestId('rollout-unknown')).toHaveTextContent('saving applies the rollout set here');
    expect(within(dialog).getByRole('switch', { name: /Roll out gradually/ })).not.toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await user.click(editRolling!);
    dialog = await screen.findByRole('dialog', { name: 'Edit policy' });
    expect(within(dialog).queryByTestId('rollout-unknown')).not.toBeInTheDocument();
    expect(within(dialog).getByRole('switch', { name: /Roll out gradually/ })).toBeChecked();
    expect(within(dialog).getByRole('textbox', { name: /^At most N hosts at once/ })).toHaveValue('20%');
    const failures = within(dialog).getByRole('textbox', { name: /^Stop after M failures/ });
    expect(failures).toHaveValue('2');
    await user.clear(failures);
    await user.type(failures, '5%');
    await user.click(within(dialog).getByRole('button', { name: 'Update policy' }));

    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect((calls.find((c) => c.method === 'PUT')?.body as { window: unknown }).window).toMatchObject({ rollout: { max_concurrency: '20%', max_errors: '5%' } });
  });

  it('shows a reader the window without any write action', async () => {
    stubApi({ 'GET /me/context': { body: READER }, 'GET /patching/policies': { body: { items: [WINDOW_POLICY] } } });
    renderRoutes(routes, '/patching?tab=policies');

    const table = await screen.findByRole('table', { name: 'Patch policies' });
    expect(within(table).getByText('Paused')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /create|edit|delete/i })).not.toBeInTheDocument();
  });
});
