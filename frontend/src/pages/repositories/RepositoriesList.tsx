/** /repositories: every package source the fleet's hosts use, one record per (URL, distribution, components). */
import { Anchor, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';

import { inventoryApi, inventoryKeys, repositoryHref, type Repository } from '../../api/inventory';
import { RequirePermission } from '../../auth/guards';
import { DataTable, EmptyState, Page, useCursorQuery, type Column } from '../../components';
import { hostsLabel, PAGE_SIZES } from '../packages/filters';
import { useStoredPageSize } from '../packages/hooks';
import { SparsePageNotice } from '../packages/parts';
import { displayRepoName, distributionLabel } from './format';
import { SecurityBadge } from './parts';

export const PAGE_SIZE_KEY = 'patchmon.repositories.pageSize';

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
    cell: (r) => <Anchor component={Link} to={repositoryHref(r.repo_id)} style={{ whiteSpace: 'nowrap' }}>{hostsLabel(r.host_count)}</Anchor>,
  },
];

function RepositoriesView() {
  const [pageSize, setPageSize] = useStoredPageSize(PAGE_SIZE_KEY);
  const [refreshing, setRefreshing] = useState(false);
  const { query, pagination } = useCursorQuery({
    queryKey: [...inventoryKeys.repositories, pageSize],
    fetchPage: (cursor, signal) => inventoryApi.repositories({ cursor, limit: pageSize, signal }),
  });
  const rows = query.data?.repositories;
  const fetching = query.isPlaceholderData;
  return (
    <Page title="Repositories" description={<Text c="dimmed">The package sources your hosts are configured with.</Text>}
      actions={(
        <Button variant="default" loading={refreshing} onClick={() => {
          setRefreshing(true);
          void query.refetch().finally(() => setRefreshing(false));
        }}
        >
          Refresh
        </Button>
      )}
    >
      <Stack gap="sm">
        <Group justify="flex-end">
          <NativeSelect label="Rows per page" data={PAGE_SIZES.map(String)} value={String(pageSize)}
            onChange={(event) => setPageSize(Number(event.currentTarget.value))}
          />
        </Group>
        {rows && rows.length === 0 && pagination.hasNext ? (
          <SparsePageNotice pagination={pagination} fetching={fetching} />
        ) : (
          <DataTable caption="Repositories" columns={COLUMNS} rows={rows} rowKey={(r) => r.repo_id} pagination={pagination} fetching={fetching}
            error={query.error} onRetry={() => void query.refetch()}
            empty={(
              <EmptyState title="No repositories yet"
                description="Repositories appear here once a host has sent its first report with its package sources."
                action={<Button component={Link} to="/hosts" variant="default">Go to Hosts</Button>}
              />
            )}
          />
        )}
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
