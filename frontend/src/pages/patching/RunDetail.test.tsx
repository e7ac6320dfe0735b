import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import { PATCHER, READER, runDetail } from './fixtures.test-data';
import PatchingPage from './index';
import { FakeSocket, stubWebSocket } from './testSocket.test-data';

const routes = [{ path: '/patching/*', element: <PatchingPage /> }];

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
  stubWebSocket();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a run', () => {
  it('streams the live output: the snapshot, newer chunks only, then done', async () => {
    let current = runDetail('r1', 'running', { started_at: '2026-03-10T10:01:00Z', shell_output: 'line 1\n', output_seq: 1 });
    const calls = stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/runs/r1': () => ({ body: current }),
      'POST /ws/tickets': { body: { ticket: 't1', expires_at: 'x' } },
      'POST /patching/runs/r1/stop': { status: 409, body: { error: 'The agent is not connected', code: 'agent_not_connected' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/patching/runs/r1');

    expect(await screen.findByRole('heading', { level: 1, name: 'web-01' })).toBeInTheDocument();
    expect(screen.getByTestId('run-status')).toHaveTextContent('Running');
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('ws://localhost:3000/api/v1/ws?ticket=t1');
    socket.accept();
    expect(socket.sent).toEqual([{ action: 'subscribe_patch_run', patch_run_id: 'r1' }]);

    socket.push({ type: 'snapshot', patch_run_id: 'r1', stage: 'running', shell_output: 'line 1\nline 2\n', error_message: null, seq: 2 });
    socket.push({ type: 'chunk', patch_run_id: 'r1', stage: 'progress', chunk: 'line 2\n', seq: 2 });
    socket.push({ type: 'chunk', patch_run_id: 'r1', stage: 'progress', chunk: 'progress 50%\rprogress 100%\n', seq: 3 });
    socket.push({ type: 'chunk', patch_run_id: 'r1', stage: 'progress', chunk: 'old\n', seq: 1 });
    const terminal = screen.getByTestId('patch-terminal');
    expect(terminal.textContent).toBe('line 1\nline 2\nprogress 50%\nprogress 100%\n');
    expect(screen.getByText('● Live')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Copy output' })).not.toBeInTheDocument();

    // Stop: the agent is not connected.
    await user.click(screen.getByRole('button', { name: 'Stop run' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop this run?' });
    expect(dialog).toHaveTextContent('Partially-installed packages may leave the host in an intermediate state');
    await user.click(within(dialog).getByRole('button', { name: 'Stop run' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Agent is not currently connected');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    current = runDetail('r1', 'completed', { shell_output: 'all done\n', output_seq: 4, completed_at: '2026-03-10T10:05:00Z', post_patch: 'awaiting_report' });
    socket.push({ type: 'done', patch_run_id: 'r1', stage: 'completed', error_message: null });

    await waitFor(() => expect(screen.getByTestId('run-status')).toHaveTextContent('Completed'));
    expect(socket.readyState).toBe(FakeSocket.CLOSED);
    await waitFor(() => expect(screen.getByTestId('patch-terminal').textContent).toBe('all done\n'));
    expect(screen.getByText('Awaiting inventory report')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy output' })).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/ws/tickets')).toHaveLength(1);
  });

  it('shows a validated run\'s banner, its packages with the extra dependencies marked, and its actions', async () => {
    stubApi({
      'GET /me/context': { body: PATCHER },
      'GET /patching/runs/r2': {
        body: runDetail('r2', 'validated', {
          dry_run: true, package_names: ['curl'], extra_deps_count: 1, shell_output: 'Inst curl\nInst libcurl4\n', output_seq: 2,
          packages_affected: [{ name: 'curl', version: '8.5.0', action: 'upgrade' }, { name: 'libcurl4', version: '8.5.0', action: 'upgrade' }],
        }),
      },
    });
    renderRoutes(routes, '/patching/runs/r2');

    expect(await screen.findByText('Validation complete. Approval required.')).toBeInTheDocument();
    expect(screen.getByText(/1 extra dependency would be installed/)).toBeInTheDocument();
    const affected = screen.getByRole('list', { name: 'Packages affected' });
    expect(within(affected).getByText(/libcurl4/).closest('li')).toHaveTextContent('extra dep');
    expect(within(affected).getByText(/^curl/).closest('li')).not.toHaveTextContent('extra dep');
    expect(screen.getByRole('button', { name: 'Approve' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy output' })).toBeInTheDocument();
    expect(FakeSocket.all).toHaveLength(0); // a validated run does not change any more
  });

  it('shows a reader a pending run without any action, and no output yet', async () => {
    stubApi({
      'GET /me/context': { body: READER },
      'GET /patching/runs/r3': { body: runDetail('r3', 'pending_validation', { dry_run: true }) },
      'POST /ws/tickets': { body: { ticket: 't', expires_at: 'x' } },
    });
    renderRoutes(routes, '/patching/runs/r3');

    expect(await screen.findByText('Validation pending. Host may be offline.')).toBeInTheDocument();
    expect(screen.getByTestId('patch-terminal')).toHaveTextContent('(No output yet)');
    expect(screen.queryByRole('button', { name: /approve|retry|skip|stop|delete/i })).not.toBeInTheDocument();
  });

  it('shows a window run\'s holds, closing time and initiator, and its host back from the reboot with the after-reboot hooks', async () => {
    stubApi({
      'GET /me/context': { body: READER },
      'GET /patching/runs/r5': {
        body: runDetail('r5', 'completed', {
          patch_type: 'patch_all', package_names: [], initiated_by: 'Maintenance window Weekend', completed_at: '2026-03-14T02:10:00Z',
          shell_output: 'Upgraded 12 packages\n', output_seq: 1, exclude_packages: ['linux-image-*', 'postgresql*'], not_after: '2026-03-14T05:00:00Z',
          reboot: {
            policy: 'if_required', required: true, decision: 'rebooting', reason: '/var/run/reboot-required exists', kernel_before: '6.1.0-25-amd64',
            status: 'host_back', kernel_after: '6.1.0-26-amd64', new_kernel: true, booted_at: '2026-03-14T02:12:30Z', host_back_at: '2026-03-14T02:13:00Z',
          },
          post_reboot_output: '+ systemctl start app\nstarted\n', post_reboot_error: 'hook 2 (curl -f http://localhost/health) exited with 7',
        }),
      },
    });
    renderRoutes(routes, '/patching/runs/r5');

    expect(await screen.findByRole('heading', { level: 1, name: 'web-01' })).toBeInTheDocument();
    const summary = screen.getByRole('complementary', { name: 'Run summary' });
    expect(within(summary).getByText('Held back').nextElementSibling).toHaveTextContent('linux-image-*, postgresql*');
    expect(within(summary).getByText('Maintenance window Weekend')).toBeInTheDocument();
    expect(within(summary).getByTestId('window-closes')).toHaveTextContent(/^Maintenance window closes at .+/);

    const panel = screen.getByTestId('reboot-panel');
    const back = new Date('2026-03-14T02:13:00Z').toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    expect(panel).toHaveAccessibleName(`Host back at ${back}, new kernel 6.1.0-26-amd64 (was 6.1.0-25-amd64)`);
    expect(panel).toHaveTextContent('Reboot policy: If required');
    expect(within(panel).getByTestId('post-reboot-output').textContent).toBe('+ systemctl start app\nstarted\n');
    expect(within(panel).getByRole('alert')).toHaveTextContent('hook 2 (curl -f http://localhost/health) exited with 7');
    expect(screen.getAllByTestId('patch-terminal')).toHaveLength(1);
    expect(screen.getByTestId('patch-terminal').textContent).toBe('Upgraded 12 packages\n');
    expect(screen.getByText('Rebooted')).toBeInTheDocument();
  });

  it('says whether the run rebooted its host, needed a reboot the policy forbids, or needed none', async () => {
    const cases: [Record<string, unknown>, string, string | null][] = [
      [{ policy: 'always', decision: 'rebooting', status: 'rebooting', kernel_before: '6.1.0-25' }, 'Rebooting…', 'Rebooting'],
      [{ policy: 'never', required: true, decision: 'not_allowed', reason: 'a new kernel is installed' }, 'Reboot required but the policy says never', 'Reboot required'],
      [{ policy: 'if_required', required: false, decision: 'not_required' }, 'No reboot needed', null],
    ];
    for (const [reboot, title, pill] of cases) {
      stubApi({ 'GET /me/context': { body: READER }, 'GET /patching/runs/r6': { body: runDetail('r6', 'completed', { reboot, completed_at: '2026-03-14T02:10:00Z' }) } });
      const view = renderRoutes(routes, '/patching/runs/r6');
      const panel = await screen.findByTestId('reboot-panel');
      expect(panel).toHaveAccessibleName(title);
      if (reboot.decision === 'not_allowed') {
        expect(panel).toHaveTextContent('a new kernel is installed');
        expect(panel.getAttribute('style')).toContain('orange');
      }
      if (pill) expect(screen.getByText(pill, { selector: '.mantine-Badge-label' })).toBeInTheDocument();
      else expect(screen.queryByText(/^(Rebooting|Rebooted|Reboot required)$/)).not.toBeInTheDocument();
      view.unmount();
      vi.unstubAllGlobals();
    }
  });

  it('shows no reboot panel, hold or window for a run without them', async () => {
    stubApi({ 'GET /me/context': { body: READER }, 'GET /patching/runs/r7': { body: runDetail('r7', 'completed', { completed_at: '2026-03-14T02:10:00Z' }) } });
    renderRoutes(routes, '/patching/runs/r7');
    await screen.findByRole('heading', { level: 1, name: 'web-01' });
    expect(screen.queryByTestId('reboot-panel')).not.toBeInTheDocument();
    expect(screen.queryByText('Held back')).not.toBeInTheDocument();
    expect(screen.queryByTestId('window-closes')).not.toBeInTheDocument();
  });

  it('says when a run does not exist', async () => {
    stubApi({ 'GET /me/context': { body: READER }, 'GET /patching/runs/nope': { status: 404, body: { error: 'Patch run not found', code: 'not_found' } } });
    renderRoutes(routes, '/patching/runs/nope');
    expect(await screen.findByRole('heading', { level: 1, name: 'Patch run not found' })).toBeInTheDocument();
  });
});
