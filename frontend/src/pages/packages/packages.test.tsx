import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { routes } from '../../router';
import { ME, renderRoutes, STATS, stubApi } from '../../test/render';

const READ_ONLY = { ...ME, role: 'viewer', permissions: ['can_view_packages', 'can_view_hosts', 'can_view_dashboard'] };
const WRITE_WORDS = /add|create|edit|save|delete|remove|patch|update all/i;

const PACKAGES = {
  packages: [
    { name: 'libstdc++6', description: 'GNU Standard C++ Library', category: 'libs', latest_version: '12.3.0-1ubuntu1~22.04.1', installed_hosts: 12,
      outdated_hosts: 3, security_hosts: 1 },
    { name: 'vim', description: '', category: '', latest_version: null, installed_hosts: 1, outdated_hosts: 0, security_hosts: 0 },
  ],
  next_cursor: 'c2',
};

function requested(prefix: string): URL[] {
  return vi.mocked(fetch).mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost')).filter((url) => url.pathname === `/api/v1${prefix}`);
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('the packages list', () => {
  it('shows one page from one request, with counts, badges and links, and no write action for a read-only user', async () => {
    stubApi({ 'GET /me/context': { body: READ_ONLY }, 'GET /packages': { body: PACKAGES }, 'GET /dashboard/stats': { body: STATS } });
    renderRoutes(routes, '/packages');

    expect(await screen.findByRole('heading', { level: 1, name: 'Packages' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Packages' });
    expect(within(table).getByRole('link', { name: 'libstdc++6' })).toHaveAttribute('href', '/packages/libstdc%2B%2B6');
    expect(within(table).getByText('12 hosts')).toBeInTheDocument();
    expect(within(table).getByText('Security Update Available')).toBeInTheDocument();
    expect(within(table).getByText('Up to Date')).toBeInTheDocument();
    expect(within(table).getByText('12.3.0-1ubuntu1~22.04.1')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Outdated Hosts' })).toHaveAttribute('href', '/hosts?needs_updates=true');
    expect(screen.getByRole('button', { name: 'Next page' })).toBeEnabled();
    expect(requested('/packages')).toHaveLength(1);
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).not.toContainEqual(expect.stringMatching(WRITE_WORDS));
  });

  it('reads the deep link, changes the update status in the URL and debounces the search', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /packages': () => ({ body: PACKAGES }) });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/packages?filter=security-updates');

    expect(await screen.findByLabelText('Update status')).toHaveValue('security');
    await screen.findByRole('table', { name: 'Packages' });
    expect(requested('/packages')[0]?.searchParams.get('security')).toBe('true');

    await user.selectOptions(screen.getByLabelText('Update status'), 'outdated');
    await waitFor(() => expect(router.state.location.search).toBe('?filter=outdated'));
    await waitFor(() => expect(requested('/packages').at(-1)?.searchParams.get('needs_updates')).toBe('true'));

    await user.type(screen.getByLabelText('Search packages'), 'LibSSL');
    await waitFor(() => expect(router.state.location.search).toBe('?filter=outdated&search=LibSSL'));
    await waitFor(() => expect(requested('/packages').at(-1)?.searchParams.get('search')).toBe('LibSSL'));
    const searches = requested('/packages').map((url) => url.searchParams.get('search')).filter(Boolean);
    expect(searches).toEqual(['LibSSL']); // one request for the whole word, not one per key
  });

  it('explains an empty inventory and links to the Hosts page', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /packages': { body: { packages: [], next_cursor: null } } });
    renderRoutes(routes, '/packages');

    expect(await screen.findByRole('heading', { name: 'No packages yet' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to Hosts' })).toHaveAttribute('href', '/hosts');
  });

  it('offers to search further when a filtered page is empty but the list goes on', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /packages': [{ body: { packages: [], next_cursor: 'c2' } }, { body: PACKAGES }] });
    const user = userEvent.setup();
    renderRoutes(routes, '/packages?search=libstd');

    await user.click(await screen.findByRole('button', { name: 'Search further' }));

    expect(await screen.findByRole('link', { name: 'libstdc++6' })).toBeInTheDocument();
    expect(requested('/packages').at(-1)?.searchParams.get('cursor')).toBe('c2');
  });

  it('tells a user without can_view_packages and asks nothing', async () => {
    stubApi({ 'GET /me/context': { body: { ...ME, permissions: ['can_view_hosts'] } } });
    renderRoutes(routes, '/packages');

    expect(await screen.findByText('You do not have access to this page')).toBeInTheDocument();
    expect(requested('/packages')).toHaveLength(0);
  });
});

describe('a package', () => {
  const HOSTS = {
    hosts: [
      { host_id: 'h1', friendly_name: 'web-01', name: 'libstdc++6', current_version: '12.1', available_version: '12.3', needs_update: true,
        is_security_update: true, source_repository: 'jammy-security', description: '', category: '', updated_at: '2025-01-01T00:00:00Z' },
      { host_id: 'h2', friendly_name: 'db-01', name: 'libstdc++6', current_version: '12.3', available_version: '', needs_update: false,
        is_security_update: false, source_repository: '', description: '', category: '', updated_at: '2025-01-01T00:00:00Z' },
    ],
    next_cursor: null,
  };

  it('shows its counts and the hosts that have it, linked by their friendly names', async () => {
    stubApi({
      'GET /me/context': { body: READ_ONLY }, 'GET /packages/libstdc%2B%2B6': { body: PACKAGES.packages[0] },
      'GET /packages/libstdc%2B%2B6/hosts': { body: HOSTS },
    });
    renderRoutes(routes, '/packages/libstdc%2B%2B6');

    expect(await screen.findByRole('heading', { level: 1, name: 'libstdc++6' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Hosts with libstdc++6' });
    expect(within(table).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/hosts/h1');
    expect(within(table).getByRole('link', { name: 'db-01' })).toHaveAttribute('href', '/hosts/h2');
    expect(within(table).getByText('Security Update Available')).toBeInTheDocument();
    expect(await screen.findByText('GNU Standard C++ Library')).toBeInTheDocument();
    expect(screen.getByRole('article', { name: 'Up to Date' })).toHaveTextContent('9');
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).not.toContainEqual(expect.stringMatching(WRITE_WORDS));
  });

  it('offers a patch manager to patch the package on the hosts that need it', async () => {
    stubApi({
      'GET /me/context': { body: { ...READ_ONLY, permissions: [...READ_ONLY.permissions, 'can_manage_patching'], modules: ['patching'] } },
      'GET /packages/libstdc%2B%2B6': { body: PACKAGES.packages[0] }, 'GET /packages/libstdc%2B%2B6/hosts': { body: HOSTS },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/packages/libstdc%2B%2B6');

    await user.click(await screen.findByRole('button', { name: 'Patch this package' }));
    const dialog = await screen.findByRole('dialog', { name: 'Patch libstdc++6' });
    const hosts = await within(dialog).findByRole('group', { name: 'Hosts' });
    expect(within(hosts).getAllByRole('checkbox')).toHaveLength(1); // db-01 is up to date
    expect(within(hosts).getByRole('checkbox', { name: /web-01/ })).toBeChecked();
  });

  it('lists the holds whose pattern matches the name (case-sensitive), where they apply and why', async () => {
    const hold = (id: string, target_type: string, target_id: string, pattern: string, reason: string | null = null) => (
      { id, target_type, target_id, pattern, reason, created_by: 'u1', created_at: '2026-03-01T00:00:00Z' });
    stubApi({
      'GET /me/context': { body: { ...READ_ONLY, modules: ['patching', 'patching_policies'] } },
      'GET /packages/libstdc%2B%2B6': { body: PACKAGES.packages[0] }, 'GET /packages/libstdc%2B%2B6/hosts': { body: HOSTS },
      'GET /patching/holds': { body: { items: [
        hold('a', 'host', 'h1', 'libstdc*', 'Pinned for the legacy build'), hold('b', 'host_group', 'g1', 'libstdc++?'),
        hold('c', 'host', 'h2', 'vim'), hold('d', 'host', 'h2', 'LibStdc*'), hold('e', 'host', 'h2', 'libstdc'),
      ] } },
      'GET /hosts/h1': { body: { host_id: 'h1', friendly_name: 'web-01' } },
      'GET /host-groups': { body: { groups: [{ id: 'g1', name: 'Production', description: null, color: null, created_at: null, updated_at: null }] } },
    });
    renderRoutes(routes, '/packages/libstdc%2B%2B6');

    const note = await screen.findByRole('region', { name: 'libstdc++6 is held back' });
    const items = within(note).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('code')?.textContent)).toEqual(['libstdc*', 'libstdc++?']);
    expect(await within(items[0]!).findByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/hosts/h1');
    expect(items[0]).toHaveTextContent('Pinned for the legacy build');
    expect(await within(note).findByText(/on every host of Production/)).toBeInTheDocument();
  });

  it('asks for no holds without the patching_policies module', async () => {
    stubApi({
      'GET /me/context': { body: { ...READ_ONLY, modules: ['patching'] } },
      'GET /packages/libstdc%2B%2B6': { body: PACKAGES.packages[0] }, 'GET /packages/libstdc%2B%2B6/hosts': { body: HOSTS },
    });
    renderRoutes(routes, '/packages/libstdc%2B%2B6');

    await screen.findByRole('table', { name: 'Hosts with libstdc++6' });
    expect(screen.queryByRole('region', { name: /held back/ })).not.toBeInTheDocument();
    expect(requested('/patching/holds')).toHaveLength(0);
  });

  it('says when no host has the package', async () => {
    const missing = { status: 404, body: { error: 'Package not found', code: 'not_found' } };
    stubApi({ 'GET /me/context': { body: ME }, 'GET /packages/nope': missing, 'GET /packages/nope/hosts': missing });
    renderRoutes(routes, '/packages/nope');

    expect(await screen.findByRole('heading', { name: 'Package not found' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'nope' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to packages' })).toHaveAttribute('href', '/packages');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
