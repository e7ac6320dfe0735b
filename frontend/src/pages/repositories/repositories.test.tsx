import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { routes } from '../../router';
import { ME, renderRoutes, stubApi } from '../../test/render';

const READ_ONLY = { ...ME, role: 'viewer', permissions: ['can_view_hosts'] };
const WRITE_WORDS = /add|create|edit|save|delete|remove/i;

const UBUNTU = {
  repo_id: 'r1', name: 'ubuntu-main', url: 'http://archive.ubuntu.com/ubuntu', distribution: 'jammy', components: 'main', repo_type: 'deb',
  is_secure: false, host_count: 1000,
};
const DOCKER = {
  repo_id: 'r2', name: 'download-docker-jammy-stable', url: 'https://download.docker.com/linux/ubuntu', distribution: 'jammy',
  components: 'stable', repo_type: 'deb', is_secure: true, host_count: 1,
};
const HOSTS = {
  hosts: [
    { host_id: 'h1', friendly_name: 'web-01', repo_id: 'r1', name: 'ubuntu-main', url: UBUNTU.url, distribution: 'jammy', components: 'main',
      repo_type: 'deb', is_enabled: true, is_secure: false, updated_at: '2025-01-01T00:00:00Z' },
  ],
  next_cursor: null,
};

function requested(path: string): URL[] {
  return vi.mocked(fetch).mock.calls.map(([input]) => new URL(input instanceof Request ? input.url : input.toString(), 'http://localhost')).filter((url) => url.pathname === `/api/v1${path}`);
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('the repositories list', () => {
  it('shows one page from one request with security badges and host counts, and no write action for a read-only user', async () => {
    stubApi({ 'GET /me/context': { body: READ_ONLY }, 'GET /repositories': { body: { repositories: [UBUNTU, DOCKER], next_cursor: null } } });
    renderRoutes(routes, '/repositories');

    expect(await screen.findByRole('heading', { level: 1, name: 'Repositories' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Repositories' });
    const ubuntu = within(table).getByRole('link', { name: 'ubuntu-main' });
    expect(ubuntu).toHaveAttribute('href', '/repositories/r1');
    const row = ubuntu.closest('tr')!;
    expect(within(row).getByText('http://archive.ubuntu.com/ubuntu')).toBeInTheDocument();
    expect(within(row).getByText('jammy · main')).toBeInTheDocument();
    expect(within(row).getByText('Insecure')).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: '1,000 hosts' })).toHaveAttribute('href', '/repositories/r1');
    expect(within(within(table).getByRole('link', { name: 'download-docker-jammy-stable' }).closest('tr')!).getByText('Secure')).toBeInTheDocument();
    expect(requested('/repositories')).toHaveLength(1);
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).not.toContainEqual(expect.stringMatching(WRITE_WORDS));
  });

  it('explains an empty list', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /repositories': { body: { repositories: [], next_cursor: null } } });
    renderRoutes(routes, '/repositories');

    expect(await screen.findByRole('heading', { name: 'No repositories yet' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to Hosts' })).toHaveAttribute('href', '/hosts');
  });
});

describe('a repository', () => {
  it('shows the fields the list already loaded and the hosts using it, from one more request', async () => {
    stubApi({
      'GET /me/context': { body: READ_ONLY }, 'GET /repositories': { body: { repositories: [UBUNTU], next_cursor: null } },
      'GET /repositories/r1/hosts': { body: HOSTS },
    });
    const user = userEvent.setup();
    renderRoutes(routes, '/repositories');

    await user.click(await screen.findByRole('link', { name: 'ubuntu-main' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'ubuntu-main' })).toBeInTheDocument();
    expect(screen.getByText('1,000 hosts')).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Hosts using this repository' });
    expect(within(table).getByRole('link', { name: 'web-01' })).toHaveAttribute('href', '/hosts/h1');
    expect(within(table).getByText('Enabled')).toBeInTheDocument();
    expect(requested('/repositories')).toHaveLength(1);
    expect(screen.queryAllByRole('button').map((b) => b.textContent)).not.toContainEqual(expect.stringMatching(WRITE_WORDS));
  });

  it('takes the fields from a host row when opened directly', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /repositories/r1/hosts': { body: HOSTS } });
    renderRoutes(routes, '/repositories/r1');

    expect(await screen.findByRole('heading', { level: 1, name: 'ubuntu-main' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Repository details' })).toHaveTextContent('http://archive.ubuntu.com/ubuntu');
  });

  it('says when the repository is unknown', async () => {
    stubApi({ 'GET /me/context': { body: ME }, 'GET /repositories/nope/hosts': { status: 404, body: { error: 'Repository not found', code: 'not_found' } } });
    renderRoutes(routes, '/repositories/nope');

    expect(await screen.findByRole('heading', { level: 1, name: 'Repository not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to repositories' })).toHaveAttribute('href', '/repositories');
  });
});
