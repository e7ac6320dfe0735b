import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { NARROW_RUNS_QUERY } from '../../components/patching/RunsTable';
import { routes as appRoutes } from '../../router';
import { ME, renderRoutes, stubApi } from '../../test/render';
import { PATCHER, patchRun, READER } from './fixtures.test-data';
import PatchingPage from './index';
import { stubWebSocket } from './testSocket.test-data';

const routes = [{ path: '/patching/*', element: <PatchingPage /> }];

const RUNS = {
  items: [
    patchRun('r1', 'pending_validation', { dry_run: true }),
    patchRun('r2', 'validated', { dry_run: true, host_id: 'h2', host_name: 'db-01', extra_deps_count: 2 }),
    patchRun('r3', 'completed', { host_id: 'h3', host_name: 'mail-01', patch_type: 'patch_all', package_names: [], started_at: '2026-03-10T10:01:00Z' }),
    patchRun('r4', 'pending_approval', { host_id: 'h4', host_name: 'app-01', patch_type: 'patch_all', package_names: [] }),
  ],
  next_cursor: null,
};

function runsRequests(): URL[] {
  return vi.mocked(fetch).mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost'))
    .filter((url) => url.pathname === '/api/v1/patching/runs');
}

function row(name: string): HTMLElement {
  return screen.getByRole('link', { name }).closest('tr')!;
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
  stubWebSocket();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Runs & History', () => {
  it('keeps the filters in the URL, asks the server for them, and clears them', async () => {
    stubApi({ 'GET /me/context': { body: PATCHER }, 'GET /patching/runs': () => ({ body: { items: [], next_cursor: null } }) });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/patching?tab=runs&status=failed');

    expect(await screen.findByRole('tab', { name: 'Runs & History', selected: true })).toBeInTheDocument();
    expect(screen.getByLabelText('Status')).toHaveValue('failed');
    expect(await screen.findByRole('heading', { name: 'No runs match your filters' })).toBeInTheDocument();
    expect(runsRequests()[0]?.searchParams.get('status')).toBe('failed');
    expect(runsRequests()[0]?.searchParams.get('limit')).toBe('25');

    await user.selectOptions(screen.getByLabelText('Type'), 'patch_all');
    await waitFor(() => expect(router.state.location.search).toBe('?tab=runs&status=failed&type=patch_all'));
    await waitFor(() => expect(runsRequests().at(-1)?.searchParams.get('type')).toBe('patch_all'));

    await user.selectOptions(screen.getByLabelText('Rows per page'), '100');
    await waitFor(() => expect(runsRequests().at(-1)?.searchParams.get('limit')).toBe('100'));
    expect(window.localStorage.getItem('patching-runs-limit')).toBe('100');

    await user.click(screen.getAllByRole('button', { name: 'Clear filters' })[0]!);
    await waitFor(() => expect(router.state.location.search).toBe('?tab=runs'));
    expect(await screen.findByRole('heading', { name: 'No patch runs yet' })).toBeInTheDocument();
    expect(screen.getByText('Patch runs triggered from the Overview tab or from host detail pages will appear here.')).toBeInTheDocument();
  });

  it('offers each row the actions its status allows, retries a dry run and bulk-deletes with a result banner', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER }, 'GET /patching/runs': () => ({ body: RUNS }),
      'POST /patching/runs/r1/retry-validation': { status: 202, body: { message: 'Validation retried' } },
      'DELETE /patching/runs/r1': { body: { message: 'Patch run deleted' } },
      'DELETE /patching/runs/r2': { status: 409, body: { error: 'A running run cannot be deleted; stop it instead', code: 'not_deletable' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching?tab=runs');

    await screen.findByRole('link', { name: 'web-01' });
    const buttons = (name: string) => within(row(name)).queryAllByRole('button').map((b) => b.textContent);
    expect(buttons('web-01')).toEqual(['Retry', 'Skip & patch', 'Delete']);
    expect(buttons('db-01')).toEqual(['Approve', 'Delete']);
    expect(buttons('app-01')).toEqual(['Approve', 'Delete']);
    expect(buttons('mail-01')).toEqual([]);
    for (const name of ['web-01', 'db-01', 'mail-01', 'app-01']) expect(within(row(name)).getByRole('link', { name: 'View' })).toBeInTheDocument();
    expect(within(row('db-01')).getByText('Extra deps')).toBeInTheDocument();
    expect(within(row('mail-01')).getByText('Patch all')).toBeInTheDocument();
    expect(within(row('web-01')).getByText('curl, openssl (dry run)')).toBeInTheDocument();
    expect(within(row('mail-01')).queryByRole('checkbox')).not.toBeInTheDocument();

    await user.click(within(row('web-01')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/patching/runs/r1/retry-validation')).toBe(true));

    await user.click(within(row('web-01')).getByRole('checkbox', { name: 'Select for deletion: the run on web-01' }));
    await user.click(within(row('db-01')).getByRole('checkbox', { name: 'Select for deletion: the run on db-01' }));
    await user.click(screen.getByRole('button', { name: 'Delete 2 selected' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete 2 patch runs?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete 2 runs' }));

    expect(await screen.findByText('Deleted 1, 1 failed')).toBeInTheDocument();
    expect(screen.getByText('db-01: A running run cannot be deleted; stop it instead')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/patching/runs/r1', '/patching/runs/r2']);
  });

  it('marks the runs that rebooted their host, are rebooting it, or needed a reboot the policy forbids', async () => {
    stubApi({
      'GET /me/context': { body: READER },
      'GET /patching/runs': { body: { items: [
        patchRun('r1', 'completed', { reboot: { decision: 'rebooting', status: 'rebooting' } }),
        patchRun('r2', 'completed', { host_id: 'h2', host_name: 'db-01', reboot: { decision: 'not_allowed', policy: 'never', required: true } }),
        patchRun('r3', 'completed', { host_id: 'h3', host_name: 'mail-01', reboot: { decision: 'rebooting', status: 'host_back' } }),
        patchRun('r4', 'completed', { host_id: 'h4', host_name: 'app-01', reboot: { decision: 'not_required' } }),
        patchRun('r5', 'completed', { host_id: 'h5', host_name: 'cache-01', initiated_by: 'Maintenance window Weekend' }),
      ], next_cursor: null } },
    });
    renderRoutes(routes, '/patching?tab=runs');

    await screen.findByRole('link', { name: 'web-01' });
    expect(within(row('web-01')).getByText('Rebooting').closest('[title]')).toHaveAttribute('title', 'The run is rebooting the host');
    expect(within(row('db-01')).getByText('Reboot required')).toBeInTheDocument();
    expect(within(row('mail-01')).getByText('Rebooted')).toBeInTheDocument();
    for (const name of ['app-01', 'cache-01']) expect(within(row(name)).queryByText(/^Reboot/)).not.toBeInTheDocument();
    expect(within(row('cache-01')).getByText('Maintenance window Weekend')).toBeInTheDocument();
  });

  it('shows a reader the runs with View only: no selection checkboxes, no bulk bar', async () => {
    const calls = stubApi({ 'GET /me/context': { body: READER }, 'GET /patching/runs': { body: RUNS } });
    renderRoutes(routes, '/patching?tab=runs');

    await screen.findByRole('link', { name: 'web-01' });
    expect(screen.getAllByRole('link', { name: 'View' })).toHaveLength(4);
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Approve' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Selected runs' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /retry|skip|approve|delete|patch hosts/i })).not.toBeInTheDocument();
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });
});

describe('bulk approve (C11.10)', () => {
  const BATCH = {
    items: [
      ...RUNS.items,
      patchRun('r5', 'approved', { host_id: 'h5', host_name: 'cache-01', patch_type: 'patch_all', package_names: [] }),
    ],
    next_cursor: null,
  };
  const PREVIEW = {
    host_id: 'h1', host_name: 'web-01', run_at_iso: '2026-03-11T03:00:00Z', immediate: false, policy_id: 'p1', policy_name: 'Nightly',
    patch_delay_type: 'fixed_time', delay_minutes: null, fixed_time: '03:00', timezone: 'Europe/London',
  };
  const approveBox = (name: string) => screen.queryByRole('checkbox', { name: `Select for approval: the run on ${name}` });
  const deleteBox = (name: string) => screen.queryByRole('checkbox', { name: `Select for deletion: the run on ${name}` });

  it('ticks only runs awaiting a decision, apart from the delete set, and approves them in one wizard pass, partial failure and all', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER }, 'GET /patching/runs': () => ({ body: BATCH }), 'GET /patching/preview-run': () => ({ body: PREVIEW }),
      'POST /patching/runs/r1/approve': { status: 201, body: { message: 'Patch run approved', patch_run_id: 'e1', validation_run_id: 'r1', status: 'queued', run_at: null } },
      'POST /patching/runs/r2/approve': { status: 201, body: { message: 'Patch run approved', patch_run_id: 'e2', validation_run_id: 'r2', status: 'queued', run_at: null } },
      'POST /patching/runs/r4/approve': { status: 409, body: { error: 'Only validated, pending validation or pending approval runs can be approved', code: 'not_approvable' } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/patching?tab=runs');

    await screen.findByRole('link', { name: 'web-01' });
    // Eligibility: validated, pending validation, pending approval; an approved run can be deleted but not approved.
    for (const name of ['web-01', 'db-01', 'app-01']) expect(approveBox(name)).toBeInTheDocument();
    for (const name of ['mail-01', 'cache-01']) expect(approveBox(name)).not.toBeInTheDocument();
    expect(deleteBox('cache-01')).toBeInTheDocument();
    expect(deleteBox('mail-01')).not.toBeInTheDocument();

    // The header checkbox takes every eligible run of the page, and only into the approve set.
    await user.click(screen.getByRole('checkbox', { name: 'Select every run awaiting approval on this page' }));
    for (const name of ['web-01', 'db-01', 'app-01']) expect(approveBox(name)).toBeChecked();
    expect(deleteBox('web-01')).not.toBeChecked();
    const bar = screen.getByRole('region', { name: 'Selected runs' });
    expect(within(bar).getByText('3 runs selected for approval')).toBeInTheDocument();
    expect(within(bar).queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();

    // The delete set is cleared on its own.
    await user.click(deleteBox('cache-01')!);
    expect(within(bar).getByRole('button', { name: 'Delete 1 selected' })).toBeInTheDocument();
    await user.click(within(bar).getByRole('button', { name: 'Clear delete' }));
    expect(deleteBox('cache-01')).not.toBeChecked();
    expect(within(bar).getByRole('button', { name: 'Approve 3 selected' })).toBeInTheDocument();

    await user.click(within(bar).getByRole('button', { name: 'Approve 3 selected' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve 3 patch runs' });
    // Timing: one row per host, each with its own override.
    await within(dialog).findAllByText('Runs at 03:00 Europe/London via Nightly');
    expect(within(dialog).getAllByTestId('timing-when')).toHaveLength(3);
    await user.click(within(dialog).getByRole('checkbox', { name: 'Run immediately on db-01' }));
    await user.click(within(dialog).getByTestId('wizard-next'));
    expect(within(dialog).getByTestId('wizard-submit')).toHaveTextContent('Queue & patch');
    await user.click(within(dialog).getByTestId('wizard-submit'));

    expect(await screen.findByText('Approved 2, 1 failed')).toBeInTheDocument();
    expect(screen.getByText('app-01: Only validated, pending validation or pending approval runs can be approved')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByRole('region', { name: 'Selected runs' })).not.toBeInTheDocument();
    expect(router.state.location.search).toBe('?tab=runs');
    expect(calls.filter((c) => c.method === 'POST').sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { method: 'POST', path: '/patching/runs/r1/approve', body: {} },
      { method: 'POST', path: '/patching/runs/r2/approve', body: { schedule_override: 'immediate' } },
      { method: 'POST', path: '/patching/runs/r4/approve', body: {} },
    ]);
  });

  it('below 768 px shows each run as a card with the same actions and selections', async () => {
    // As at 375 px: only the runs table's narrow query matches (setup.ts answers no to every query otherwise).
    const before = Object.getOwnPropertyDescriptor(window, 'matchMedia');
    window.matchMedia = (query: string) => ({
      matches: query === NARROW_RUNS_QUERY, media: query, onchange: null,
      addEventListener: vi.fn(), removeEventListener: vi.fn(), dispatchEvent: vi.fn(),
    }) as unknown as MediaQueryList;
    try {
      stubApi({ 'GET /me/context': { body: PATCHER }, 'GET /patching/runs': () => ({ body: BATCH }) });
      const user = userEvent.setup();
      renderRoutes(routes, '/patching?tab=runs');

      const list = await screen.findByRole('list', { name: 'Patch runs' });
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
      expect(within(list).getAllByRole('article')).toHaveLength(5);
      const card = within(list).getByRole('article', { name: 'Patch run on db-01' });
      expect(within(card).getByRole('link', { name: 'db-01' })).toHaveAttribute('href', '/hosts/h2');
      expect(within(card).getByText('Validated')).toBeInTheDocument();
      expect(within(card).getByText('Extra deps')).toBeInTheDocument();
      expect(within(card).getByText('Started')).toBeInTheDocument();
      expect(within(card).getByText('Completed')).toBeInTheDocument();
      const buttons = [...within(card).getAllByRole('button'), within(card).getByRole('link', { name: 'View' })];
      expect(buttons.map((b) => b.textContent)).toEqual(['Approve', 'Delete', 'View']);
      for (const button of buttons) expect(button).toHaveAttribute('data-block', 'true'); // Mantine's fullWidth
      expect(within(within(list).getByRole('article', { name: 'Patch run on web-01' })).getAllByRole('button').map((b) => b.textContent))
        .toEqual(['Retry', 'Skip & patch', 'Delete']);

      await user.click(within(card).getByRole('checkbox', { name: 'Select for approval: the run on db-01' }));
      expect(screen.getByRole('button', { name: 'Approve 1 selected' })).toBeInTheDocument();
      expect(within(within(list).getByRole('article', { name: 'Patch run on mail-01' })).queryByRole('checkbox')).not.toBeInTheDocument();
    } finally {
      if (before) Object.defineProperty(window, 'matchMedia', before);
    }
  });
});

describe('the Patching page', () => {
  it('is in the navigation with the module, and its overview cards link to the runs filtered', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/dashboard': { body: { totals: { total: 12, active: 2, queued: 1, running: 1, scheduled: 3, pending_approval: 1, completed: 7, failed: 1 }, recent: RUNS.items } },
    });
    renderRoutes(appRoutes, '/patching');

    expect(await screen.findByRole('heading', { level: 1, name: 'Patching' })).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Patching' })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByRole('link', { name: 'Failed' })).toHaveAttribute('href', '/patching?tab=runs&status=failed');
    expect(screen.getByRole('link', { name: 'Active' })).toHaveAttribute('href', '/patching?tab=runs&status=active');
    expect(screen.getByRole('article', { name: 'Total runs' })).toHaveTextContent('12');
    expect(screen.getByRole('button', { name: 'Patch hosts' })).toBeInTheDocument();
    expect(await screen.findByRole('table', { name: 'Recent patch runs' })).toBeInTheDocument();
  });

  it('is hidden without the module, and says so at its address', async () => {
    stubApi({ 'GET /me/context': { body: { ...ME, modules: [] } } });
    renderRoutes(appRoutes, '/patching');

    expect(await screen.findByText('Upgrade required')).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'Patching' })).not.toBeInTheDocument();
  });
});

