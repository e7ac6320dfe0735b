import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

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
});
