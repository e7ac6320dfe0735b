import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { hostGroupKeys } from '../../api/hostGroups';
import { renderRoutes, stubApi } from '../../test/render';
import { GROUPS, host, MANAGER, VIEWER } from './fixtures.test-data';
import HostsPage from './index';

const routes = [{ path: '/hosts/*', element: <HostsPage /> }];
const DELETE = /\b(delete|remove)\b/i;

function hostsUrls(): URL[] {
  return vi.mocked(fetch).mock.calls
    .map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost'))
    .filter((url) => url.pathname === '/api/v1/hosts');
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('the hosts list', () => {
  it('shows a read-only user the hosts and no way to change them', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER },
      'GET /hosts': { body: { hosts: [host(), host({ host_id: 'h2', friendly_name: 'db-01', status: 'pending', last_report_at: null, connected: false })], next_cursor: null } },
      'GET /host-groups': { body: { groups: GROUPS } },
    });
    renderRoutes(routes, '/hosts');

    const link = await screen.findByRole('link', { name: 'web-01' });
    expect(link).toHaveAttribute('href', '/hosts/h1');
    const row = link.closest('tr')!;
    expect(within(row).getByText(/^active$/i)).toBeInTheDocument();
    expect(within(row).getByText('Ubuntu 22.04')).toBeInTheDocument();
    expect(await within(row).findByText('Production')).toBeInTheDocument();
    expect(within(row).getByText('5 minutes ago')).toHaveAttribute('title');
    expect(within(screen.getByRole('link', { name: 'db-01' }).closest('tr')!).getByText(/^pending$/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Hosts' })).toBeInTheDocument();

    expect(screen.queryByRole('button', { name: /add/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: DELETE })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox', { name: /select/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /edit groups/i })).not.toBeInTheDocument();
  });

  it('shows a group renamed in Settings without a reload', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts': { body: { hosts: [host()], next_cursor: null } },
      'GET /host-groups': [{ body: { groups: GROUPS } }, { body: { groups: [{ ...GROUPS[0]!, name: 'Live' }, GROUPS[1]!] } }],
    });
    const { queryClient } = renderRoutes(routes, '/hosts');
    const row = (await screen.findByRole('link', { name: 'web-01' })).closest('tr')!;
    expect(await within(row).findByText('Production')).toBeInTheDocument();

    // What Settings → Host groups does after a change.
    await queryClient.invalidateQueries({ queryKey: hostGroupKeys.all });

    expect(await within(row).findByText('Live')).toBeInTheDocument();
  });

  it('looks again every 5 s while a host waits for its first report, then every 30 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const pending = host({ status: 'pending', last_report_at: null, connected: false });
      stubApi({
        'GET /me/context': { body: VIEWER },
        'GET /hosts': [{ body: { hosts: [pending], next_cursor: null } }, { body: { hosts: [host()], next_cursor: null } },
          { body: { hosts: [host()], next_cursor: null } }],
        'GET /host-groups': { body: { groups: GROUPS } },
      });
      renderRoutes(routes, '/hosts');
      const row = (await screen.findByRole('link', { name: 'web-01' })).closest('tr')!;
      expect(within(row).getByText(/^pending$/)).toBeInTheDocument();

      await vi.advanceTimersByTimeAsync(5_000);
      expect(await within(screen.getByRole('link', { name: 'web-01' }).closest('tr')!).findByText(/^active$/)).toBeInTheDocument();
      expect(hostsUrls()).toHaveLength(2);

      await vi.advanceTimersByTimeAsync(10_000);
      expect(hostsUrls()).toHaveLength(2); // nothing pending any more: back to the 30 s rhythm
      await vi.advanceTimersByTimeAsync(20_000);
      await waitFor(() => expect(hostsUrls()).toHaveLength(3));
    } finally {
      vi.useRealTimers();
    }
  });

  it('invites a host manager of a new organisation to add the first host', async () => {
    stubApi({ 'GET /me/context': { body: MANAGER }, 'GET /hosts': { body: { hosts: [], next_cursor: null } }, 'GET /host-groups': { body: { groups: [] } } });
    renderRoutes(routes, '/hosts');
    expect(await screen.findByRole('heading', { name: 'No hosts yet' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add your first host' })).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'Add host' })).toHaveLength(1);
  });

  it('sends the deep-linked filters and the order to the server and clears them', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts': { body: { hosts: [host()], next_cursor: null } }, 'GET /host-groups': { body: { groups: GROUPS } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/hosts?group=g1&needs_updates=true&sort=updates_count&order=desc');
    await screen.findByRole('link', { name: 'web-01' });

    const first = hostsUrls()[0]!.searchParams;
    expect(Object.fromEntries(first)).toEqual({ group: 'g1', needs_updates: 'true', sort: 'updates_count', order: 'desc', limit: '50' });
    expect(screen.getByRole('checkbox', { name: 'Needs updates' })).toBeChecked();

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe('?sort=updates_count&order=desc'));
    await waitFor(() => expect(hostsUrls().at(-1)!.searchParams.get('group')).toBeNull());
  });

  it('offers the hosts in no group as a group filter', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts': { body: { hosts: [host()], next_cursor: null } }, 'GET /host-groups': { body: { groups: GROUPS } },
    });
    renderRoutes(routes, '/hosts?group=ungrouped');
    await screen.findByRole('link', { name: 'web-01' });
    expect(hostsUrls()[0]!.searchParams.get('group')).toBe('ungrouped');
    expect(screen.getByRole('textbox', { name: 'Host group' })).toHaveValue('Ungrouped');
  });

  it('searches after typing pauses', async () => {
    stubApi({
      'GET /me/context': { body: VIEWER }, 'GET /hosts': { body: { hosts: [host()], next_cursor: null } }, 'GET /host-groups': { body: { groups: GROUPS } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/hosts');
    await screen.findByRole('link', { name: 'web-01' });

    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'db');

    await waitFor(() => expect(router.state.location.search).toBe('?search=db'));
    await waitFor(() => expect(hostsUrls().at(-1)!.searchParams.get('search')).toBe('db'));
    expect(hostsUrls().filter((url) => url.searchParams.get('search') === 'd')).toHaveLength(0);
  });
});

