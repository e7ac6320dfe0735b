import { expect, it } from 'vitest';

import { displayRepoName, distributionLabel, repositoryFromHostRow } from './format';

it('leaves Debian prefixes out of the shown name', () => {
  expect(displayRepoName('deb-src-archive-ubuntu-jammy')).toBe('archive-ubuntu-jammy');
  expect(displayRepoName('deb-debian-bookworm-security')).toBe('debian-bookworm-security');
  expect(displayRepoName('ubuntu-main')).toBe('ubuntu-main');
  expect(displayRepoName('deb-')).toBe('deb-');
});

it('joins the release and the components', () => {
  expect(distributionLabel({ distribution: 'jammy', components: 'main restricted' })).toBe('jammy · main restricted');
  expect(distributionLabel({ distribution: 'el9', components: '' })).toBe('el9');
  expect(distributionLabel({ distribution: '', components: '' })).toBe('');
});

it('takes a repository from one of its host rows', () => {
  const row = {
    host_id: 'h1', repo_id: 'r1', name: 'ubuntu-main', url: 'http://archive.ubuntu.com/ubuntu', distribution: 'jammy', components: 'main',
    repo_type: 'deb', is_enabled: false, is_secure: false, updated_at: '2025-01-01T00:00:00Z',
  };
  expect(repositoryFromHostRow(row)).toEqual({
    repo_id: 'r1', name: 'ubuntu-main', url: 'http://archive.ubuntu.com/ubuntu', distribution: 'jammy', components: 'main', repo_type: 'deb',
    is_secure: false,
  });
});
