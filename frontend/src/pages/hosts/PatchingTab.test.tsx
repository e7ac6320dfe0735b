import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import { detail, GROUPS, MANAGER, VIEWER } from './fixtures.test-data';
import HostsPage from './index';

const routes = [{ path: '/hosts/*', element: <HostsPage /> }];
const RUNS = {
  items: [{
    id: 'r1', host_id: 'h1', host_name: 'web-01', patch_type: 'patch_all', package_names: [], dry_run: false, status: 'completed', initiated_by: 'root',
    approved_by: null, created_at: '2026-03-10T10:00:00Z', scheduled_at: null, started_at: '2026-03-10T10:01:00Z', completed_at: '2026-03-10T10:05:00Z',
    policy_name: 'Default', validation_run_id: null, execution_run_id: null, extra_deps_count: 0, error_message: null, deletable: false, approvable: false,
  }],
  next_cursor: null,
};

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a host\'s Patching tab', () => {
  it('lists the host\'s runs and lets a patch manager open the wizard with the host locked', async () => {
    stubApi({
      'GET /me/context': { body: { ...MANAGER, permissions: [...MANAGER.permissions, 'can_manage_patching'], modules: ['patching'] } },
      'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } }, 'GET /patching/runs': { body: RUNS },
      'GET /hosts/h1/packages': { body: { packages: [
        { host_id: 'h1', name: 'openssl', current_version: '3.0.2', available_version: '3.0.3', needs_update: true, is_security_update: true,
          source_repository: '', description: '', category: '', updated_at: '' },
      ], next_cursor: null } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts/h1?tab=patching');

    const table = await screen.findByRole('table', { name: 'Patch runs of web-01' });
    expect(within(table).getByText('Patch all')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Patch selected packages' }));
    const dialog = await screen.findByRole('dialog', { name: 'Patch packages' });
    expect(await within(dialog).findByRole('checkbox', { name: /openssl/ })).not.toBeChecked();
    expect(screen.getByTestId('wizard-next')).toBeDisabled();
    await user.click(within(dialog).getByRole('checkbox', { name: /openssl/ }));
    expect(screen.getByTestId('wizard-next')).toBeEnabled();
  });

  it('shows a reader the runs and no patch button', async () => {
    stubApi({
      'GET /me/context': { body: { ...VIEWER, modules: ['patching'] } },
      'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } }, 'GET /patching/runs': { body: RUNS },
    });
    renderRoutes(routes, '/hosts/h1?tab=patching');

    await screen.findByRole('table', { name: 'Patch runs of web-01' });
    expect(screen.queryByRole('button', { name: /patch/i })).not.toBeInTheDocument();
  });

  it('lists the packages the host holds by itself, as its agent reports them', async () => {
    stubApi({
      'GET /me/context': { body: { ...VIEWER, modules: ['patching'] } },
      'GET /hosts/h1': { body: { ...detail(), held_packages: ['docker-ce', 'linux-image-amd64'], held_packages_count: 2 } },
      'GET /host-groups': { body: { groups: GROUPS } }, 'GET /patching/runs': { body: RUNS },
    });
    renderRoutes(routes, '/hosts/h1?tab=patching');

    const section = await screen.findByRole('region', { name: 'Packages web-01 holds itself' });
    expect(within(section).getByText(/2 packages held by the host's own package manager/)).toBeInTheDocument();
    expect(within(section).getByTestId('host-held-packages')).toHaveTextContent('docker-ce, linux-image-amd64');
  });

  it('says nothing about host holds when the agent does not report them', async () => {
    stubApi({
      'GET /me/context': { body: { ...VIEWER, modules: ['patching'] } },
      'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } }, 'GET /patching/runs': { body: RUNS },
    });
    renderRoutes(routes, '/hosts/h1?tab=patching');

    await screen.findByRole('table', { name: 'Patch runs of web-01' });
    expect(screen.queryByRole('region', { name: /holds itself/ })).not.toBeInTheDocument();
  });
});

describe('a host\'s package holds', () => {
  const HOLDS = {
    items: [
      { id: 'hd1', hold_id: 'hd1', target_type: 'host', target_id: 'h1', pattern: 'linux-image-*', reason: 'Kernel upgrades need a change window',
        created_by: 'u1', created_at: '2026-03-01T00:00:00Z' },
      { id: 'hd2', hold_id: 'hd2', target_type: 'host_group', target_id: 'g1', pattern: 'postgresql*', reason: null, created_by: 'u1', created_at: '2026-03-02T00:00:00Z' },
    ],
  };
  const WRITER = { ...MANAGER, permissions: [...MANAGER.permissions, 'can_manage_patching'], modules: ['patching', 'patching_policies'] };
  const base = { 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } }, 'GET /patching/runs': { body: RUNS } };
  const holdRequests = () => vi.mocked(fetch).mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost'))
    .filter((url) => url.pathname === '/api/v1/patching/holds');

  it('lists the holds that apply (its own and its groups\'), adds one for the host and releases one', async () => {
    const calls = stubApi({
      ...base, 'GET /me/context': { body: WRITER }, 'GET /patching/holds': () => ({ body: HOLDS }),
      'POST /patching/holds': [
        { status: 409, body: { error: 'This hold exists already', code: 'hold_exists' } },
        { status: 201, body: { id: 'hd3', target_type: 'host', target_id: 'h1', pattern: 'nginx*', reason: 'Pinned', created_by: 'u1', created_at: '2026-03-03T00:00:00Z' } },
      ],
      'DELETE /patching/holds/hd2': { body: { message: 'Hold released' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts/h1?tab=patching');

    const table = await screen.findByRole('table', { name: 'Package holds of web-01' });
    expect(holdRequests()[0]?.searchParams.get('host_id')).toBe('h1');
    const row = (pattern: string) => within(table).getByText(pattern).closest('tr')!;
    expect(row('linux-image-*')).toHaveTextContent('Kernel upgrades need a change window');
    expect(row('linux-image-*')).toHaveTextContent('This host');
    expect(await within(row('postgresql*')).findByText('Group: Production')).toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Hold packages on web-01' });
    await user.type(within(form).getByRole('textbox', { name: /^Pattern/ }), 'nginx core');
    await user.click(within(form).getByRole('button', { name: 'Add hold' }));
    expect(await within(form).findByText(/Use a package name with \* and \?/)).toBeInTheDocument();
    await user.clear(within(form).getByRole('textbox', { name: /^Pattern/ }));
    await user.type(within(form).getByRole('textbox', { name: /^Pattern/ }), 'nginx*');
    await user.type(within(form).getByRole('textbox', { name: /^Reason/ }), 'Pinned');
    await user.click(within(form).getByRole('button', { name: 'Add hold' }));
    expect(await within(form).findByText('This hold exists already')).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Add hold' }));
    expect(await screen.findByText('nginx* held on web-01')).toBeInTheDocument();
    await waitFor(() => expect(within(form).getByRole('textbox', { name: /^Pattern/ })).toHaveValue(''));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { target_type: 'host', target_id: 'h1', pattern: 'nginx*', reason: 'Pinned' },
      { target_type: 'host', target_id: 'h1', pattern: 'nginx*', reason: 'Pinned' },
    ]);

    await user.click(within(row('postgresql*')).getByRole('button', { name: 'Release postgresql*' }));
    const dialog = await screen.findByRole('dialog', { name: 'Release the hold on postgresql*?' });
    expect(dialog).toHaveTextContent('every host of Production');
    await user.click(within(dialog).getByRole('button', { name: 'Release hold' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/patching/holds/hd2')).toBe(true));
    expect(await screen.findByText('Hold on postgresql* released')).toBeInTheDocument();
  });

  it('shows a reader the holds without the form or Release', async () => {
    const calls = stubApi({ ...base, 'GET /me/context': { body: { ...VIEWER, modules: ['patching', 'patching_policies'] } }, 'GET /patching/holds': { body: HOLDS } });
    renderRoutes(routes, '/hosts/h1?tab=patching');

    const table = await screen.findByRole('table', { name: 'Package holds of web-01' });
    expect(within(table).getByText('linux-image-*')).toBeInTheDocument();
    expect(within(table).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Hold packages on web-01' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /hold|release/i })).not.toBeInTheDocument();
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('is hidden without the patching_policies module, and when the server says the plan lacks it', async () => {
    stubApi({ ...base, 'GET /me/context': { body: { ...WRITER, modules: ['patching'] } } });
    const first = renderRoutes(routes, '/hosts/h1?tab=patching');
    await screen.findByRole('table', { name: 'Patch runs of web-01' });
    expect(screen.queryByRole('region', { name: 'Package holds of web-01' })).not.toBeInTheDocument();
    expect(holdRequests()).toHaveLength(0);
    first.unmount();

    stubApi({
      ...base, 'GET /me/context': { body: WRITER },
      'GET /patching/holds': { status: 403, body: { error: 'module not available in your plan', code: 'module_not_available' } },
    });
    renderRoutes(routes, '/hosts/h1?tab=patching');
    await screen.findByRole('table', { name: 'Patch runs of web-01' });
    await waitFor(() => expect(holdRequests()).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Package holds of web-01' })).not.toBeInTheDocument());
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
