/** Repositories: the package sources the host's last report listed (GET /hosts/{id}/repositories). */
import { Badge, Stack, Text, Title } from '@mantine/core';

import { hostKeys, hostsApi, type HostDetail, type HostRepository } from '../../../api/hosts';
import { DataTable, type Column } from '../../../components/DataTable';
import { plural } from '../../../components/format';
import { useCursorQuery } from '../../../components/useCursorQuery';

const PAGE_SIZE = 100;

const COLUMNS: Column<HostRepository>[] = [
  { key: 'name', header: 'Name', cell: (r) => <Text span size="sm" fw={600}>{r.name || '—'}</Text> },
  { key: 'url', header: 'URL', cell: (r) => <Text span size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>{r.url}</Text> },
  { key: 'distribution', header: 'Distribution', cell: (r) => r.distribution || '—' },
  { key: 'components', header: 'Components', cell: (r) => r.components || '—' },
  { key: 'repo_type', header: 'Type', cell: (r) => r.repo_type || '—' },
  { key: 'is_enabled', header: 'Enabled', cell: (r) => (r.is_enabled ? 'Yes' : <Badge color="gray" variant="light">Disabled</Badge>) },
  { key: 'is_secure', header: 'Secure', cell: (r) => (r.is_secure ? <Badge color="teal" variant="light">Secure</Badge> : <Text span size="sm" c="dimmed">No</Text>) },
];

/** The server pages in stored order (by repository id); a page is shown by name. */
function byName(rows: HostRepository[] | undefined): HostRepository[] | undefined {
  return rows ? [...rows].sort((a, b) => a.name.localeCompare(b.name) || a.url.localeCompare(b.url)) : undefined;
}

export function RepositoriesTab({ host }: { host: HostDetail }) {
  const { query, pagination } = useCursorQuery({
    queryKey: hostKeys.repositories(host.host_id, host.last_report_at),
    fetchPage: (cursor, signal) => hostsApi.repositories(host.host_id, { cursor, limit: PAGE_SIZE }, signal),
  });
  return (
    <Stack gap="md">
      <Title order={2} size="h4">{plural(host.repos_count, 'repository', 'repositories')}</Title>
      <DataTable caption={`Repositories of ${host.friendly_name}`} columns={COLUMNS} rows={byName(query.data?.repositories)} rowKey={(r) => r.repo_id}
        pagination={pagination} fetching={query.isPlaceholderData} error={query.error} onRetry={() => void query.refetch()}
        empty="No repositories reported yet" loadingLabel="Loading repositories…"
      />
    </Stack>
  );
}
