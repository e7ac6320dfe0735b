/** The app as a whole, in memory: the guard, the shell, navigation focus, and the session-ended redirect. */
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { routes } from './router';
import { ME, renderRoutes, STATS, stubApi } from './test/render';

vi.mock('./pages/dashboard/DistributionChart', () => ({ default: () => <div data-testid="chart" /> }));

describe('signed in', () => {
  beforeEach(() => {
    document.cookie = 'csrf_token=c1; Path=/';
  });

  it('shows the shell and the dashboard cards', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /dashboard/stats': { body: STATS }, 'GET /dashboard/preferences': { body: { cards: [], updated_at: null } } });
    renderRoutes(routes, '/');

    expect(await screen.findByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    for (const name of ['Dashboard', 'Hosts', 'Packages', 'Repositories', 'Settings']) expect(nav).toContainElement(screen.getByRole('link', { name }));
    expect(screen.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByRole('link', { name: 'Hosts needing updates' })).toHaveAttribute('href', '/hosts?needs_updates=true');
    expect(screen.getByRole('list', { name: 'Hosts by operating system' })).toHaveTextContent('Ubuntu8 (67%)');
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'Skip to main content' })).toHaveAttribute('href', '#main-content');
  });

  it('polls the stats every 30 s while the tab is visible', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const calls = stubApi({
        'GET /me/context': { body: ME }, 'GET /dashboard/preferences': { body: { cards: [], updated_at: null } },
        'GET /dashboard/stats': [{ body: STATS }, { body: { ...STATS, total_hosts: 13 } }],
      });
      renderRoutes(routes, '/');
      expect(await screen.findByText('12')).toBeInTheDocument();

      await vi.advanceTimersByTimeAsync(30_000);

      expect(await screen.findByText('13')).toBeInTheDocument();
      expect(calls.filter((c) => c.path === '/dashboard/stats')).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows the saved card order and leaves out hidden cards', async () => {
    stubApi({
      'GET /me/context': { body: ME }, 'GET /dashboard/stats': { body: STATS },
      'GET /dashboard/preferences': { body: { cards: [{ id: 'offline_hosts', visible: true }, { id: 'total_hosts', visible: false }], updated_at: 'x' } },
    });
    const { container } = renderRoutes(routes, '/');
    await screen.findByRole('link', { name: 'Offline hosts' });
    const order = [...container.querySelectorAll('[data-card]')].map((el) => el.getAttribute('data-card'));
    expect(order[0]).toBe('offline_hosts');
    expect(order).not.toContain('total_hosts');
  });

  it('moves focus to the new page heading after navigating', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /dashboard/stats': { body: STATS }, 'GET /dashboard/preferences': { body: { cards: [], updated_at: null } } });
    renderRoutes(routes, '/');
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });

    await userEvent.click(screen.getByRole('link', { name: 'Packages' }));

    const heading = await screen.findByRole('heading', { level: 1, name: 'Packages' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(document.title).toBe('Packages · PatchMon Cloud');
  });

  it('hides navigation the user may not use', async () => {
    stubApi({ 'GET /me/context': { body: { ...ME, permissions: ['can_view_hosts'] } } });
    renderRoutes(routes, '/hosts');
    await screen.findByRole('heading', { level: 1, name: 'Hosts' });
    const links = screen.getAllByRole('link').map((link) => link.textContent);
    expect(links).toEqual(expect.arrayContaining(['Hosts', 'Repositories', 'Settings']));
    expect(links).not.toContain('Packages');
  });

  it('logs out and returns to the login page', async () => {
    const calls = stubApi({
      'GET /me/context': { body: ME }, 'POST /auth/logout': { body: { message: 'Logout successful' }, setCsrf: '' },
      'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: false } },
    });
    const { router } = renderRoutes(routes, '/settings');
    await userEvent.click(await screen.findByRole('button', { name: 'Log out' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(calls.some((c) => c.method === 'POST' && c.path === '/auth/logout')).toBe(true);
    expect(await screen.findByRole('status')).toHaveTextContent('You have been signed out.');
  });

  it('sends the user to the login page, remembering the place, when the session has ended', async () => {
    stubApi({
      'GET /me/context': { status: 401, body: { error: 'Session expired due to inactivity', code: 'session_inactive' } },
      'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: false } },
    });
    const { router } = renderRoutes(routes, '/hosts?status=offline');

    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/hosts?status=offline')}`);
    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
  });
});

describe('signed out', () => {
  it('goes to the login page without asking the API who is signed in', async () => {
    const calls = stubApi({ 'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: true } } });
    const { router } = renderRoutes(routes, '/repositories');

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.search).toBe('?next=%2Frepositories');
    expect(calls.map((c) => c.path)).not.toContain('/me/context');
    expect(await screen.findByRole('link', { name: 'Create an account' })).toBeInTheDocument();
  });

  it('goes to first-time setup while the organisation has no user', async () => {
    stubApi({ 'GET /auth/setup-status': { body: { needs_setup: true } } });
    const { router } = renderRoutes(routes, '/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up PatchMon Cloud' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/setup');
  });

  it('keeps the setup link’s token when the setup link is opened, and sends it with the account', async () => {
    const calls = stubApi({
      'GET /auth/setup-status': { body: { needs_setup: true, setup_link_required: true } },
      'POST /auth/setup-admin': { status: 201, body: { expires_in: 3600, expires_at: 'x', user: { id: 'u1' } }, setCsrf: 'c1' },
    });
    const user = userEvent.setup();
    const { router } = renderRoutes(routes, '/setup?token=abc');

    await user.type(await screen.findByLabelText('Username'), 'ops');
    expect(router.state.location.pathname).toBe('/setup');
    expect(router.state.location.search).toBe('?token=abc');
    await user.type(screen.getByLabelText('Email'), 'ops@example.com');
    await user.type(screen.getByLabelText('Password'), 'Corr3ct-Horse!');
    await user.type(screen.getByLabelText('Confirm'), 'Corr3ct-Horse!');
    await user.click(screen.getByRole('button', { name: 'Create admin account' }));
    expect(await screen.findByRole('button', { name: 'Skip for now' })).toBeInTheDocument();
    expect(calls.find((c) => c.path === '/auth/setup-admin')?.body).toMatchObject({ setupToken: 'abc' });
  });

  it('keeps the setup link’s token when the login page sends the visitor to setup', async () => {
    stubApi({ 'GET /auth/setup-status': { body: { needs_setup: true, setup_link_required: true } } });
    const { router } = renderRoutes(routes, '/login?token=abc');

    expect(await screen.findByLabelText('Username')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/setup');
    expect(router.state.location.search).toBe('?token=abc');
  });
});
