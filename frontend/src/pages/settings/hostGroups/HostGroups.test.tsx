import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';

const WRITE = /^(save|add|create|edit|update|delete|remove|regenerate)\b/i;
const READ_ONLY = { ...ME, role: 'readonly', permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages'] };
const MANAGER = { ...ME, permissions: [...ME.permissions, 'can_manage_hosts'] };
const GROUPS = [
  { id: 'g1', name: 'Production', description: 'Customer-facing', color: '#EF4444', created_at: null, updated_at: null },
  { id: 'g2', name: 'Staging', description: null, color: '#F59E0B', created_at: null, updated_at: null },
];

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('host groups', () => {
  it('shows a read-only user the groups and no write action', async () => {
    stubApi({ 'GET /me/context': { body: READ_ONLY }, 'GET /host-groups': { body: { groups: GROUPS } } });
    renderRoutes(routes, '/settings/host-groups');

    expect(await screen.findByRole('heading', { level: 2, name: 'Host groups' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Host groups' });
    expect(within(table).getByText('Production')).toBeInTheDocument();
    expect(within(table).getByText('Customer-facing')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Hosts in Production' })).toHaveAttribute('href', '/hosts?group=g1');
    const main = screen.getByRole('main');
    expect(within(main).queryAllByRole('button', { name: WRITE })).toEqual([]);
  expect(within(main).queryAllByRole('menuitem', { name: WRITE })).toEqual([]);
  });

  it('creates a group, showing a duplicate name under the Name field', async () => {
    const calls = stubApi({
      'GET /me/context': { body: MANAGER },
      'GET /host-groups': [{ body: { groups: GROUPS } }, { body: { groups: [...GROUPS, { ...GROUPS[1], id: 'g3', name: 'Web' }] } }],
      'POST /host-groups': [
        { status: 409, body: { error: 'A host group with this name already exists', code: 'conflict' } },
        { status: 201, body: { id: 'g3', name: 'Web', description: null, color: '#3B82F6', created_at: null, updated_at: null } },
      ],
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/settings/host-groups');

    await user.click(await screen.findByRole('button', { name: 'Create group' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create host group' });
    expect(within(dialog).getByRole('textbox', { name: /^Color/ })).toHaveValue('#3B82F6');
    await user.click(within(dialog).getByRole('button', { name: 'Create group' }));
    expect(await within(dialog).findByText('Enter a name')).toBeInTheDocument();

    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Production');
    await user.click(within(dialog).getByRole('button', { name: 'Create group' }));
    expect(await within(dialog).findByText('A host group with this name already exists')).toBeInTheDocument();
    expect(within(dialog).getByRole('textbox', { name: /^Name/ })).toHaveAttribute('aria-invalid', 'true');

    await user.clear(within(dialog).getByRole('textbox', { name: /^Name/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Web');
    await user.click(within(dialog).getByRole('button', { name: 'Create group' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Host group "Web" created');
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({ name: 'Web', description: null, color: '#3B82F6' });
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByText('Web')).toBeInTheDocument();
  });

  it('edits a group with its values pre-filled', async () => {
    const calls = stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /host-groups': { body: { groups: GROUPS } },
      'PUT /host-groups/g2': { body: { ...GROUPS[1], description: 'Pre-production' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/settings/host-groups');

    await user.click(await screen.findByRole('button', { name: 'Edit Staging' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit host group' });
    expect(within(dialog).getByRole('textbox', { name: /^Name/ })).toHaveValue('Staging');
    await user.type(within(dialog).getByRole('textbox', { name: /^Description/ }), 'Pre-production');
    await user.click(within(dialog).getByRole('button', { name: 'Update group' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Host group "Staging" updated');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ name: 'Staging', description: 'Pre-production', color: '#F59E0B' });
  });

  it('keeps Delete disabled while the group has hosts, listing them', async () => {
    stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /host-groups': { body: { groups: GROUPS } },
      // The server filters after reading a page: an empty first page can be followed by members.
      'GET /host-groups/g1/hosts': [
        { body: { hosts: [], next_cursor: 'c2' } },
        { body: { hosts: [{ host_id: 'h1', friendly_name: 'web-01', hostname: 'web-01', status: 'active' }], next_cursor: null } },
      ],
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/settings/host-groups');

    await user.click(await screen.findByRole('button', { name: 'Delete Production' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete host group' });
    expect(await within(dialog).findByText('This group still has hosts')).toBeInTheDocument();
    expect(within(dialog).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/hosts/h1');
    expect(within(dialog).getByRole('button', { name: 'Delete group' })).toBeDisabled();
  });

  it("deletes an empty group, and shows the server's refusal", async () => {
    const calls = stubApi({
      'GET /me/context': { body: MANAGER }, 'GET /host-groups': { body: { groups: GROUPS } },
      'GET /host-groups/g2/hosts': { body: { hosts: [], next_cursor: null } },
      'DELETE /host-groups/g2': { status: 409, body: { error: 'Host group still has hosts; move them out of it first', code: 'conflict' } },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/settings/host-groups');

    await user.click(await screen.findByRole('button', { name: 'Delete Staging' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete host group' });
    const confirm = within(dialog).getByRole('button', { name: 'Delete group' });
    await waitFor(() => expect(confirm).toBeEnabled());
    await user.click(confirm);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Host group still has hosts; move them out of it first');
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/host-groups/g2')).toBe(true);
  });
});

describe('a host group\'s package holds', () => {
  const HOLDS = { items: [
    { id: 'hd2', target_type: 'host_group', target_id: 'g1', pattern: 'postgresql*', reason: 'Major upgrades are planned', created_by: 'u1', created_at: '2026-03-02T00:00:00Z' },
  ] };

  it('opens below the table for a patch manager, who adds and releases holds for the group', async () => {
    const calls = stubApi({
      'GET /me/context': { body: { ...READ_ONLY, permissions: [...READ_ONLY.permissions, 'can_manage_patching'], modules: ['patching', 'patching_policies'] } },
      'GET /host-groups': { body: { groups: GROUPS } },
      'GET /patching/holds': () => ({ body: HOLDS }),
      'POST /patching/holds': { status: 201, body: { id: 'hd3', target_type: 'host_group', target_id: 'g1', pattern: 'linux-*', reason: null, created_by: 'u1', created_at: null } },
      'DELETE /patching/holds/hd2': { body: { message: 'Hold released' } },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/settings/host-groups');

    await user.click(await screen.findByRole('button', { name: 'Package holds of Production' }));
    expect(router.state.location.search).toBe('?holds=g1');
    const table = await screen.findByRole('table', { name: 'Package holds of Production' });
    expect(within(table).getByText('postgresql*').closest('tr')).toHaveTextContent('Major upgrades are planned');
    expect(within(table).queryByText(/^Group:/)).not.toBeInTheDocument(); // every hold here is the group's
    const url = vi.mocked(fetch).mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost'))
      .find((u) => u.pathname === '/api/v1/patching/holds');
    expect(url?.searchParams.get('group_id')).toBe('g1');

    const form = screen.getByRole('form', { name: 'Hold packages on Production' });
    await user.type(within(form).getByRole('textbox', { name: /^Pattern/ }), 'linux-*');
    await user.click(within(form).getByRole('button', { name: 'Add hold' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ target_type: 'host_group', target_id: 'g1', pattern: 'linux-*', reason: null }));

    await user.click(within(table).getByRole('button', { name: 'Release postgresql*' }));
    const dialog = await screen.findByRole('dialog', { name: 'Release the hold on postgresql*?' });
    expect(dialog).toHaveTextContent('every host of Production');
    await user.click(within(dialog).getByRole('button', { name: 'Release hold' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/patching/holds/hd2')).toBe(true));
  });

  it('shows a reader the group\'s holds only, and nothing without the patching_policies module', async () => {
    stubApi({
      'GET /me/context': { body: { ...READ_ONLY, modules: ['patching', 'patching_policies'] } },
      'GET /host-groups': { body: { groups: GROUPS } }, 'GET /patching/holds': { body: HOLDS },
    });
    const first = renderRoutes(routes, '/settings/host-groups?holds=g1');
    const table = await screen.findByRole('table', { name: 'Package holds of Production' });
    expect(within(table).getByText('postgresql*')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /release|add hold/i })).not.toBeInTheDocument();
    first.unmount();

    stubApi({ 'GET /me/context': { body: { ...READ_ONLY, modules: ['patching'] } }, 'GET /host-groups': { body: { groups: GROUPS } } });
    renderRoutes(routes, '/settings/host-groups?holds=g1');
    await screen.findByRole('table', { name: 'Host groups' });
    expect(screen.queryByRole('button', { name: 'Package holds of Production' })).not.toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Package holds of Production' })).not.toBeInTheDocument();
  });
});
