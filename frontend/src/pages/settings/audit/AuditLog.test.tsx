import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, it, vi } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';

const EVENTS = [
  { event_id: 'e2', at: '2025-03-02T10:00:00.000Z', action: 'login', outcome: 'failure', actor: 'anonymous', actor_user_id: null,
    target_type: 'user', target_id: 'u1', details: { reason: 'invalid_credentials' }, source_ip: '203.0.113.9', user_agent: 'curl/8' },
  { event_id: 'e1', at: '2025-03-01T09:00:00.000Z', action: 'settings_updated', outcome: 'success', actor: 'user:u1', actor_user_id: 'u1',
    target_type: 'settings', target_id: 'agent', details: { changed: { update_interval: 15 } }, source_ip: '198.51.100.4', user_agent: 'Firefox' },
];
const ADMIN = { ...ME, permissions: [...ME.permissions, 'can_view_users'] };
const USERS = { users: [{ id: 'u1', username: 'root', first_name: 'Ada', last_name: 'Admin', email: 'a@example.com' }] };

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

function queryOf(fetchMock: unknown, index: number): URLSearchParams {
  const calls = (fetchMock as { mock: { calls: [string][] } }).mock.calls.filter(([url]) => url.startsWith('/api/v1/audit-log'));
  return new URL(calls[index]?.[0] ?? '', 'http://x').searchParams;
}

it('lists events with their actor, target and outcome, and expands the details', async () => {
  stubApi({ 'GET /me/context': { body: ADMIN }, 'GET /auth/admin/users': { body: USERS }, 'GET /audit-log': { body: { events: EVENTS, next_cursor: null } } });
  const user = userEvent.setup();
  renderRoutes(routes, '/settings/audit-log');

  expect(await screen.findByRole('heading', { level: 2, name: 'Audit log' })).toBeInTheDocument();
  const table = await screen.findByRole('table', { name: 'Audit events' });
  const rows = within(table).getAllByRole('row');
  expect(rows[1]).toHaveTextContent('Sign-in');
  expect(rows[1]).toHaveTextContent('203.0.113.9');
  expect(rows[1]).toHaveTextContent('failure');
  expect(await within(table).findByText('Ada Admin (root)')).toBeInTheDocument();
  expect(within(table).getByText('User root')).toBeInTheDocument();

  const toggle = within(rows[2]!).getByRole('button', { name: /^Show details of Settings updated/ });
  expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await user.click(toggle);
  expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const details = document.getElementById('audit-details-e1');
  expect(details?.tagName).toBe('PRE');
  expect(details).toHaveTextContent('"update_interval": 15');
});

it('keeps the filters in the URL and sends them to the server', async () => {
  stubApi({ 'GET /me/context': { body: ME }, 'GET /audit-log': () => ({ body: { events: [], next_cursor: null } }) });
  const user = userEvent.setup();
  const { router } = renderRoutes(routes, '/settings/audit-log?action=login&from=2025-03-01');

  expect(await screen.findByText('No matching events')).toBeInTheDocument();
  const fetchMock = vi.mocked(fetch);
  expect(queryOf(fetchMock, 0).get('action')).toBe('login');
  expect(queryOf(fetchMock, 0).get('since')).toBe(new Date(2025, 2, 1).toISOString());

  await user.click(screen.getByRole('textbox', { name: 'Outcome' }));
  await user.click(await screen.findByRole('option', { name: 'Failure', hidden: true }));
  await waitFor(() => expect(router.state.location.search).toBe('?action=login&from=2025-03-01&outcome=failure'));
  await waitFor(() => expect(queryOf(fetchMock, 1).get('outcome')).toBe('failure'));

  await user.click(screen.getByRole('button', { name: 'Clear filters' }));
  await waitFor(() => expect(router.state.location.search).toBe(''));
  expect(await screen.findByText('No events yet')).toBeInTheDocument();
});

it('reads on when a filtered page comes back empty with more to follow', async () => {
  stubApi({
    'GET /me/context': { body: ME },
    'GET /audit-log': [{ body: { events: [], next_cursor: 'c2' } }, { body: { events: [EVENTS[0]], next_cursor: null } }],
  });
  renderRoutes(routes, '/settings/audit-log?outcome=failure');
  const table = await screen.findByRole('table', { name: 'Audit events' });
  expect(within(table).getByText('Sign-in')).toBeInTheDocument();
  expect(queryOf(vi.mocked(fetch), 1).get('cursor')).toBe('c2');
});

it('shows the server error with a retry', async () => {
  stubApi({ 'GET /me/context': { body: ME }, 'GET /audit-log': { status: 500, body: { error: 'internal error', request_id: 'r1' } } });
  renderRoutes(routes, '/settings/audit-log');
  expect(await screen.findByRole('alert')).toHaveTextContent('reference r1');
  expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
});

it('is not open to a read-only user, who sees no write action', async () => {
  const calls = stubApi({ 'GET /me/context': { body: { ...ME, permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages'] } } });
  renderRoutes(routes, '/settings/audit-log');
  expect(await screen.findByText('You do not have access to this page')).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /^(save|add|create|edit|update|delete|remove)\b/i })).not.toBeInTheDocument();
  expect(calls.map((c) => c.path)).not.toContain('/audit-log');
});