describe('Policies', () => {
  const POLICY = {
    id: 'p1', name: 'Nightly', description: 'Production window', patch_delay_type: 'fixed_time', delay_minutes: null, fixed_time: '03:00',
    timezone: 'Europe/London', assignment_count: 2, created_at: '2026-01-01T00:00:00Z', updated_at: null,
  };

  it('needs the Plus plan', async () => {
    stubApi({ 'GET /me/context': { body: { ...PATCHER, modules: ['patching'] } } });
    renderRoutes(routes, '/patching?tab=policies');
    expect(await screen.findByText('Upgrade required')).toBeInTheDocument();
    expect(screen.getByText('Plus')).toBeInTheDocument();
  });

  it('shows the server\'s module refusal as Upgrade required', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': { status: 403, body: { error: 'module not available in your plan', code: 'module_not_available' } },
    });
    renderRoutes(routes, '/patching?tab=policies');
    expect(await screen.findByText('Upgrade required')).toBeInTheDocument();
  });

  it('lists policies, opens one\'s assignments and shows a refused assignment inline', async () => {
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/policies': { body: { items: [POLICY] } },
      'GET /patching/policies/p1': { body: { ...POLICY,
        assignments: [
          { id: 'a1', target_type: 'host', target_id: 'h1', target_name: 'web-01', created_at: '2026-01-02T00:00:00Z' },
          { id: 'a2', target_type: 'host_group', target_id: 'g1', target_name: 'Production', created_at: '2026-01-03T00:00:00Z' },
        ],
        exclusions: [{ host_id: 'h9', host_name: 'legacy-01', created_at: '2026-01-04T00:00:00Z' }] } },
      'GET /hosts': { body: { hosts: [], next_cursor: null } },
      'GET /host-groups': { body: { groups: [{ id: 'g1', name: 'Production', description: null, color: '#E03131', created_at: null, updated_at: null }] } },
      'POST /patching/policies/p1/assignments': { status: 409, body: { error: 'This target is already assigned to a policy', code: 'already_assigned' } },
      'DELETE /patching/policies/p1/assignments/a1': { body: { message: 'Assignment removed' } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/patching?tab=policies');

    const table = await screen.findByRole('table', { name: 'Patch policies' });
    expect(within(table).getByText('Fixed time 03:00 Europe/London')).toBeInTheDocument();
    await user.click(within(table).getByRole('button', { name: '2 assignments' }));
    expect(router.state.location.search).toBe('?tab=policies&policy=p1');

    const panel = await screen.findByRole('region', { name: 'Nightly: applied to' });
    expect(within(panel).getByText('Host: web-01')).toBeInTheDocument();
    expect(within(panel).getByText('Group: Production')).toBeInTheDocument();
    expect(within(panel).getByText(/legacy-01/)).toBeInTheDocument();

    await user.click(within(panel).getByText('Host group'));
    await user.click(within(panel).getByRole('textbox', { name: 'Host group' }));
    await user.click(await screen.findByRole('option', { name: 'Production', hidden: true }));
    await user.click(within(panel).getByRole('button', { name: 'Add' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent('This target is already assigned to a policy');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ target_type: 'host_group', target_id: 'g1' });

    await user.click(within(panel).getByRole('button', { name: 'Remove Host: web-01' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/patching/policies/p1/assignments/a1')).toBe(true));
  });
});