describe('bulk actions', () => {
  function stubManagerList() {
    return stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /host-groups': { body: { groups: GROUPS } },
      'GET /hosts': { body: { hosts: [host(), host({ host_id: 'h2', friendly_name: 'db-01', connected: false })], next_cursor: null } },
      'POST /hosts/h1/fetch-report': { status: 202, body: { message: 'Report requested' } },
      'PUT /hosts/bulk/groups': { body: { updated: 2 } },
      'PUT /hosts/h1/groups': { body: host({ group_ids: ['g1', 'g2'] }) },
      'DELETE /hosts/bulk': { body: { deleted: ['h1', 'h2'], not_found: [] } },
    });
  }

  it('fetches reports and reports the hosts it could not reach in one toast', async () => {
    const calls = stubManagerList();
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts');
    await user.click(await screen.findByRole('checkbox', { name: 'Select all on this page' }));

    await user.click(screen.getByRole('button', { name: 'Fetch reports' }));

    const toast = await screen.findByRole('status');
    expect(toast).toHaveTextContent('Report requested from 1 of 2 hosts');
    expect(toast).toHaveTextContent('db-01 (agent not connected)');
    expect(calls.filter((c) => c.path.endsWith('/fetch-report')).map((c) => c.path)).toEqual(['/hosts/h1/fetch-report']);
  });

  it('sets the groups of the selected hosts, saying it replaces them', async () => {
    const calls = stubManagerList();
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts');
    await user.click(await screen.findByRole('checkbox', { name: 'Select web-01' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select db-01' }));

    await user.click(screen.getByRole('button', { name: 'Assign to groups' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(/replaces/i);
    await user.click(within(dialog).getByRole('checkbox', { name: 'Staging' }));
    await user.click(within(dialog).getByRole('button', { name: 'Assign to groups' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Groups set on 2 hosts');
    expect(calls.find((c) => c.path === '/hosts/bulk/groups')?.body).toEqual({ hostIds: ['h1', 'h2'], groupIds: ['g2'] });
  });

  it("edits one host's groups from its row, saving only a change", async () => {
    const calls = stubManagerList();
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts');

    await user.click(await screen.findByRole('button', { name: 'Edit groups of web-01' }));
    // jsdom lays nothing out, so Mantine hides the popover as detached from its target: query it with `hidden`.
    const editor = await screen.findByRole('dialog', { name: 'Edit groups of web-01', hidden: true });
    const save = within(editor).getByRole('button', { name: 'Save groups', hidden: true });
    expect(save).toBeDisabled();
    await user.click(within(editor).getByRole('checkbox', { name: 'Staging', hidden: true }));
    await user.click(save);

    expect(await screen.findByRole('status')).toHaveTextContent('Host groups saved');
    expect(calls.find((c) => c.path === '/hosts/h1/groups')).toMatchObject({ method: 'PUT', body: { groupIds: ['g1', 'g2'] } });
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Save groups', hidden: true })).not.toBeInTheDocument());
  });

  it('deletes the selected hosts after a confirmation', async () => {
    const calls = stubManagerList();
    const user = userEvent.setup();
    renderRoutes(routes, '/hosts');
    await user.click(await screen.findByRole('checkbox', { name: 'Select db-01' }));

    await user.click(screen.getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete 1 host?' });
    expect(dialog).toHaveTextContent('db-01');
    await user.click(within(dialog).getByRole('button', { name: 'Delete 1 host' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Deleted 2 hosts');
    expect(calls.find((c) => c.method === 'DELETE')).toMatchObject({ path: '/hosts/bulk', body: { hostIds: ['h2'] } });
  });
});

describe('the add host wizard', () => {
  it('creates the host, shows its credentials and install command once, and waits for its first report', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const created = { hostId: 'h9', friendlyName: 'new-01', apiId: 'patchmon_00000000000000ff', apiKey: 'k'.repeat(64), hostGroups: [], instructions: '' };
      const calls = stubApi({
        'GET /me/context': { body: MANAGER }, 'GET /hosts': { body: { hosts: [], next_cursor: null } }, 'GET /host-groups': { body: { groups: GROUPS } },
        'POST /hosts/create': { status: 201, body: created },
        'GET /settings/server-url': { body: { server_url: 'https://acme.patchmon.example' } },
        'GET /hosts/h9': [
          { body: { ...host({ host_id: 'h9', friendly_name: 'new-01', status: 'pending', packages_count: 0 }) } },
          { body: { ...host({ host_id: 'h9', friendly_name: 'new-01', status: 'active', packages_count: 1234 }) } },
        ],
      });
      const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
      renderRoutes(routes, '/hosts');

      await user.click(await screen.findByRole('button', { name: 'Add host' }));
      const dialog = await screen.findByRole('dialog');
      await user.click(within(dialog).getByRole('button', { name: 'Create host' }));
      expect(await within(dialog).findByText('Enter a friendly name')).toBeInTheDocument();
      await user.type(within(dialog).getByLabelText(/Friendly name/), 'new-01');
      await user.click(within(dialog).getByRole('checkbox', { name: 'Production' }));
      await user.click(within(dialog).getByRole('button', { name: 'Create host' }));

      expect(await within(dialog).findByTestId('api-id')).toHaveTextContent('patchmon_00000000000000ff');
      expect(within(dialog).getByTestId('api-key')).toHaveTextContent('k'.repeat(64));
      expect(calls.find((c) => c.path === '/hosts/create')?.body).toEqual({ friendly_name: 'new-01', hostGroupIds: ['g1'] });
      expect(dialog).toHaveTextContent(/shown only once/i);
      await waitFor(() => expect(within(dialog).getByText(/\/api\/v1\/hosts\/install/)).toHaveTextContent(
        `curl -fsS "https://acme.patchmon.example/api/v1/hosts/install" -H "X-API-ID: patchmon_00000000000000ff" -H "X-API-KEY: ${'k'.repeat(64)}" | sudo sh`,
      ));
      expect(within(dialog).getByText(/\/api\/v1\/hosts\/remove/)).toBeInTheDocument();
      expect(await within(dialog).findByText("Waiting for the agent's first report…")).toBeInTheDocument();

      await vi.advanceTimersByTimeAsync(5_000);

      expect(await within(dialog).findByText('Connected: 1,234 packages reported')).toBeInTheDocument();
      expect(within(dialog).getByRole('link', { name: "Open the host's page" })).toHaveAttribute('href', '/hosts/h9');

      expect(dialog).toContainElement(document.activeElement as HTMLElement); // so Escape reaches the dialog
      await user.keyboard('{Escape}');
      await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    } finally {
      vi.useRealTimers();
    }
  });
});
