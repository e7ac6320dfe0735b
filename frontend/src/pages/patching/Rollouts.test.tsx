import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import { PATCHER, patchRun, READER, rollout, runDetail } from './fixtures.test-data';
import PatchingPage from './index';
import { stubWebSocket } from './testSocket.test-data';

const routes = [{ path: '/patching/*', element: <PatchingPage /> }];
const NO_POLICIES = { ...PATCHER, modules: ['patching'] };

const RUNS = {
  items: [
    patchRun('r1', 'running', { rollout_id: 'ro1', ring: 0, started_at: '2026-03-10T10:01:00Z' }),
    patchRun('r2', 'completed', { host_id: 'h2', host_name: 'db-01', rollout_id: 'ro1', ring: 0 }),
    patchRun('r3', 'waiting', { host_id: 'h3', host_name: 'app-01', rollout_id: 'ro1', ring: 1 }),
  ],
  next_cursor: null,
};

function requests(path: string): URL[] {
  return vi.mocked(fetch).mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost'))
    .filter((url) => url.pathname === `/api/v1${path}`);
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
  stubWebSocket();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the Rollouts tab', () => {
  it('lists the latest rollouts with their source, status, progress and limits, each linked to its page', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/rollouts': {
        body: {
          items: [
            rollout('ro1'),
            rollout('ro2', {
              status: 'stopped', source: 'window', policy_name: 'Weekend', initiated_by: null, total: 4, max_concurrency: 4, max_errors: null, succeeded: 1, failed: 0,
              cancelled: 3, in_flight: 0, waiting: 0, rings: [{ size: 4, succeeded: 1, failed: 0, cancelled: 3 }], stop_reason: 'stopped by root',
            }),
          ],
        },
      },
    });
    renderRoutes(routes, '/patching?tab=rollouts');

    expect(await screen.findByRole('tab', { name: 'Rollouts', selected: true })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Rollouts' });
    const first = within(table).getByRole('link', { name: 'Triggered by root' });
    expect(first).toHaveAttribute('href', '/patching/rollouts/ro1');
    const row = first.closest('tr')!;
    expect(within(row).getByText('Running')).toBeInTheDocument();
    expect(within(row).getByText(/2 of 10 ended · 1 succeeded · 1 failed · 2 in flight · 6 waiting/)).toBeInTheDocument();
    expect(within(row).getByText('2 hosts at a time')).toBeInTheDocument();
    expect(within(row).getByText('Stops after 3 failed runs')).toBeInTheDocument();
    expect(within(row).getByText('First ring of 4 hosts, 75% to go on')).toBeInTheDocument();
    expect(within(row).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '2');

    const windowRow = within(table).getByRole('link', { name: 'Maintenance window Weekend' }).closest('tr')!;
    expect(within(windowRow).getByText('Stopped')).toBeInTheDocument();
    expect(within(windowRow).getByText('All 4 hosts at once')).toBeInTheDocument();
    expect(within(windowRow).getByText('Never stops on failures')).toBeInTheDocument();
    expect(within(windowRow).getByRole('link', { name: 'View' })).toHaveAttribute('href', '/patching/rollouts/ro2');
  });

  it('says so when there is none', async () => {
    stubApi({ 'GET /me/context': { body: READER }, 'GET /patching/rollouts': { body: { items: [] } } });
    renderRoutes(routes, '/patching?tab=rollouts');
    expect(await screen.findByRole('heading', { name: 'No rollouts yet' })).toBeInTheDocument();
  });

  it('is hidden without the patching_policies module, and a rollout\'s address says "Upgrade required"', async () => {
    const calls = stubApi({
      'GET /me/context': { body: NO_POLICIES },
      'GET /patching/dashboard': { body: { totals: { total: 0 }, recent: [] } },
    });
    const { unmount } = renderRoutes(routes, '/patching?tab=rollouts');

    expect(await screen.findByRole('tab', { name: 'Overview', selected: true })).toBeInTheDocument();
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['Overview', 'Runs & History', 'Policies']);
    unmount();

    renderRoutes(routes, '/patching/rollouts/ro1');
    expect(await screen.findByText('Upgrade required')).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/patching/rollouts'))).toBe(false);
  });
});

