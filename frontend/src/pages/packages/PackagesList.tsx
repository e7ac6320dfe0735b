/**
 * /packages: one row per package name across the fleet, with how many hosts have it, need an update, or a
 * security update. Filters live in the URL (?filter=outdated|security, ?search=); one request per page.
 */
import { Anchor, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { dashboardApi } from '../../api/dashboard';
import { inventoryApi, inventoryKeys, packageHref, type FleetPackage } from '../../api/inventory';
import { queryKeys } from '../../api/queryClient';
import { RequirePermission } from '../../auth/guards';
import { useCan } from '../../auth/useSession';
import { DataTable, EmptyState, Page, useCursorQuery, type Column } from '../../components';
import {
  filtersFromParams, fleetStatus, hostsLabel, isFiltered, PAGE_SIZES, paramsWithStatus, toPackageQuery, UPDATE_STATUS_OPTIONS,
  type UpdateStatus,
} from './filters';
import { useSearchParamInput, useStoredPageSize } from './hooks';
import { PackageStatusBadge, SparsePageNotice, SummaryCard, SummaryGrid } from './parts';

export const PAGE_SIZE_KEY = 'patchmon.packages.pageSize';

/** A count in a table cell: bold when not zero (the Status badge carries the colour). */
function Count({ value }: { value: number }) {
  return <Text span size="sm" fw={value > 0 ? 700 : undefined} c={value > 0 ? undefined : 'dimmed'}>{value.toLocaleString()}</Text>;
}

const COLUMNS: Column<FleetPackage>[] = [
  {
    key: 'name', header: 'Package', cell: (p) => (
      <Stack gap={0} maw={360}>
        <Anchor component={Link} to={packageHref(p.name)} fw={500} style={{ overflowWrap: 'anywhere' }}>
          {p.name}
        </Anchor>
        {p.description ? (
          <Text size="xs" c="dimmed" lineClamp={1} title={p.description}>
            {p.description}
          </Text>
        ) : null}
      </Stack>
    ),
  },
  { key: 'installed_hosts', header: 'Installed on', align: 'right', cell: (p) => <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>{hostsLabel(p.installed_hosts)}</Text> },
  {
    key: 'outdated_hosts', header: 'Needs update', align: 'right',
    cell: (p) => <Count value={p.outdated_hosts} />,
  },
  {
    key: 'security_hosts', header: 'Security updates', align: 'right',
    cell: (p) => <Count value={p.security_hosts} />,
  },
  { key: 'status', header: 'Status', cell: (p) => <PackageStatusBadge status={fleetStatus(p)} /> },
  {
    key: 'latest_version', header: 'Latest version',
    cell: (p) => (p.latest_version ? <Text span size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{p.latest_version}</Text> : <Text span c="dimmed">—</Text>),
  },
  { key: 'category', header: 'Category', cell: (p) => p.category || <Text span c="dimmed">—</Text> },
];

function FleetSummary() {
  const stats = useQuery({ queryKey: queryKeys.dashboardStats, queryFn: ({ signal }) => dashboardApi.stats(signal) });
  const data = stats.data;
  // The per-host figures come from the fleet counters (one read); a failure only leaves the cards blank.
  return (
    <SummaryGrid label="Fleet update summary" columns={3}>
      <SummaryCard title="Outdated Hosts" href="/hosts?needs_updates=true" value={data?.hosts_needing_updates.toLocaleString()}
        color={data && data.hosts_needing_updates > 0 ? 'orange.8' : undefined}
        detail={data ? `of ${hostsLabel(data.total_hosts)} need package updates` : undefined}
      />
      <SummaryCard title="Hosts with Security Updates" href="/hosts?security=true" value={data?.hosts_with_security_updates.toLocaleString()}
        color={data && data.hosts_with_security_updates > 0 ? 'red.7' : undefined}
        detail={data ? 'have security updates pending' : undefined}
      />
      <SummaryCard title="Up-to-date Hosts" href="/hosts" value={data?.up_to_date_hosts.toLocaleString()}
        detail={data ? 'have every package up to date' : undefined}
      />
    </SummaryGrid>
  );
}

function PackagesView() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const [searchText, setSearchText] = useSearchParamInput('search');
  const [pageSize, setPageSize] = useStoredPageSize(PAGE_SIZE_KEY);
  const [refreshing, setRefreshing] = useState(false);
  const canViewDashboard = useCan('can_view_dashboard');
  const packageQuery = toPackageQuery(filters);
  const { query, pagination } = useCursorQuery({
    queryKey: [...inventoryKeys.packages, packageQuery, pageSize],
    fetchPage: (cursor, signal) => inventoryApi.packages(packageQuery, { cursor, limit: pageSize, signal }),
  });
  const rows = query.data?.packages;
  const fetching = query.isPlaceholderData;

  const clearFilters = () => {
    setSearchText('');
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.delete('filter');
      next.delete('search');
      return next;
    });
  };

  const empty = isFiltered(filters) ? (
    <EmptyState title="No packages match these filters" description="Try another name or update status."
      action={<Button variant="default" onClick={clearFilters}>Clear filters</Button>}
    />
  ) : (
    <EmptyState title="No packages yet"
      description="Packages appear here once a host has sent its first report. Enrol a host and its agent reports its packages."
      action={<Button component={Link} to="/hosts" variant="default">Go to Hosts</Button>}
    />
  );

  return (
    <Page title="Packages" description={<Text c="dimmed">Every package installed across your hosts, with the hosts that need an update.</Text>}
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
      {canViewDashboard ? <FleetSummary /> : null}
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput label="Search packages" placeholder="Package name" type="search" value={searchText}
          onChange={(event) => setSearchText(event.currentTarget.value)} style={{ flex: '1 1 220px' }}
        />
        <NativeSelect label="Update status" data={UPDATE_STATUS_OPTIONS} value={filters.status}
          onChange={(event) => setParams(paramsWithStatus(params, event.currentTarget.value as UpdateStatus))}
        />
        <NativeSelect label="Rows per page" data={PAGE_SIZES.map(String)} value={String(pageSize)}
          onChange={(event) => setPageSize(Number(event.currentTarget.value))}
        />
      </Group>
      {rows && rows.length === 0 && pagination.hasNext ? (
        <SparsePageNotice pagination={pagination} fetching={fetching} />
      ) : (
        <DataTable caption="Packages" columns={COLUMNS} rows={rows} rowKey={(p) => p.name} pagination={pagination} fetching={fetching}
          error={query.error} onRetry={() => void query.refetch()} empty={empty}
        />
      )}
    </Page>
  );
}

export default function PackagesList() {
  return (
    <RequirePermission permission="can_view_packages" page="Packages">
      <PackagesView />
    </RequirePermission>
  );
}
