/** Packages: the host's total, and its packages (all / needing an update / security) from GET /hosts/{id}/packages. */
import { Anchor, Badge, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';

import { hostKeys, hostsApi, type HostDetail, type HostPackage, type PackageFilter } from '../../../api/hosts';
import { packageHref } from '../../../api/inventory';
import { DataTable, type Column } from '../../../components/DataTable';
import { DebouncedTextInput } from '../../../components/DebouncedTextInput';
import { formatCount, plural } from '../../../components/format';
import { useCursorQuery } from '../../../components/useCursorQuery';
import { VersionText } from '../../../components/VersionText';
import { packageFilterFromParams, packageQuery } from '../logic';

const PAGE_SIZE = 100;

const COLUMNS: Column<HostPackage>[] = [
  { key: 'name', header: 'Package', cell: (p) => (
    <Stack gap={0}>
      <Anchor component={Link} to={packageHref(p.name)} size="sm" fw={600}>{p.name}</Anchor>
      {p.description ? <Text size="xs" c="dimmed" lineClamp={1}>{p.description}</Text> : null}
    </Stack>
  ) },
  { key: 'current_version', header: 'Installed version', cell: (p) => <VersionText value={p.current_version} /> },
  { key: 'available_version', header: 'Available version', cell: (p) => (
    p.needs_update && p.available_version ? <VersionText value={p.available_version} /> : <Text span size="sm" c="dimmed">Up to date</Text>
  ) },
  { key: 'update', header: 'Update', cell: (p) => {
    if (!p.needs_update) return null;
    return p.is_security_update ? <Badge color="red" variant="light">Security</Badge> : <Badge color="orange" variant="light">Update</Badge>;
  } },
  { key: 'source_repository', header: 'Source', cell: (p) => p.source_repository || <Text span size="sm" c="dimmed">—</Text> },
];

export function PackagesTab({ host }: { host: HostDetail }) {
  const [params, setParams] = useSearchParams();
  const filter = packageFilterFromParams(params);
  const search = params.get('pkg_search') ?? '';
  const query = packageQuery(filter, search);
  const { query: packages, pagination } = useCursorQuery({
    queryKey: hostKeys.packages(host.host_id, query, host.last_report_at),
    fetchPage: (cursor, signal) => hostsApi.packages(host.host_id, { ...query, cursor, limit: PAGE_SIZE }, signal),
  });
  const set = (name: string, value: string) => setParams((p) => {
    const next = new URLSearchParams(p);
    if (value && value !== 'all') next.set(name, value);
    else next.delete(name);
    return next;
  }, { replace: true });

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Stack gap={0}>
          <Title order={2} size="h4">{plural(host.packages_count, 'package')}</Title>
          <Text size="sm" c="dimmed">
            {formatCount(host.updates_count)} need an update, {formatCount(host.security_count)} of them for security
          </Text>
        </Stack>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <SegmentedControl aria-label="Show packages" value={filter} onChange={(value) => set('pkg', value)}
            data={[
              { value: 'all', label: 'All' },
              { value: 'needs_updates', label: 'Needs update' },
              { value: 'security', label: 'Security' },
            ] satisfies { value: PackageFilter; label: string }[]}
          />
          <DebouncedTextInput label="Search packages" type="search" placeholder="Package name" value={search} onCommit={(text) => set('pkg_search', text)} />
        </Group>
      </Group>
      <DataTable caption={`Packages of ${host.friendly_name}`} columns={COLUMNS} rows={packages.data?.packages} rowKey={(p) => p.name}
        pagination={pagination} fetching={packages.isPlaceholderData} error={packages.error} onRetry={() => void packages.refetch()}
        empty={filter === 'all' && !search ? 'No packages reported yet' : 'No packages match'} loadingLabel="Loading packages…"
      />
    </Stack>
  );
}
