/** The Settings shell: which sections a user is offered and where /settings sends them. */
import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';

import { routes } from '../../router';
import { ME, renderRoutes, stubApi } from '../../test/render';

const READONLY = { ...ME, role: 'readonly', permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages', 'can_view_reports'] };
const ADMIN = { ...ME, permissions: [...ME.permissions, 'can_view_users', 'can_manage_users'] };

function sectionLinks() {
  return within(screen.getByRole('navigation', { name: 'Settings' })).getAllByRole('link').map((a) => a.textContent);
}

describe('settings', () => {
  beforeEach(() => {
    document.cookie = 'csrf_token=c1; Path=/';
  });

  it('sends a user manager to Users and offers every section', async () => {
    stubApi({ 'GET /me/context': { body: ADMIN } });
    const { router } = renderRoutes(routes, '/settings');
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/users'));
    expect(sectionLinks()).toEqual(['Users', 'Roles', 'My profile', 'Host groups', 'Agent updates', 'Security', 'Audit log', 'Plan and modules']);
  });

  it('sends a read-only user to their profile and offers no organisation pages', async () => {
    stubApi({ 'GET /me/context': { body: READONLY } });
    const { router } = renderRoutes(routes, '/settings');
    await screen.findByRole('navigation', { name: 'Settings' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/profile'));
    expect(sectionLinks()).toEqual(['My profile', 'Host groups', 'Plan and modules']);
  });

  it('refuses a section the user may not open, even by its address', async () => {
    stubApi({ 'GET /me/context': { body: READONLY } });
    renderRoutes(routes, '/settings/users');
    expect(await screen.findByText('You do not have access to this page')).toBeInTheDocument();
  });
});
