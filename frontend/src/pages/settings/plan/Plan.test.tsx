import { screen, within } from '@testing-library/react';
import { beforeEach, expect, it } from 'vitest';

import { routes } from '../../../router';
import { ME, renderRoutes, STATS, stubApi } from '../../../test/render';

const WRITE = /^(save|add|create|edit|update|delete|remove|regenerate)\b/i;
const READ_ONLY = { ...ME, role: 'readonly', permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages'], plan: 'free',
  modules: ['compliance', 'docker', 'patching'], host_limit: 25, tenant: { ...ME.tenant, name: 'Acme Ltd' } };

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

it('shows a read-only user the plan, the host count and locked modules, with no write action', async () => {
  stubApi({ 'GET /me/context': { body: READ_ONLY }, 'GET /dashboard/stats': { body: STATS } });
  renderRoutes(routes, '/settings/plan');

  expect(await screen.findByRole('heading', { level: 2, name: 'Plan and modules' })).toBeInTheDocument();
  expect(screen.getByText('Acme Ltd')).toBeInTheDocument();
  expect(screen.getByText('Free')).toBeInTheDocument();
  expect(await screen.findByText('12 of 25 hosts')).toBeInTheDocument();

  const table = screen.getByRole('table', { name: 'Modules' });
  const row = (label: string) => within(table).getByText(label).closest('tr')!;
  expect(row('Patching')).toHaveTextContent('Enabled');
  expect(row('Custom roles')).toHaveTextContent('PlusUpgrade required');
  expect(row('SSH terminal')).toHaveTextContent('MaxUpgrade required');
  expect(screen.queryByText(/no self-service billing/)).not.toBeInTheDocument();

  const main = screen.getByRole('main');
  expect(within(main).queryAllByRole('button', { name: WRITE })).toEqual([]);
  expect(within(main).queryAllByRole('menuitem', { name: WRITE })).toEqual([]);
});

it('tells billing managers how to upgrade', async () => {
  stubApi({ 'GET /me/context': { body: { ...ME, permissions: [...ME.permissions, 'can_manage_billing'], host_limit: null } }, 'GET /dashboard/stats': { body: STATS } });
  renderRoutes(routes, '/settings/plan');
  expect(await screen.findByText(/no self-service billing/)).toBeInTheDocument();
  expect(await screen.findByText('12 hosts (no limit)')).toBeInTheDocument();
});
