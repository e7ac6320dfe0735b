/**
 * /packages: one row per package name across the fleet, with how many hosts have it, need an update, or a
 * security update. Filters live in the URL (?filter=outdated|security, ?search=); one request per page.
 */
import { Anchor, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';

import { dashboardStatsQuery } from '../../api/dashboard';
import { inventoryApi, inventoryKeys, packageHref, type FleetPackage } from '../../api/inventory';
import { RequirePermission } from '../../auth/guards';
import { useCan } from '../../auth/useSession';
import { DataTable, type Column } from '../../components/DataTable';
import { DebouncedTextInput } from '../../components/DebouncedTextInput';
import { formatCount, plural } from '../../components/format';
import { Page } from '../../components/Page';
import { useStoredPageSize } from '../../components/pageSize';
import { PageSizeSelect } from '../../components/PageSizeSelect';
import { RefreshButton } from '../../components/RefreshButton';
import { EmptyState } from '../../components/states';
import { SummaryCard, SummaryGrid } from '../../components/SummaryCard';
import { useCursorQuery } from '../../components/useCursorQuery';
import { VersionText } from '../../components/VersionText';
import { filtersFromParams, fleetStatus, isFiltered, paramsWithStatus, toPackageQuery, UPDATE_STATUS_OPTIONS, type UpdateStatus } from './filters';
import { PackageStatusBadge } from './parts';

const PAGE_SIZE_KEY = 'patchmon.packages.pageSize';

/** A count in a table cell: bold when not zero (the Status badge carries the colour). */
function Count({ value }: { value: number }) {
  return <Text span size="sm" fw={value > 0 ? 700 : undefined} c={value > 0 ? undefined : 'dimmed'}>{formatCount(value)}</Text>;
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
  { key: 'installed_hosts', header: 'Installed on', align: 'right', cell: (p) => <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>{plural(p.installed_hosts, 'host')}</Text> },
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
    cell: (p) => <VersionText value={p.latest_version} />,
  },
  { key: 'category', header: 'Category', cell: (p) => p.category || <Text span c="dimmed">—</Text> },
];

function FleetSummary() {
  const stats = useQuery(dashboardStatsQuery);
  const data = stats.data;
  // The per-host figures come from the fleet counters (one read); a failure only leaves the cards blank.
  return (
    <SummaryGrid label="Fleet update summary" columns={3}>
      <SummaryCard title="Outdated Hosts" href="/hosts?needs_updates=true" value={data && formatCount(data.hosts_needing_updates)}
        color={data && data.hosts_needing_updates > 0 ? 'orange.8' : undefined}
        detail={data ? `of ${plural(data.total_hosts, 'host')} need package updates` : undefined}
      />
      <SummaryCard title="Hosts with Security Updates" href="/hosts?security=true" value={data && formatCount(data.hosts_with_security_updates)}
        color={data && data.hosts_with_security_updates > 0 ? 'red.7' : undefined}
        detail={data ? 'have security updates pending' : undefined}
      />
      <SummaryCard title="Up-to-date Hosts" href="/hosts" value={data && formatCount(data.up_to_date_hosts)}
        detail={data ? 'have every package up to date' : undefined}
      />
    </SummaryGrid>
  );
}

function PackagesView() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const [pageSize, setPageSize] = useStoredPageSize(PAGE_SIZE_KEY);
  const canViewDashboard = useCan('can_view_dashboard');
  const packageQuery = toPackageQuery(filters);
  const { query, pagination } = useCursorQuery({
    queryKey: inventoryKeys.packageList(packageQuery, pageSize),
    fetchPage: (cursor, signal) => inventoryApi.packages(packageQuery, { cursor, limit: pageSize, signal }),
  });
  const setSearch = (search: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (search) next.set('search', search);
    else next.delete('search');
    return next;
  }, { replace: true });
  const clearFilters = () => setParams((current) => {
    const next = new URLSearchParams(current);
    next.delete('filter');
    next.delete('search');
    return next;
  });

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
      actions={<RefreshButton onRefresh={() => query.refetch()} />}
    >
      {canViewDashboard ? <FleetSummary /> : null}
      <Group align="flex-end" gap="sm" wrap="wrap">
        <DebouncedTextInput label="Search packages" placeholder="Package name" type="search" value={filters.search} onCommit={setSearch} />
        <NativeSelect label="Update status" data={UPDATE_STATUS_OPTIONS} value={filters.status}
          onChange={(event) => setParams(paramsWithStatus(params, event.currentTarget.value as UpdateStatus))}
        />
        <PageSizeSelect value={pageSize} onChange={setPageSize} />
      </Group>
      <DataTable caption="Packages" columns={COLUMNS} rows={query.data?.packages} rowKey={(p) => p.name} pagination={pagination}
        fetching={query.isPlaceholderData} error={query.error} onRetry={() => void query.refetch()} empty={empty}
      />
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
