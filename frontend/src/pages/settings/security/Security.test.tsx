import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, it } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';
import { SECURITY } from './testData';

const AGENT = {
  update_interval: 15, auto_update: false, signup_enabled: false, server_url: null, server_protocol: null, server_host: null, server_port: null,
  agent_reports_retention_days: 90,
};

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

it('shows the policy and saves the whole settings, keeping the current agent settings', async () => {
  const calls = stubApi({
    'GET /me/context': { body: ME }, 'GET /settings/security': { body: SECURITY }, 'GET /settings': { body: AGENT },
    'PUT /settings/security': (body) => ({ body }),
  });
  const user = userEvent.setup();
  renderRoutes(routes, '/settings/security');

  expect(await screen.findByRole('heading', { level: 2, name: 'Security' })).toBeInTheDocument();
  const policy = await screen.findByRole('region', { name: 'Password policy' });
  expect(within(policy).getByRole('textbox', { name: 'Minimum length' })).toHaveValue('8');
  expect(within(policy).getByRole('switch', { name: 'Require a special character' })).toBeChecked();

  const minLength = within(policy).getByRole('textbox', { name: 'Minimum length' });
  await user.clear(minLength);
  await user.type(minLength, '6');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByText('Enter a whole number from 8 to 128')).toBeInTheDocument();

  await user.clear(minLength);
  await user.type(minLength, '12');
  await user.click(within(policy).getByRole('switch', { name: 'Require a special character' }));
  await user.click(screen.getByRole('button', { name: 'Save' }));

  expect(await screen.findByRole('status')).toHaveTextContent('Security settings saved');
  expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
    ...SECURITY, password_policy: { ...SECURITY.password_policy, min_length: 12, require_special: false },
    agent_update_interval_minutes: 15, agent_auto_update: false, agent_report_retention_days: 90,
  });
});

it("puts a server error about a nested field under that field, and any other refusal above the buttons", async () => {
  stubApi({
    'GET /me/context': { body: ME }, 'GET /settings/security': { body: SECURITY }, 'GET /settings': { body: AGENT },
    'PUT /settings/security': [
      { status: 400, body: { error: 'password_policy.min_length: Input should be less than or equal to 64', code: 'invalid_input' } },
      { status: 400, body: { error: 'default_user_role must be an existing role below admin', code: 'invalid_input' } },
    ],
  });
  const user = userEvent.setup();
  renderRoutes(routes, '/settings/security');

  const minLength = await screen.findByRole('textbox', { name: 'Minimum length' });
  await user.clear(minLength);
  await user.type(minLength, '100');
  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByText('Input should be less than or equal to 64')).toBeInTheDocument();
  expect(minLength).toHaveAttribute('aria-invalid', 'true');
  expect(screen.queryByRole('alert')).not.toBeInTheDocument();

  await user.click(screen.getByRole('button', { name: 'Save' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('default_user_role must be an existing role below admin');
});

it('is not open to a read-only user, who sees no write action', async () => {
  const calls = stubApi({ 'GET /me/context': { body: { ...ME, permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages'] } } });
  renderRoutes(routes, '/settings/security');
  expect(await screen.findByText('You do not have access to this page')).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /^(save|add|create|edit|update|delete|remove)\b/i })).not.toBeInTheDocument();
  expect(calls.map((c) => c.path)).not.toContain('/settings/security');
});
