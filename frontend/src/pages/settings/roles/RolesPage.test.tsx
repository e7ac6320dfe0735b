import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';
import { ALL_KEYS, CATALOGUE, roleView } from '../shared/roleTestData';

const ROLES = [
  roleView('superadmin', ALL_KEYS, { label: 'Super Admin', builtin: true, locked: true }),
  roleView('admin', ALL_KEYS, { label: 'Admin', builtin: true, locked: true }),
  roleView('host_manager', ['can_view_dashboard', 'can_view_hosts', 'can_manage_hosts', 'can_manage_patching'], { label: 'Host Manager', builtin: true }),
  roleView('user', ['can_view_dashboard', 'can_view_hosts'], { label: 'User', builtin: true, locked: true }),
  roleView('readonly', ['can_view_dashboard', 'can_view_hosts'], { label: 'Readonly', builtin: true }),
];

const ADMIN = { ...ME, role: 'admin', permissions: ['can_view_users', 'can_manage_users', 'can_manage_settings'] };

function stub(me: object, extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    'GET /me/context': { body: me }, 'GET /permissions/catalogue': { body: CATALOGUE }, 'GET /permissions/roles': { body: { roles: ROLES } }, ...extra,
  });
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('Settings → Roles', () => {
  it('shows the matrix read-only and the upgrade placeholder without the rbac_custom module', async () => {
    stub({ ...ADMIN, modules: [] });
    renderRoutes(routes, '/settings/roles');

    expect(await screen.findByRole('heading', { level: 2, name: 'Roles' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Permissions by role' });
    const patching = within(table).getByRole('rowheader', { name: /Manage Patching/ }).closest('tr')!;
    expect(within(patching).getAllByText('Granted')).toHaveLength(3); // superadmin, admin, host_manager
    expect(within(patching).getAllByText('Not granted')).toHaveLength(2);
    expect(within(table).getAllByText('(locked)')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: /add role/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^edit role/i })).not.toBeInTheDocument();
    expect(screen.getByText('Upgrade required')).toBeInTheDocument();
    expect(screen.getByText(/module "rbac_custom"/)).toBeInTheDocument();
  });

  it('gives no role editing to a user manager without can_manage_settings', async () => {
    stub({ ...ADMIN, role: 'host_manager', permissions: ['can_view_users', 'can_manage_users'], modules: ['rbac_custom'] });
    renderRoutes(routes, '/settings/roles');
    await screen.findByRole('table', { name: 'Permissions by role' });
    expect(screen.queryByRole('button', { name: /add role|edit role|save|delete/i })).not.toBeInTheDocument();
    expect(screen.queryByText('Upgrade required')).not.toBeInTheDocument();
  });

  it('edits an editable built-in with a preset and sends the full set of granted keys', async () => {
    const calls = stub({ ...ADMIN, modules: ['rbac_custom'] }, {
      'PUT /permissions/roles/readonly': { body: roleView('readonly', ['can_view_dashboard'], { label: 'Readonly', builtin: true }) },
    });
    renderRoutes(routes, '/settings/roles');
    await screen.findByRole('table', { name: 'Permissions by role' });
    // Locked roles have no pencil.
    expect(screen.queryByRole('button', { name: 'Edit role Admin' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Edit role Readonly' }));

    const dialog = await screen.findByRole('dialog', { name: 'Edit role: Readonly' });
    expect(within(dialog).getByRole('button', { name: 'Read only' })).toHaveAttribute('aria-pressed', 'true');
    expect(within(dialog).getByRole('button', { name: 'Save role' })).toBeDisabled();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Operator' }));
    expect(within(dialog).getByText('4/6 permissions selected')).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /View Hosts/ }));
    expect(within(dialog).getByText('Adds Manage Hosts, Manage Patching. Removes View Hosts.')).toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Save role' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Role Readonly saved');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ permissions: ['can_view_dashboard', 'can_manage_hosts', 'can_manage_patching'] });
  });

  it('creates a custom role after checking its name', async () => {
    const calls = stub({ ...ADMIN, modules: ['rbac_custom'] }, {
      'PUT /permissions/roles/noc_operator': { body: roleView('noc_operator', ['can_manage_users', 'can_export_data'], { label: 'NOC operator' }) },
    });
    renderRoutes(routes, '/settings/roles');
    await userEvent.click(await screen.findByRole('button', { name: 'Add role' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add role' });

    await userEvent.type(within(dialog).getByLabelText('Role name'), 'readonly');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create role' }));
    expect(within(dialog).getByText('A role with this name already exists')).toBeInTheDocument();

    await userEvent.clear(within(dialog).getByLabelText('Role name'));
    await userEvent.type(within(dialog).getByLabelText('Role name'), 'noc_operator');
    await userEvent.type(within(dialog).getByLabelText('Display name'), 'NOC operator');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Select all in Administration' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create role' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Role NOC operator created');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ permissions: ['can_manage_users', 'can_export_data'], label: 'NOC operator' });
  });
});
