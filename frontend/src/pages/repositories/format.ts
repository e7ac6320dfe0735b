/** How the Repositories pages show a repository's fields. */
import type { Repository, RepositoryHost } from '../../api/inventory';

/** The name to show: Debian-family `deb-` / `deb-src-` prefixes are left out for readability (as the docs describe). */
export function displayRepoName(name: string): string {
  const stripped = name.replace(/^deb-src-/i, '').replace(/^deb-/i, '');
  return stripped || name;
}

/** "jammy · main restricted": the release and, for apt, its components. */
export function distributionLabel(repo: Pick<Repository, 'distribution' | 'components'>): string {
  return [repo.distribution, repo.components].filter(Boolean).join(' · ');
}

/**
 * A repository's fields from one of its host rows: every host's row of a repository has the same URL,
 * distribution and components (they are its identity); the name and type are as that host reported them.
 */
export function repositoryFromHostRow(row: RepositoryHost): Omit<Repository, 'host_count'> {
  return {
    repo_id: row.repo_id, name: row.name, url: row.url, distribution: row.distribution, components: row.components,
    repo_type: row.repo_type, is_secure: row.is_secure,
  };
}
