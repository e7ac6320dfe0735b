/** /repositories: every package source the fleet's hosts use, one record per (URL, distribution, components). */
import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';

import { inventoryApi, inventoryKeys, repositoryHref, type Repository } from '../../api/inventory';
import { RequirePermission } from '../../auth/guards';
import { DataTable, type Column } from '../../components/DataTable';
import { plural } from '../../components/format';
import { Page } from '../../components/Page';
import { useStoredPageSize } from '../../components/pageSize';
import { PageSizeSelect } from '../../components/PageSizeSelect';
import { RefreshButton } from '../../components/RefreshButton';
import { EmptyState } from '../../components/states';
import { useCursorQuery } from '../../components/useCursorQuery';
import { displayRepoName, distributionLabel } from './format';
import { SecurityBadge } from './parts';

const PAGE_SIZE_KEY = 'patchmon.repositories.pageSize';

const COLUMNS: Column<Repository>[] = [
  {
    key: 'name', header: 'Repository', cell: (r) => {
      const shown = displayRepoName(r.name || r.url);
      return (
        <Anchor component={Link} to={repositoryHref(r.repo_id)} fw={500} title={shown === r.name ? undefined : r.name} style={{ overflowWrap: 'anywhere' }}>
          {shown}
        </Anchor>
      );
    },
  },
  { key: 'url', header: 'URL', cell: (r) => <Text span size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{r.url}</Text> },
  { key: 'distribution', header: 'Distribution', cell: (r) => distributionLabel(r) || <Text span c="dimmed">—</Text> },
  { key: 'repo_type', header: 'Type', cell: (r) => r.repo_type || <Text span c="dimmed">—</Text> },
  { key: 'is_secure', header: 'Security', cell: (r) => <SecurityBadge secure={r.is_secure} /> },
  {
    key: 'host_count', header: 'Hosts', align: 'right',
    // Text only: a name holding the repository's too would make "ubuntu-main" match two links of the row.
    cell: (r) => <Anchor component={Link} to={repositoryHref(r.repo_id)} style={{ whiteSpace: 'nowrap' }}>{plural(r.host_count, 'host')}</Anchor>,
  },
];

function RepositoriesView() {
  const [pageSize, setPageSize] = useStoredPageSize(PAGE_SIZE_KEY);
  const { query, pagination } = useCursorQuery({
    queryKey: inventoryKeys.repositoryList(pageSize),
    fetchPage: (cursor, signal) => inventoryApi.repositories({ cursor, limit: pageSize, signal }),
  });
  return (
    <Page title="Repositories" description={<Text c="dimmed">The package sources your hosts are configured with.</Text>}
      actions={<RefreshButton onRefresh={() => query.refetch()} />}
    >
      <Stack gap="sm">
        <Group justify="flex-end">
          <PageSizeSelect value={pageSize} onChange={setPageSize} />
        </Group>
        <DataTable caption="Repositories" columns={COLUMNS} rows={query.data?.repositories} rowKey={(r) => r.repo_id} pagination={pagination}
          fetching={query.isPlaceholderData} error={query.error} onRetry={() => void query.refetch()}
          empty={(
            <EmptyState title="No repositories yet"
              description="Repositories appear here once a host has sent its first report with its package sources."
              action={<Button component={Link} to="/hosts" variant="default">Go to Hosts</Button>}
            />
          )}
        />
      </Stack>
    </Page>
  );
}

export default function RepositoriesList() {
  return (
    <RequirePermission permission="can_view_hosts" page="Repositories">
      <RepositoriesView />
    </RequirePermission>
  );
}
