import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';
import { roleView } from '../shared/roleTestData';
import { managedUser } from './testData';

const USERS = [
  managedUser('owner', { id: 'u0', role: 'superadmin', first_name: 'Olga', last_name: 'Owner', last_login: '2025-03-01T10:00:00Z' }),
  managedUser('root', { id: 'u1', role: 'admin' }),
  managedUser('viewer', { id: 'u2', role: 'readonly', is_active: false }),
];
const builtin = (role: string, label: string) => roleView(role, [], { label, builtin: true });
const ROLES = [builtin('superadmin', 'Super Admin'), builtin('admin', 'Admin'), builtin('host_manager', 'Host Manager'), builtin('user', 'User'),
  builtin('readonly', 'Readonly'), roleView('auditor', [], { label: 'Auditor' })];
const POLICY = { password_policy: { min_length: 8, require_uppercase: true, require_lowercase: true, require_number: true, require_special: true } };

const ADMIN = { ...ME, user: { ...ME.user, id: 'u1', username: 'root' }, role: 'admin',
  permissions: ['can_view_dashboard', 'can_view_users', 'can_manage_users', 'can_manage_superusers', 'can_manage_settings'] };
const VIEWER = { ...ME, user: { ...ME.user, id: 'u9', username: 'watcher' }, role: 'auditor', permissions: ['can_view_dashboard', 'can_view_users'] };

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('Settings → Users', () => {
  it('shows a user who may only view users the table and no write actions', async () => {
    const calls = stubApi({ 'GET /me/context': { body: VIEWER }, 'GET /auth/admin/users': { body: { users: USERS } } });
    renderRoutes(routes, '/settings/users');

    expect(await screen.findByRole('heading', { level: 2, name: 'Users' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Users' });
    expect(within(table).getByText('Olga Owner')).toBeInTheDocument();
    expect(within(table).getByText('Inactive')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /add user/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^actions for/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();
    // The role matrix needs can_manage_users: not asked for.
    expect(calls.some((c) => c.path === '/permissions/roles')).toBe(false);
  });

  it('filters by search and role through the URL', async () => {
    stubApi({ 'GET /me/context': { body: VIEWER }, 'GET /auth/admin/users': { body: { users: USERS } } });
    const { router } = renderRoutes(routes, '/settings/users?q=olga');

    const table = await screen.findByRole('table', { name: 'Users' });
    expect(within(table).getAllByRole('row')).toHaveLength(2); // header + owner
    expect(screen.getByText('1 of 3 users')).toBeInTheDocument();

    await userEvent.clear(screen.getByRole('searchbox', { name: 'Search' }));
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search' }), 'view');
    expect(router.state.location.search).toBe('?q=view');
    expect(within(screen.getByRole('table', { name: 'Users' })).getByText('viewer')).toBeInTheDocument();
  });

  it('offers an admin only the roles they may give and no actions on a superadmin', async () => {
    stubApi({
      'GET /me/context': { body: ADMIN }, 'GET /auth/admin/users': { body: { users: USERS } },
      'GET /permissions/roles': { body: { roles: ROLES } }, 'GET /settings/security': { body: POLICY },
    });
    renderRoutes(routes, '/settings/users');

    const table = await screen.findByRole('table', { name: 'Users' });
    const ownerRow = within(table).getByText('owner').closest('tr')!;
    expect(within(ownerRow).queryByRole('button', { name: /actions for/i })).not.toBeInTheDocument();
    expect(within(ownerRow).getByText('Higher role')).toBeInTheDocument();

    // Yourself: edit only (no reset, deactivate or delete).
    await userEvent.click(within(table).getByRole('button', { name: 'Actions for root' }));
    expect(await screen.findByRole('menuitem', { name: 'Edit user' })).toBeInTheDocument();
    expect(screen.queryByRole('menuitem', { name: /delete/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('menuitem', { name: /deactivate/i })).not.toBeInTheDocument();
    await userEvent.keyboard('{Escape}');

    await userEvent.click(screen.getByRole('button', { name: 'Add user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add user' });
    const roleInput = within(dialog).getByRole('textbox', { name: 'Role' });
    await userEvent.click(roleInput);
    await waitFor(() => expect(roleInput).toHaveAttribute('aria-controls'));
    const listbox = document.getElementById(roleInput.getAttribute('aria-controls')!)!;
    const options = within(listbox).getAllByRole('option', { hidden: true }).map((o) => o.textContent);
    expect(options).toEqual(['Host Manager', 'Auditor (custom)', 'User', 'Readonly']);
  });

  it('creates a user, checking the policy first and putting the server password message under the field', async () => {
    const calls = stubApi({
      'GET /me/context': { body: ADMIN }, 'GET /auth/admin/users': { body: { users: USERS } },
      'GET /permissions/roles': { body: { roles: ROLES } }, 'GET /settings/security': { body: POLICY },
      'POST /auth/admin/users': [
        { status: 400, body: { error: 'Password must contain at least 12 characters', code: 'invalid_input' } },
        { status: 201, body: managedUser('newbie', { id: 'u5' }) },
      ],
    });
    renderRoutes(routes, '/settings/users');
    await userEvent.click(await screen.findByRole('button', { name: 'Add user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add user' });
    await waitFor(() => expect(within(dialog).getByText(/with an uppercase letter/)).toBeInTheDocument());

    await userEvent.type(within(dialog).getByLabelText('Username'), 'newbie');
    await userEvent.type(within(dialog).getByLabelText('Email'), 'newbie@example.com');
    await userEvent.type(within(dialog).getByLabelText('Password'), 'lowercase1!');
    await userEvent.type(within(dialog).getByLabelText('Confirm'), 'lowercase1!');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await within(dialog).findByText('Password must contain an uppercase letter')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    const password = within(dialog).getByLabelText('Password');
    await userEvent.clear(password);
    await userEvent.type(password, 'Lowercase1!');
    await userEvent.clear(within(dialog).getByLabelText('Confirm'));
    await userEvent.type(within(dialog).getByLabelText('Confirm'), 'Lowercase1!');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await within(dialog).findByText('Password must contain at least 12 characters')).toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await screen.findByRole('status')).toHaveTextContent('User newbie added');
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({
      username: 'newbie', email: 'newbie@example.com', password: 'Lowercase1!', role: 'user', first_name: null, last_name: null,
    });
  });

  it('shows the server refusal to delete the last superadmin in a toast', async () => {
    const SUPER = { ...ADMIN, user: { ...ADMIN.user, id: 'u7', username: 'boss' }, role: 'superadmin' };
    stubApi({
      'GET /me/context': { body: SUPER }, 'GET /auth/admin/users': { body: { users: USERS } },
      'GET /permissions/roles': { body: { roles: ROLES } }, 'GET /settings/security': { body: POLICY },
      'DELETE /auth/admin/users/u0': { status: 409, body: { error: 'Cannot delete the last superadmin user', code: 'conflict' } },
    });
    renderRoutes(routes, '/settings/users');
    await userEvent.click(await screen.findByRole('button', { name: 'Actions for owner' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Delete user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete owner?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete user' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Cannot delete the last superadmin user');
  });
});
