import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { PatchRunDetail } from '../../api/patching';
import { ME, renderRoutes, stubApi } from '../../test/render';
import PatchWizard from './PatchWizard';
import type { WizardSetup } from './wizard';

const PATCHER = { ...ME, permissions: ['can_view_hosts', 'can_view_packages', 'can_manage_patching'], modules: ['patching'] };

function routesFor(setup: WizardSetup) {
  return [
    { path: '/', element: <PatchWizard opened onClose={() => undefined} setup={setup} /> },
    { path: '/patching/*', element: <p>Landed</p> },
  ];
}

function steps() {
  const list = screen.getByRole('list', { name: 'Steps' });
  return within(list).getAllByRole('listitem').map((item) => ({ text: item.textContent, current: item.getAttribute('aria-current') === 'step', skipped: item.dataset.skipped === 'true' }));
}

const PREVIEW = {
  host_id: 'h1', host_name: 'web-01', run_at_iso: '2026-03-11T03:00:00Z', immediate: false, policy_id: 'p1', policy_name: 'Nightly',
  patch_delay_type: 'fixed_time', delay_minutes: null, fixed_time: '03:00', timezone: 'Europe/London',
};

function dryRun(id: string, hostId: string, status: string, extra: Partial<PatchRunDetail> = {}) {
  return {
    id, host_id: hostId, host_name: hostId, patch_type: 'patch_package', package_names: ['curl'], dry_run: true, status, initiated_by: 'root', approved_by: null,
    created_at: '2026-03-10T10:00:00Z', scheduled_at: null, started_at: null, completed_at: null, policy_name: 'Nightly', validation_run_id: null,
    execution_run_id: null, extra_deps_count: 0, error_message: null, deletable: true, approvable: true, policy_id: null, policy_snapshot: null,
    packages_affected: null, shell_output: '', output_seq: 0, output_truncated: false, cancelled_by: null, post_patch: null,
    host: { id: hostId, exists: true }, ...extra,
  };
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Patch Wizard', () => {
  it('patch_all on one host opens at Timing, skips the package steps, and queues with the override', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/preview-run': { body: PREVIEW },
      'POST /patching/trigger': { status: 201, body: { message: 'Patch run queued', runs: [{ patch_run_id: 'n1', host_id: 'h1', host_name: 'web-01', status: 'queued', run_at: null }] } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_all', hosts: [{ id: 'h1', name: 'web-01' }], packages: [] }));

    const dialog = await screen.findByRole('dialog', { name: 'Patch all packages on web-01' });
    expect(steps()).toEqual([
      { text: '1. Hosts (skipped)', current: false, skipped: true },
      { text: '2. Packages (skipped)', current: false, skipped: true },
      { text: '3. Validate (skipped)', current: false, skipped: true },
      { text: '4. Timing', current: true, skipped: false },
      { text: '5. Approval (skipped)', current: false, skipped: true },
      { text: '6. Submit', current: false, skipped: false },
    ]);
    expect(within(dialog).queryByRole('button', { name: 'Back' })).not.toBeInTheDocument();
    expect(await within(dialog).findByText('Runs at 03:00 Europe/London via Nightly')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('checkbox', { name: 'Run immediately' }));
    await user.click(screen.getByTestId('wizard-next'));

    expect(steps().find((s) => s.current)?.text).toBe('6. Submit');
    expect(within(dialog).getByText('Immediately (override)')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Back' }));
    expect(steps().find((s) => s.current)?.text).toBe('4. Timing');
    await user.click(screen.getByTestId('wizard-next'));
    expect(screen.getByTestId('wizard-submit')).toHaveTextContent('Queue & patch');
    await user.click(screen.getByTestId('wizard-submit'));

    await waitFor(() => expect(router.state.location.pathname).toBe('/patching/runs/n1'));
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST', path: '/patching/trigger', body: { host_ids: ['h1'], patch_type: 'patch_all', schedule_override: 'immediate' },
    });
  });

  it('from a package: picks the hosts that need it, runs the dry run, then approves only the validated run', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /packages/curl/hosts': {
        body: {
          hosts: [
            { host_id: 'h1', friendly_name: 'web-01', name: 'curl', current_version: '8.4', available_version: '8.5', needs_update: true, is_security_update: true },
            { host_id: 'h2', friendly_name: 'db-01', name: 'curl', current_version: '8.4', available_version: '8.5', needs_update: true, is_security_update: false },
            { host_id: 'h3', friendly_name: 'ok-01', name: 'curl', current_version: '8.5', available_version: '', needs_update: false, is_security_update: false },
          ],
          next_cursor: null,
        },
      },
      'POST /patching/trigger': {
        status: 201,
        body: { message: '2 patch runs created', runs: [
          { patch_run_id: 'v1', host_id: 'h1', host_name: 'web-01', status: 'pending_validation', run_at: null },
          { patch_run_id: 'v2', host_id: 'h2', host_name: 'db-01', status: 'pending_validation', run_at: null },
        ] },
      },
      'GET /patching/runs/v1': { body: dryRun('v1', 'h1', 'validated', {
        extra_deps_count: 1, shell_output: 'Inst curl\nInst libcurl4\n',
        packages_affected: [{ name: 'curl', version: '8.5', action: 'upgrade' }, { name: 'libcurl4', version: '8.5', action: 'upgrade' }],
      }) },
      'GET /patching/runs/v2': { body: dryRun('v2', 'h2', 'failed', { error_message: 'E: Unable to lock the administration directory' }) },
      'GET /patching/preview-run': { body: { ...PREVIEW, immediate: true, policy_name: 'Default', patch_delay_type: 'immediate' } },
      'POST /patching/runs/v1/approve': { status: 201, body: { message: 'Patch run approved', patch_run_id: 'e1', validation_run_id: 'v1', status: 'queued', run_at: null } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_package', packages: ['curl'] }));

    const dialog = await screen.findByRole('dialog', { name: 'Patch curl' });
    expect(steps().map((s) => s.skipped)).toEqual([false, true, false, false, false, false]);
    const hosts = await within(dialog).findByRole('group', { name: 'Hosts' });
    expect(within(hosts).getAllByRole('checkbox').map((c) => (c as HTMLInputElement).checked)).toEqual([true, true]);
    expect(within(hosts).queryByText('ok-01')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('wizard-next'));

    expect(steps().find((s) => s.current)?.text).toBe('3. Validate');
    expect(screen.getByTestId('wizard-next')).toBeDisabled();
    await user.click(screen.getByTestId('wizard-dry-run'));
    expect(await within(dialog).findByText('E: Unable to lock the administration directory')).toBeInTheDocument();
    expect(await within(dialog).findByText('libcurl4 8.5 (extra dep)')).toBeInTheDocument();
    expect(within(dialog).getByText('Extra deps')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('wizard-next')).toBeEnabled());
    await user.click(screen.getByTestId('wizard-next'));

    expect(steps().find((s) => s.current)?.text).toBe('4. Timing');
    expect(await within(dialog).findByText('Runs immediately')).toBeInTheDocument();
    expect(within(dialog).queryByText('db-01')).not.toBeInTheDocument(); // its dry run failed
    await user.click(screen.getByTestId('wizard-next'));
    expect(within(dialog).getByRole('radio', { name: /Approve & patch now/ })).toBeChecked();
    await user.click(screen.getByTestId('wizard-next'));

    expect(within(dialog).getByText(/db-01 \(dry run failed\)/)).toBeInTheDocument();
    await user.click(screen.getByTestId('wizard-submit'));

    await waitFor(() => expect(router.state.location.pathname).toBe('/patching/runs/e1'));
    const writes = calls.filter((c) => c.method !== 'GET');
    expect(writes).toEqual([
      { method: 'POST', path: '/patching/trigger', body: { host_ids: ['h1', 'h2'], patch_type: 'patch_package', package_names: ['curl'], dry_run: true } },
      { method: 'POST', path: '/patching/runs/v1/approve', body: {} },
    ]);
  });

  it('approve mode approves the run with Timing and Submit only, and keeps a refusal in view', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/preview-run': { body: PREVIEW },
      'POST /patching/runs/r1/approve': { status: 409, body: { error: 'Only validated, pending validation or pending approval runs can be approved', code: 'not_approvable' } },
    });
    const user = userEvent.setup();
    renderRoutes(routesFor({ mode: 'approve', runs: [{ id: 'r1', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_all', package_names: [], status: 'pending_approval' }] }));

    const dialog = await screen.findByRole('dialog', { name: 'Approve patch run on web-01' });
    expect(steps().filter((s) => !s.skipped).map((s) => s.text)).toEqual(['4. Timing', '6. Submit']);
    await user.click(screen.getByTestId('wizard-next'));
    await user.click(screen.getByTestId('wizard-submit'));

    expect(await within(dialog).findByText('Only validated, pending validation or pending approval runs can be approved')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/patching/runs/r1/approve', body: {} }]);
  });

  it('approves a batch in one pass: a Timing row per host, a Submit row per run, and hands the outcome back instead of navigating', async () => {
    const errors = vi.spyOn(console, 'error');
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/preview-run': () => ({ body: PREVIEW }),
      'POST /patching/runs/r1/approve': { status: 201, body: { message: 'Patch run approved', patch_run_id: 'e1', validation_run_id: 'r1', status: 'queued', run_at: null } },
      'POST /patching/runs/r2/approve': { status: 409, body: { error: 'Already approved', code: 'not_approvable' } },
      'POST /patching/runs/r3/approve': { status: 201, body: { message: 'Patch run approved', patch_run_id: 'e3', validation_run_id: 'r3', status: 'scheduled', run_at: null } },
    });
    const onSubmitted = vi.fn();
    const onClose = vi.fn();
    const setup: WizardSetup = {
      mode: 'approve',
      runs: [
        { id: 'r1', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_package', package_names: ['curl'], status: 'validated' },
        { id: 'r2', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_all', package_names: [], status: 'pending_approval' },
        { id: 'r3', host_id: 'h2', host_name: 'db-01', patch_type: 'patch_all', package_names: [], status: 'pending_approval' },
      ],
    };
    const user = userEvent.setup();
    const { router } = renderRoutes([{ path: '/', element: <PatchWizard opened onClose={onClose} setup={setup} onSubmitted={onSubmitted} /> }]);

    const dialog = await screen.findByRole('dialog', { name: 'Approve 3 patch runs' });
    await within(dialog).findAllByText('Runs at 03:00 Europe/London via Nightly');
    expect(within(dialog).getAllByTestId('timing-when')).toHaveLength(2);
    await user.click(within(dialog).getByRole('checkbox', { name: 'Run immediately on web-01' }));
    await user.click(screen.getByTestId('wizard-next'));
    const rows = within(dialog).getAllByRole('row').slice(1).map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['web-01', 'curl', 'Immediately (override)'],
      ['web-01', 'Patch all', 'Immediately (override)'],
      ['db-01', 'Patch all', 'As the policy says (see Timing)'],
    ]);
    await user.click(screen.getByTestId('wizard-submit'));

    await waitFor(() => expect(onSubmitted).toHaveBeenCalledWith({ done: 2, failed: [{ name: 'web-01', message: 'Already approved' }] }));
    expect(onClose).toHaveBeenCalled();
    expect(router.state.location.pathname).toBe('/');
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/patching/runs/r1/approve', { schedule_override: 'immediate' }],
      ['/patching/runs/r2/approve', { schedule_override: 'immediate' }],
      ['/patching/runs/r3/approve', {}],
    ]);
    expect(errors).not.toHaveBeenCalled(); // no duplicate React keys for the host with two runs
  });

  describe('a held package (409 package_held)', () => {
    const HELD = { status: 409, body: { error: 'curl is held on web-01 (hold cur*); remove the hold to patch it', code: 'package_held', held: ['curl'] } };

    it('explains the refused dry run in the Validate step', async () => {
      const calls = stubApi({
        'GET /me/context': { body: PATCHER },
        'GET /packages/curl/hosts': { body: { hosts: [
          { host_id: 'h1', friendly_name: 'web-01', name: 'curl', current_version: '8.4', available_version: '8.5', needs_update: true, is_security_update: false },
        ], next_cursor: null } },
        'POST /patching/trigger': HELD,
      });
      const user = userEvent.setup();
      renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_package', packages: ['curl'] }));

      const dialog = await screen.findByRole('dialog', { name: 'Patch curl' });
      await within(dialog).findByRole('group', { name: 'Hosts' });
      await user.click(screen.getByTestId('wizard-next'));
      await user.click(screen.getByTestId('wizard-dry-run'));

      const alert = await within(dialog).findByRole('alert');
      expect(alert).toHaveTextContent('A package is held');
      expect(alert).toHaveTextContent('curl is held on web-01 (hold cur*); remove the hold to patch it');
      expect(alert).toHaveTextContent('Held: curl');
      expect(steps().find((s) => s.current)?.text).toBe('3. Validate');
      expect(screen.getByTestId('wizard-next')).toBeDisabled();
      expect(screen.getByTestId('wizard-dry-run')).toBeEnabled(); // it can be tried again once the hold is released
      expect(screen.queryByText('Dry run not started')).not.toBeInTheDocument();
      expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    });

    it('explains the refused trigger in the Submit step', async () => {
      stubApi({ 'GET /me/context': { body: PATCHER }, 'GET /patching/preview-run': { body: PREVIEW }, 'POST /patching/trigger': HELD });
      const user = userEvent.setup();
      const { router } = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_package', hosts: [{ id: 'h1', name: 'web-01' }], packages: ['curl'] }));

      const dialog = await screen.findByRole('dialog', { name: 'Patch curl' });
      await user.click(within(dialog).getByRole('radio', { name: 'Skip validation' }));
      await user.click(screen.getByTestId('wizard-next'));
      await user.click(screen.getByTestId('wizard-next'));
      await user.click(screen.getByTestId('wizard-next'));
      expect(steps().find((s) => s.current)?.text).toBe('6. Submit');
      await user.click(screen.getByTestId('wizard-submit'));

      const alert = await within(dialog).findByRole('alert');
      expect(alert).toHaveTextContent('curl is held on web-01 (hold cur*); remove the hold to patch it');
      expect(alert).toHaveTextContent('Held: curl');
      expect(within(dialog).getByRole('button', { name: 'View runs' })).toBeInTheDocument();
      expect(router.state.location.pathname).toBe('/');
    });
  });

  describe('Roll out gradually', () => {
    const ROLLOUTER = { ...PATCHER, modules: ['patching', 'patching_policies'] };
    const HOSTS = [{ id: 'h1', name: 'web-01' }, { id: 'h2', name: 'db-01' }, { id: 'h3', name: 'app-01' }];
    const WAITING = {
      status: 201,
      body: {
        message: '3 patch runs created', rollout_id: 'ro1',
        runs: HOSTS.map((h, i) => ({ patch_run_id: `n${i + 1}`, host_id: h.id, host_name: h.name, status: i < 2 ? 'queued' : 'waiting', run_at: null })),
      },
    };

    async function toSubmit(user: ReturnType<typeof userEvent.setup>) {
      const dialog = await screen.findByRole('dialog', { name: 'Patch all packages' });
      await user.click(screen.getByTestId('wizard-next'));
      expect(steps().find((s) => s.current)?.text).toBe('6. Submit');
      return dialog;
    }

    it('sends the limits (numbers as numbers, percentages as strings) and chosen first-ring hosts, then opens the rollout', async () => {
      const calls = stubApi({
        'GET /me/context': { body: ROLLOUTER }, 'GET /patching/preview-run': () => ({ body: PREVIEW }), 'POST /patching/trigger': WAITING,
      });
      const user = userEvent.setup();
      const { router } = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_all', hosts: HOSTS, packages: [] }));
      // An override chosen in Timing does not apply to a rollout.
      const timing = await screen.findByRole('dialog', { name: 'Patch all packages' });
      await user.click(within(timing).getByRole('checkbox', { name: 'Run immediately on db-01' }));
      const dialog = await toSubmit(user);

      const section = within(dialog).getByRole('group', { name: 'Rollout' });
      expect(within(section).queryByLabelText(/At most N hosts at once/)).not.toBeInTheDocument();
      await user.click(within(section).getByRole('switch', { name: /Roll out gradually/ }));
      expect(within(section).getByRole('note')).toHaveTextContent('A rollout starts its runs now: the hosts\' policy delays');
      expect(within(section).getByRole('note')).toHaveTextContent('wait their turn as "Waiting"');
      const concurrency = within(section).getByRole('textbox', { name: /^At most N hosts at once/ });
      expect(concurrency).toHaveValue('25%');
      await user.clear(concurrency);
      await user.type(concurrency, '2');
      const failures = within(section).getByRole('textbox', { name: /^Stop after M failures/ });
      await user.clear(failures);
      await user.type(failures, '10%');
      await user.click(within(section).getByRole('radio', { name: 'Chosen hosts' }));
      const ring = within(section).getByRole('group', { name: /^First ring hosts/ });
      expect(within(ring).getAllByRole('checkbox')).toHaveLength(3);
      await user.click(within(ring).getByRole('checkbox', { name: 'web-01' }));
      const threshold = within(section).getByRole('textbox', { name: /^Go on when the first ring's success rate reaches/ });
      expect(threshold).toHaveValue('100');
      await user.clear(threshold);
      await user.type(threshold, '80');

      const when = within(dialog).getAllByRole('row').slice(1).map((row) => row.querySelectorAll('td')[2]?.textContent);
      expect(when).toEqual(['Now, in its turn (rollout)', 'Now, in its turn (rollout)', 'Now, in its turn (rollout)']);
      expect(screen.getByTestId('wizard-submit')).toHaveTextContent('Start rollout');
      await user.click(screen.getByTestId('wizard-submit'));

      await waitFor(() => expect(router.state.location.pathname).toBe('/patching/rollouts/ro1'));
      expect(calls.filter((c) => c.method === 'POST')).toEqual([{
        method: 'POST', path: '/patching/trigger',
        body: {
          host_ids: ['h1', 'h2', 'h3'], patch_type: 'patch_all',
          rollout: { max_concurrency: 2, max_errors: '10%', first_ring_host_ids: ['h1'], ring_success_threshold: 80 },
        },
      }]);
      expect(await screen.findByRole('status')).toHaveTextContent('Rollout of 3 hosts started');
    });

    it('checks the fields before sending, then sends a host group as the first ring', async () => {
      const calls = stubApi({
        'GET /me/context': { body: ROLLOUTER }, 'GET /patching/preview-run': () => ({ body: PREVIEW }), 'POST /patching/trigger': WAITING,
        'GET /host-groups': { body: { groups: [{ id: 'g1', name: 'Canaries', description: null, color: '#E03131', created_at: null, updated_at: null }] } },
      });
      const user = userEvent.setup();
      const { router } = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_all', hosts: HOSTS, packages: [] }));
      const dialog = await toSubmit(user);

      const section = within(dialog).getByRole('group', { name: 'Rollout' });
      await user.click(within(section).getByRole('switch', { name: /Roll out gradually/ }));
      const concurrency = within(section).getByRole('textbox', { name: /^At most N hosts at once/ });
      await user.clear(concurrency);
      await user.type(concurrency, '0');
      const failures = within(section).getByRole('textbox', { name: /^Stop after M failures/ });
      await user.clear(failures);
      await user.type(failures, '150%');
      await user.click(within(section).getByRole('radio', { name: 'A host group' }));
      expect(within(section).queryByText('Choose a host group')).not.toBeInTheDocument(); // not before Submit is tried
      await user.click(screen.getByTestId('wizard-submit'));

      expect(await within(section).findByText('Enter at least 1')).toBeInTheDocument();
      expect(within(section).getByText('A percentage is from 1% to 100%')).toBeInTheDocument();
      expect(within(section).getByText('Choose a host group')).toBeInTheDocument();
      expect(calls.some((c) => c.method === 'POST')).toBe(false);

      // The problems follow each change once shown.
      await user.clear(concurrency);
      await user.type(concurrency, '25 %');
      expect(within(section).queryByText('Enter at least 1')).not.toBeInTheDocument();
      await user.clear(failures);
      const group = within(section).getByRole('combobox', { name: /^First ring host group/ });
      await waitFor(() => expect(within(group).getByRole('option', { name: 'Canaries' })).toBeInTheDocument());
      await user.selectOptions(group, 'g1');
      expect(within(section).queryByText('Choose a host group')).not.toBeInTheDocument();
      await user.click(screen.getByTestId('wizard-submit'));

      await waitFor(() => expect(router.state.location.pathname).toBe('/patching/rollouts/ro1'));
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
        host_ids: ['h1', 'h2', 'h3'], patch_type: 'patch_all', rollout: { max_concurrency: '25%', first_ring_group_id: 'g1', ring_success_threshold: 100 },
      });
    });

    it('is not offered for one host, without the module, or for a request for approval', async () => {
      stubApi({ 'GET /me/context': { body: ROLLOUTER }, 'GET /patching/preview-run': () => ({ body: PREVIEW }) });
      const user = userEvent.setup();
      const one = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_all', hosts: [HOSTS[0]!], packages: [] }));
      await user.click(await screen.findByTestId('wizard-next'));
      expect(screen.getByTestId('wizard-submit')).toHaveTextContent('Queue & patch');
      expect(screen.queryByRole('switch', { name: /Roll out gradually/ })).not.toBeInTheDocument();
      one.unmount();

      const many = renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_all', hosts: HOSTS, packages: [] }));
      const dialog = await toSubmit(user);
      await user.click(within(dialog).getByRole('switch', { name: /Roll out gradually/ }));
      await user.click(within(dialog).getByRole('checkbox', { name: /^Submit for approval/ }));
      expect(within(dialog).queryByRole('switch', { name: /Roll out gradually/ })).not.toBeInTheDocument();
      expect(screen.getByTestId('wizard-submit')).toHaveTextContent('Submit for approval');
      many.unmount();

      vi.unstubAllGlobals();
      stubApi({ 'GET /me/context': { body: PATCHER }, 'GET /patching/preview-run': () => ({ body: PREVIEW }) });
      renderRoutes(routesFor({ mode: 'trigger', patchType: 'patch_all', hosts: HOSTS, packages: [] }));
      await toSubmit(user);
      expect(screen.queryByRole('switch', { name: /Roll out gradually/ })).not.toBeInTheDocument();
    });
  });
});
