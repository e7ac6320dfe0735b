import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, it } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';

const SETTINGS = {
  update_interval: 60, auto_update: true, signup_enabled: false, server_url: null, server_protocol: null, server_host: null, server_port: null,
  agent_reports_retention_days: 30,
};
const VERSION = { currentVersion: null, latestVersion: '1.4.0', hasUpdate: false, autoUpdateDisabled: false, autoUpdateDisabledReason: null,
  downloadUrl: '/api/v1/agent/download', hash: 'abc' };

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

function stub(patch: Parameters<typeof stubApi>[0][string]) {
  return stubApi({
    'GET /me/context': { body: ME }, 'GET /settings': { body: SETTINGS }, 'GET /agent/version': { body: VERSION },
    'GET /settings/server-url': { body: { server_url: 'http://localhost:8080' } }, 'PATCH /settings': patch,
  });
}

it('shows the settings and the agent version, and saves only what changed', async () => {
  const calls = stub({ body: { ...SETTINGS, update_interval: 15, auto_update: false } });
  const user = userEvent.setup();
  renderRoutes(routes, '/settings/agent-config');

  expect(await screen.findByRole('heading', { level: 2, name: 'Agent updates' })).toBeInTheDocument();
  const interval = await screen.findByRole('textbox', { name: 'Update interval (minutes)' });
  expect(interval).toHaveValue('60');
  expect(await screen.findByText('1.4.0')).toBeInTheDocument();
  expect(await screen.findByText('http://localhost:8080')).toBeInTheDocument();
  expect(screen.getByText(/Connected agents pick up a change at once/)).toBeInTheDocument();
  const save = screen.getByRole('button', { name: 'Save' });
  expect(save).toBeDisabled();

  await user.clear(interval);
  await user.type(interval, '15');
  await user.click(screen.getByRole('switch', { name: 'Automatic agent updates' }));
  await user.click(save);

  expect(await screen.findByRole('status')).toHaveTextContent('Agent settings saved');
  expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ update_interval: 15, auto_update: false });
  await waitFor(() => expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled());
});

it('shows bounds and server errors on the fields', async () => {
  const calls = stub({ status: 400, body: { error: 'server_url: port must be between 1 and 65535', code: 'invalid_input' } });
  const user = userEvent.setup();
  renderRoutes(routes, '/settings/agent-config');

  const interval = await screen.findByRole('textbox', { name: 'Update interval (minutes)' });
  await user.clear(interval);
  await user.type(interval, '2');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByText('Enter a whole number from 5 to 1440')).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'PATCH')).toBe(false);

  await user.clear(interval);
  await user.type(interval, '60');
  await user.type(screen.getByRole('textbox', { name: 'Server URL' }), 'https://pm.example.com:443');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByText('port must be between 1 and 65535')).toBeInTheDocument();
  expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ server_url: 'https://pm.example.com:443' });
});

it('is not open to a read-only user, who sees no write action', async () => {
  const calls = stubApi({ 'GET /me/context': { body: { ...ME, permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages'] } } });
  renderRoutes(routes, '/settings/agent-config');
  expect(await screen.findByText('You do not have access to this page')).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /^(save|add|create|edit|update|delete|remove)\b/i })).not.toBeInTheDocument();
  expect(calls.map((c) => c.path)).not.toContain('/settings');
});
