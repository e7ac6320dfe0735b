import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { orgSettingsKeys } from '../../api/orgSettings';
import { renderRoutes, stubApi } from '../../test/render';
import { detail, GROUPS, MANAGER, VIEWER } from './fixtures.test-data';
import HostsPage from './index';

const routes = [{ path: '/hosts/*', element: <HostsPage /> }];
const WRITE = /\b(delete|remove|rename|save|add|create|regenerate|fetch report|update agent)\b/i;

const PACKAGES = {
  packages: [
    { host_id: 'h1', name: 'openssl', current_version: '3.0.2', available_version: '3.0.3', needs_update: true, is_security_update: true,
      source_repository: 'jammy-security', description: 'TLS toolkit', category: 'libs', updated_at: '2025-01-01T00:00:00Z' },
    { host_id: 'h1', name: 'zlib1g', current_version: '1.2.11', available_version: '', needs_update: false, is_security_update: false,
      source_repository: 'jammy', description: '', category: 'libs', updated_at: '2025-01-01T00:00:00Z' },
  ],
  next_cursor: null,
};

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('a host page', () => {
  it('shows a read-only user the host, its packages and no way to change it', async () => {
    const calls = stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } },
      'GET /hosts/h1/packages': { body: PACKAGES },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts/h1');

    expect(await screen.findByRole('heading', { level: 1, name: 'web-01' })).toHaveTextContent(/^web-01$/);
    expect(screen.getAllByText('Ubuntu 22.04').length).toBeGreaterThan(0);
    expect(screen.getByText('WSS')).toBeInTheDocument();
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual(
      ['Overview', 'Network', 'Packages412', 'Repositories', 'Reports', 'Agent', 'Credentials and install'],
    );
    expect(screen.queryByRole('button', { name: WRITE })).not.toBeInTheDocument();

    await user.click(screen.getByRole('tab', { name: /^packages/i }));

    const panel = screen.getByRole('tabpanel');
    expect(within(panel).getByRole('heading', { name: '412 packages' })).toBeInTheDocument();
    expect(await within(panel).findByRole('link', { name: 'openssl' })).toBeInTheDocument();
    expect(within(panel).getAllByRole('row')).toHaveLength(3);
    expect(within(within(panel).getByRole('link', { name: 'openssl' }).closest('tr')!).getByText('Security')).toBeInTheDocument();

    for (const name of ['Agent', 'Credentials and install', 'Overview']) {
      await user.click(screen.getByRole('tab', { name }));
      expect(screen.queryByRole('button', { name: WRITE })).not.toBeInTheDocument();
      expect(screen.queryByRole('switch')).not.toBeInTheDocument();
    }
    expect(calls.some((c) => c.method !== 'GET')).toBe(false);
  });

  it('keeps the tab and the package filter in the URL', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } },
      'GET /hosts/h1/packages': { body: PACKAGES },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/hosts/h1?tab=packages&pkg=security');

    expect(await screen.findByRole('tab', { name: /^packages/i, selected: true })).toBeInTheDocument();
    const url = vi.mocked(fetch).mock.calls.map(([input]) => (input instanceof Request ? input.url : input.toString())).find((u) => u.includes('/packages'));
    expect(url).toContain('security=true');

    await user.click(screen.getByRole('tab', { name: 'Network' }));
    expect(router.state.location.search).toBe('?tab=network&pkg=security');
    expect(screen.getByText('10.0.0.5/24')).toBeInTheDocument();
  });

  it('lets a host manager delete the host after a confirmation, then goes back to the list', async () => {
    const calls = stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } },
      'DELETE /hosts/h1': { body: { message: 'Host deleted successfully' } },
      'GET /hosts': { body: { hosts: [], next_cursor: null } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/hosts/h1');

    await user.click(await screen.findByRole('button', { name: 'Delete host' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete web-01?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete host' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/hosts'));
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/hosts/h1')).toBe(true);
    expect(await screen.findByRole('status')).toHaveTextContent('web-01 deleted');
  });

  it('regenerates the credentials after explaining that the old key stops working, and shows the new key', async () => {
    stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } },
      'GET /settings/server-url': { body: { server_url: 'https://acme.example' } },
      'POST /hosts/h1/regenerate-credentials': { body: { apiId: 'patchmon_new', apiKey: 'n'.repeat(64) } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts/h1?tab=credentials');

    await user.click(await screen.findByRole('button', { name: 'Regenerate credentials' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(/stop working/);
    await user.click(within(dialog).getByRole('button', { name: 'Regenerate credentials' }));

    expect(await screen.findByTestId('api-key')).toHaveTextContent('n'.repeat(64));
    expect(screen.getByText(/X-API-ID: patchmon_new/)).toHaveTextContent('https://acme.example/api/v1/hosts/install');
  });

  it('puts a server URL changed in Settings into the install command at once', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } },
      'GET /settings/server-url': [{ body: { server_url: 'https://old.example' } }, { body: { server_url: 'https://new.example' } }],
    });
    const { queryClient } = renderRoutes(routes, '/hosts/h1?tab=credentials');
    const command = () => screen.getByText(/X-API-ID: patchmon_0123456789abcdef/);
    await waitFor(() => expect(command()).toHaveTextContent('https://old.example/api/v1/hosts/install'));

    // What Settings → Agent updates does after saving a new server URL.
    await queryClient.invalidateQueries({ queryKey: orgSettingsKeys.serverUrl });

    await waitFor(() => expect(command()).toHaveTextContent('https://new.example/api/v1/hosts/install'));
  });

  it('saves the group membership when the field is left', async () => {
    const calls = stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /hosts/h1': { body: detail() }, 'GET /host-groups': { body: { groups: GROUPS } },
      'PUT /hosts/h1/groups': { body: detail({ group_ids: ['g1', 'g2'] }) },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts/h1');

    const field = await screen.findByRole('textbox', { name: 'Host groups' });
    await waitFor(() => expect(field).toBeEnabled());
    await user.click(field);
    // The dropdown is still in its opening transition (display: none) in jsdom.
    await user.click(await screen.findByRole('option', { name: 'Staging', hidden: true }));
    await user.tab();

    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ groupIds: ['g1', 'g2'] }));
  });

  it('says when a host does not exist', async () => {
    stubApi({ 'GET /me/context': { body: VIEWER }, 'GET /hosts/nope': { status: 404, body: { error: 'Host not found', code: 'not_found' } } });
    renderRoutes(routes, '/hosts/nope');
    expect(await screen.findByRole('heading', { level: 1, name: 'Host not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to the host list' })).toHaveAttribute('href', '/hosts');
  });
});
