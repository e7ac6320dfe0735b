/**
 * /repositories/:repositoryId: a repository's fields and the hosts using it.
 *
 * The API has no GET /repositories/{id} yet, so the fields come from the list page already in the cache (when
 * the user came from it) or else from a row of GET /repositories/{id}/hosts, which carries the same URL,
 * distribution and components: the page still costs one request.
 */
import { Anchor, Box, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';

import { ApiError } from '../../api/errors';
import {
  hostHref, hostLabel, inventoryApi, inventoryKeys, type Repository, type RepositoryHost, type RepositoryPage,
} from '../../api/inventory';
import { RequirePermission } from '../../auth/guards';
import { DataTable, type Column } from '../../components/DataTable';
import { formatDateTime, plural } from '../../components/format';
import { Page } from '../../components/Page';
import { EmptyState } from '../../components/states';
import { useCursorQuery } from '../../components/useCursorQuery';
import { displayRepoName, repositoryFromHostRow } from './format';
import { EnabledBadge, SecurityBadge } from './parts';

const HOSTS_PAGE_SIZE = 50;

const HOST_COLUMNS: Column<RepositoryHost>[] = [
  {
    key: 'host', header: 'Host',
    cell: (h) => <Anchor component={Link} to={hostHref(h.host_id)} fw={500} style={{ overflowWrap: 'anywhere' }}>{hostLabel(h)}</Anchor>,
  },
  { key: 'is_enabled', header: 'Status on host', cell: (h) => <EnabledBadge enabled={h.is_enabled} /> },
  { key: 'name', header: 'Name on host', cell: (h) => h.name || <Text span c="dimmed">—</Text> },
  { key: 'updated_at', header: 'Changed', nowrap: true, cell: (h) => formatDateTime(h.updated_at, { missing: '—' }) },
];

/** The repository's row of a list page already loaded (no request). */
function cachedRepository(queryClient: QueryClient, repoId: string): Repository | undefined {
  for (const [, page] of queryClient.getQueriesData<RepositoryPage>({ queryKey: inventoryKeys.repositories })) {
    const found = page?.repositories.find((r) => r.repo_id === repoId);
    if (found) return found;
  }
  return undefined;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

function Details({ repo, hostCount }: { repo: Omit<Repository, 'host_count'>; hostCount: number | undefined }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="repository-details-heading">
      <Stack gap="sm">
        <Title order={2} size="h4" id="repository-details-heading">
          Repository details
        </Title>
        <Box component="dl" m={0} style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: 'var(--mantine-spacing-sm)' }}>
          <Field label="Name">{repo.name || '—'}</Field>
          <Field label="URL">
            <Text span size="sm" ff="monospace">{repo.url}</Text>
          </Field>
          <Field label="Distribution">{repo.distribution || '—'}</Field>
          <Field label="Components">{repo.components || '—'}</Field>
          <Field label="Type">{repo.repo_type || '—'}</Field>
          <Field label="Security">
            <SecurityBadge secure={repo.is_secure} />
          </Field>
          {hostCount !== undefined ? <Field label="Hosts">{plural(hostCount, 'host')}</Field> : null}
        </Box>
      </Stack>
    </Paper>
  );
}

function RepositoryView({ repoId }: { repoId: string }) {
  const queryClient = useQueryClient();
  const cached = cachedRepository(queryClient, repoId);
  const { query, pagination } = useCursorQuery({
    queryKey: inventoryKeys.repositoryHosts(repoId),
    fetchPage: (cursor, signal) => inventoryApi.repositoryHosts(repoId, { cursor, limit: HOSTS_PAGE_SIZE, signal }),
  });
  const rows = query.data?.hosts;
  const first = rows?.[0];
  const repo = cached ?? (first ? repositoryFromHostRow(first) : undefined);
  const back = <Anchor component={Link} to="/repositories">← All repositories</Anchor>;

  if (query.error instanceof ApiError && query.error.status === 404) {
    return (
      <Page title="Repository not found" description={back}>
        <EmptyState title="Repository not found" description="No host uses a repository with this id any more."
          action={<Button component={Link} to="/repositories" variant="default">Back to repositories</Button>}
        />
      </Page>
    );
  }

  return (
    <Page title={repo ? displayRepoName(repo.name || repo.url) : 'Repository'} description={back}
      actions={repo ? <Group gap="xs"><SecurityBadge secure={repo.is_secure} /></Group> : undefined}
    >
      {repo ? <Details repo={repo} hostCount={cached?.host_count} /> : null}
      <Stack gap="sm" component="section" aria-labelledby="repository-hosts-heading">
        <Title order={2} size="h4" id="repository-hosts-heading">
          Hosts using this repository
        </Title>
        <DataTable caption="Hosts using this repository" columns={HOST_COLUMNS} rows={rows} rowKey={(h) => h.host_id} pagination={pagination}
          fetching={query.isPlaceholderData} error={query.error} onRetry={() => void query.refetch()}
          loadingLabel="Loading hosts…" empty="No host uses this repository any more"
        />
      </Stack>
    </Page>
  );
}

export default function RepositoryDetail() {
  const { repositoryId = '' } = useParams();
  return (
    <RequirePermission permission="can_view_hosts" page="Repositories">
      <RepositoryView repoId={repositoryId} />
    </RequirePermission>
  );
}