describe('a rollout\'s page', () => {
  it('shows its progress, limits, rings against the threshold and its runs, and a writer stops it after confirming', async () => {
    let current = rollout('ro1');
    const stopped = rollout('ro1', {
      status: 'stopped', stop_reason: 'stopped by root', stopped_by: 'root', completed_at: '2026-03-10T10:20:00Z', in_flight: 0, cancelled: 6, waiting: 0,
      rings: [{ size: 4, succeeded: 1, failed: 1, cancelled: 2 }, { size: 6, succeeded: 0, failed: 0, cancelled: 6 }],
    });
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/rollouts/ro1': () => ({ body: current }),
      'GET /patching/runs': () => ({ body: RUNS }),
      'POST /patching/rollouts/ro1/stop': () => {
        current = stopped;
        return { status: 202, body: { message: 'Rollout stopped', cancelled: 6, stopped: 2, rollout: stopped } };
      },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching/rollouts/ro1');

    expect(await screen.findByRole('heading', { level: 1, name: 'Rollout of 10 hosts' })).toBeInTheDocument();
    expect(screen.getByTestId('rollout-status')).toHaveTextContent('Running');
    expect(screen.getByText('Triggered by root')).toBeInTheDocument();
    // Progress: every count, and the bar as one progressbar of runs ended.
    expect(screen.getByTestId('rollout-succeeded')).toHaveTextContent('Succeeded 1');
    expect(screen.getByTestId('rollout-failed')).toHaveTextContent('Failed 1');
    expect(screen.getByTestId('rollout-cancelled')).toHaveTextContent('Cancelled 0');
    expect(screen.getByTestId('rollout-in_flight')).toHaveTextContent('In flight 2');
    expect(screen.getByTestId('rollout-waiting')).toHaveTextContent('Waiting 6');
    expect(screen.getByTestId('rollout-ended')).toHaveTextContent('2 of 10 runs ended');
    const bar = screen.getByRole('progressbar', { name: 'Rollout progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '2');
    expect(bar).toHaveAttribute('aria-valuemax', '10');
    expect(bar).toHaveAttribute('aria-valuetext', '2 of 10 runs ended: 1 succeeded, 1 failed, 0 cancelled, 2 in flight, 6 waiting');
    // Limits and rings.
    expect(screen.getByText('2 hosts at a time')).toBeInTheDocument();
    expect(screen.getByText('Stops after 3 failed runs')).toBeInTheDocument();
    expect(screen.getByTestId('ring-threshold')).toHaveTextContent('at least 75% of the first ring\'s hosts succeeded');
    const first = screen.getByTestId('ring-0');
    expect(first).toHaveTextContent('First ring4 hosts· In progress');
    expect(first).toHaveTextContent('1 succeeded · 1 failed · 0 cancelled · success rate 25% (so far; needs 75%)');
    expect(screen.getByTestId('ring-1')).toHaveTextContent('The rest6 hosts· Waits for the first ring');

    // Its runs: asked for by rollout, with their statuses; no "Rollout" link to the page they are on.
    const runs = await screen.findByRole('table', { name: 'Runs of this rollout' });
    expect(requests('/patching/runs')[0]?.searchParams.get('rollout_id')).toBe('ro1');
    const waitingRow = within(runs).getByRole('link', { name: 'app-01' }).closest('tr')!;
    expect(within(waitingRow).getByText('Waiting')).toBeInTheDocument();
    expect(within(waitingRow).getByRole('button', { name: 'Delete' })).toBeInTheDocument();
    expect(within(runs).queryByText('Rollout')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Stop rollout' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop this rollout?' });
    expect(dialog).toHaveTextContent('the waiting runs are cancelled, the queued ones deleted, and the running ones stopped');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Stop rollout' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Rollout stopped: 6 waiting runs cancelled, 2 runs stopped');
    await waitFor(() => expect(screen.getByTestId('rollout-status')).toHaveTextContent('Stopped'));
    expect(screen.getByTestId('stop-reason')).toHaveTextContent('Stopped by root. Runs that had not started were cancelled');
    expect(screen.getByTestId('rollout-cancelled')).toHaveTextContent('Cancelled 6');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop rollout' })).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/patching/rollouts/ro1/stop', body: {} }]);
  });

  it('keeps a refused stop in the dialog', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/rollouts/ro1': () => ({ body: rollout('ro1') }),
      'GET /patching/runs': () => ({ body: RUNS }),
      'POST /patching/rollouts/ro1/stop': { status: 403, body: { error: 'You do not have permission to do this', code: 'forbidden' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching/rollouts/ro1');

    await user.click(await screen.findByRole('button', { name: 'Stop rollout' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop this rollout?' });
    await user.click(within(dialog).getByRole('button', { name: 'Stop rollout' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('You do not have permission to do this');
  });

  it('shows a reader the rollout and why it stopped, without a way to stop it or change its runs', async () => {
    const calls = stubApi({
      'GET /me/context': { body: READER },
      'GET /patching/rollouts/ro1': {
        body: rollout('ro1', {
          status: 'stopped', current_ring: 0, in_flight: 0, succeeded: 2, failed: 2, cancelled: 6, waiting: 0, completed_at: '2026-03-10T10:20:00Z',
          stop_reason: 'ring 1 succeeded on 50% of its hosts, below the 75% needed to go on',
          rings: [{ size: 4, succeeded: 2, failed: 2, cancelled: 0 }, { size: 6, succeeded: 0, failed: 0, cancelled: 6 }],
        }),
      },
      'GET /patching/runs': { body: RUNS },
    });
    renderRoutes(routes, '/patching/rollouts/ro1');

    expect(await screen.findByTestId('stop-reason')).toHaveTextContent('Ring 1 succeeded on 50% of its hosts, below the 75% needed to go on.');
    expect(screen.getByTestId('ring-0')).toHaveTextContent('success rate 50% (needs 75%)');
    expect(screen.getByTestId('ring-0')).not.toHaveTextContent('In progress');
    await screen.findByRole('table', { name: 'Runs of this rollout' });
    expect(screen.queryByRole('button', { name: /stop|delete/i })).not.toBeInTheDocument();
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('without a first ring says the hosts start in order; a completed rollout says it is done', async () => {
    stubApi({
      'GET /me/context': { body: READER },
      'GET /patching/rollouts/ro1': {
        body: rollout('ro1', {
          status: 'completed', completed_at: '2026-03-10T10:20:00Z', in_flight: 0, succeeded: 10, failed: 0, waiting: 0,
          rings: [{ size: 10, succeeded: 10, failed: 0, cancelled: 0 }],
        }),
      },
      'GET /patching/runs': { body: { items: [], next_cursor: null } },
    });
    renderRoutes(routes, '/patching/rollouts/ro1');

    expect(await screen.findByText('No first ring: the hosts start in order as slots free.')).toBeInTheDocument();
    expect(screen.getByTestId('rollout-status')).toHaveTextContent('Completed');
    expect(screen.getByText('Rollout completed')).toBeInTheDocument();
    expect(screen.queryByTestId('ring-threshold')).not.toBeInTheDocument();
  });

  it('says when the rollout does not exist', async () => {
    stubApi({ 'GET /me/context': { body: PATCHER }, 'GET /patching/rollouts/nope': { status: 404, body: { error: 'Rollout not found', code: 'not_found' } } });
    renderRoutes(routes, '/patching/rollouts/nope');
    expect(await screen.findByRole('heading', { level: 1, name: 'Rollout not found' })).toBeInTheDocument();
  });
});

describe('a rollout\'s runs elsewhere', () => {
  it('Runs & History shows a waiting run (deletable) with its Rollout link, and filters by Waiting', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/runs': () => ({ body: { items: [patchRun('r3', 'waiting', { rollout_id: 'ro1' }), patchRun('r4', 'completed', { host_id: 'h2', host_name: 'db-01' })], next_cursor: null } }),
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/patching?tab=runs');

    const row = (await screen.findByRole('link', { name: 'web-01' })).closest('tr')!;
    expect(within(row).getByText('Waiting').closest('[data-status]')).toHaveAttribute('data-status', 'waiting');
    expect(within(row).getByRole('link', { name: 'Rollout of the run on web-01' })).toHaveAttribute('href', '/patching/rollouts/ro1');
    expect(within(row).getAllByRole('button').map((b) => b.textContent)).toEqual(['Delete']);
    expect(within(row).getByRole('checkbox', { name: 'Select for deletion: the run on web-01' })).toBeInTheDocument();
    const other = screen.getByRole('link', { name: 'db-01' }).closest('tr')!;
    expect(within(other).queryByRole('link', { name: /Rollout/ })).not.toBeInTheDocument();

    const status = screen.getByLabelText('Status');
    expect(within(status).getByRole('option', { name: 'Waiting' })).toBeInTheDocument();
    await user.selectOptions(status, 'waiting');
    await waitFor(() => expect(router.state.location.search).toBe('?tab=runs&status=waiting'));
    await waitFor(() => expect(requests('/patching/runs').at(-1)?.searchParams.get('status')).toBe('waiting'));
  });

  it('without the module: no Waiting filter and no Rollout link', async () => {
    stubApi({
      'GET /me/context': { body: NO_POLICIES },
      'GET /patching/runs': { body: { items: [patchRun('r3', 'waiting', { rollout_id: 'ro1' })], next_cursor: null } },
    });
    renderRoutes(routes, '/patching?tab=runs');

    const row = (await screen.findByRole('link', { name: 'web-01' })).closest('tr')!;
    expect(within(row).getByText('Waiting')).toBeInTheDocument();
    expect(within(row).queryByRole('link', { name: /Rollout/ })).not.toBeInTheDocument();
    expect(within(screen.getByLabelText('Status')).queryByRole('option', { name: 'Waiting' })).not.toBeInTheDocument();
  });

  it('a waiting run\'s page says it waits for its rollout and links to it', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/runs/r3': { body: runDetail('r3', 'waiting', { rollout_id: 'ro1', ring: 1 }) },
      'POST /ws/tickets': { body: { ticket: 't1', expires_at: 'x' } },
    });
    renderRoutes(routes, '/patching/runs/r3');

    expect(await screen.findByTestId('run-status')).toHaveTextContent('Waiting');
    expect(screen.getByText('Waiting for its rollout.')).toBeInTheDocument();
    expect(screen.getByTestId('rollout-badge')).toHaveAttribute('href', '/patching/rollouts/ro1');
    const links = screen.getAllByRole('link', { name: 'View the rollout' });
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['/patching/rollouts/ro1', '/patching/rollouts/ro1']);
    expect(screen.getByRole('button', { name: 'Delete' })).toBeInTheDocument();
  });
});
