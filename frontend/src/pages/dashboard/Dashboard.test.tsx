/** The dashboard: when its figures were read, and its patching cards (C8.13): their numbers and links, and who sees them. */
import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { formatTime } from '../../components/format';
import { routes } from '../../router';
import { ME, renderRoutes, STATS, stubApi } from '../../test/render';

vi.mock('./DistributionChart', () => ({ default: () => <div data-testid="chart" /> }));

const WITH_PATCHING = { ...ME, modules: ['patching'] };
const PATCHING = {
  totals: { total: 20, active: 5, queued: 3, running: 2, scheduled: 4, pending_approval: 1, validated: 2, completed: 7, failed: 1 },
  recent: [],
};
const NO_PREFERENCES = { body: { cards: [], updated_at: null } };

function card(title: string): HTMLElement {
  return screen.getByRole('article', { name: title });
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('the dashboard\'s update time', () => {
  it('says when the figures were read, as the app formats times', async () => {
    const readAt = Date.parse('2026-03-10T14:05:33Z');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(readAt);
    try {
      stubApi({ 'GET /me/context': { body: ME }, 'GET /dashboard/stats': { body: STATS }, 'GET /dashboard/preferences': NO_PREFERENCES });
      renderRoutes(routes, '/');

      expect(await screen.findByText(`Updated ${formatTime(readAt, { seconds: true })}`)).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the dashboard\'s patching cards', () => {
  it('show queued, running and awaiting approval runs, each linking to Runs & History filtered', async () => {
    stubApi({
      'GET /me/context': { body: WITH_PATCHING }, 'GET /dashboard/stats': { body: STATS }, 'GET /dashboard/preferences': NO_PREFERENCES,
      'GET /patching/dashboard': { body: PATCHING },
    });
    renderRoutes(routes, '/');

    expect(await screen.findByRole('link', { name: 'Patch runs queued' })).toHaveAttribute('href', '/patching?tab=runs&status=queued');
    expect(screen.getByRole('link', { name: 'Patch runs running' })).toHaveAttribute('href', '/patching?tab=runs&status=running');
    expect(screen.getByRole('link', { name: 'Awaiting approval' })).toHaveAttribute('href', '/patching?tab=runs&status=awaiting_approval');
    await within(card('Patch runs queued')).findByText('3');
    expect(card('Patch runs queued')).toHaveTextContent('4 more scheduled');
    expect(within(card('Patch runs running')).getByText('2')).toBeInTheDocument();
    // Awaiting approval: pending approval + validated dry runs.
    expect(within(card('Awaiting approval')).getByText('3')).toBeInTheDocument();
    expect(card('Awaiting approval')).toHaveTextContent('1 pending approval, 2 validated');
  });

  it('are absent, and not asked for, without the patching module', async () => {
    const calls = stubApi({ 'GET /me/context': { body: ME }, 'GET /dashboard/stats': { body: STATS }, 'GET /dashboard/preferences': NO_PREFERENCES });
    renderRoutes(routes, '/');

    await screen.findByRole('link', { name: 'Hosts needing updates' });
    expect(screen.queryByRole('link', { name: 'Patch runs queued' })).not.toBeInTheDocument();
    expect(screen.queryByRole('article', { name: 'Awaiting approval' })).not.toBeInTheDocument();
    expect(calls.map((c) => c.path)).not.toContain('/patching/dashboard');
  });

  it('are absent for a user who may not view hosts', async () => {
    const calls = stubApi({
      'GET /me/context': { body: { ...WITH_PATCHING, permissions: ['can_view_dashboard'] } }, 'GET /dashboard/stats': { body: STATS },
      'GET /dashboard/preferences': NO_PREFERENCES,
    });
    renderRoutes(routes, '/');

    await screen.findByRole('article', { name: 'Total hosts' });
    expect(screen.queryByRole('article', { name: 'Patch runs running' })).not.toBeInTheDocument();
    expect(calls.map((c) => c.path)).not.toContain('/patching/dashboard');
  });

  it('join a layout saved before they existed, after the saved cards', async () => {
    stubApi({
      'GET /me/context': { body: WITH_PATCHING }, 'GET /dashboard/stats': { body: STATS }, 'GET /patching/dashboard': { body: PATCHING },
      'GET /dashboard/preferences': { body: { cards: [{ id: 'offline_hosts', visible: true }, { id: 'total_hosts', visible: false }], updated_at: 'x' } },
    });
    const { container } = renderRoutes(routes, '/');

    await screen.findByRole('link', { name: 'Patch runs queued' });
    const order = [...container.querySelectorAll('[data-card]')].map((el) => el.getAttribute('data-card'));
    expect(order[0]).toBe('offline_hosts');
    expect(order).not.toContain('total_hosts');
    const patching = ['patch_runs_queued', 'patch_runs_running', 'patch_runs_awaiting_approval'].map((id) => order.indexOf(id));
    expect(patching.every((index) => index > 0)).toBe(true); // after the saved cards, in the catalogue's order
    expect(patching).toEqual([...patching].sort((a, b) => a - b));
  });

  it('are not fetched when the user hid them all', async () => {
    const hidden = ['patch_runs_queued', 'patch_runs_running', 'patch_runs_awaiting_approval'].map((id) => ({ id, visible: false }));
    const calls = stubApi({
      'GET /me/context': { body: WITH_PATCHING }, 'GET /dashboard/stats': { body: STATS },
      'GET /dashboard/preferences': { body: { cards: [{ id: 'total_hosts', visible: true }, ...hidden], updated_at: 'x' } },
    });
    renderRoutes(routes, '/');
    await screen.findByRole('article', { name: 'Total hosts' });
    expect(screen.queryByRole('article', { name: 'Patch runs queued' })).not.toBeInTheDocument();
    expect(calls.map((c) => c.path)).not.toContain('/patching/dashboard');
  });

  it('show a dash when the counts cannot be read', async () => {
    stubApi({
      'GET /me/context': { body: WITH_PATCHING }, 'GET /dashboard/stats': { body: STATS }, 'GET /dashboard/preferences': NO_PREFERENCES,
      'GET /patching/dashboard': { status: 500, body: { error: 'Internal error' } },
    });
    renderRoutes(routes, '/');
    expect(await within(await screen.findByRole('article', { name: 'Patch runs running' })).findByText('Could not load patch runs')).toBeInTheDocument();
    expect(within(card('Patch runs running')).getByText('—')).toBeInTheDocument();
  });
});
