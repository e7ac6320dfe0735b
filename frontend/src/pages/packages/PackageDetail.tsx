/**
 * /packages/:name: one package's fleet counts and the hosts that have it; for patch managers (with the `patching`
 * module), "Patch this package" opens the Patch Wizard with the package locked and the hosts that need it. With
 * `patching_policies`, a note lists the package holds whose pattern matches the name.
 */
import { Anchor, Button, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';

import { ApiError } from '../../api/errors';
import { hostHref, hostLabel, inventoryApi, inventoryKeys, type FleetPackage, type PackageHost } from '../../api/inventory';
import { RequirePermission } from '../../auth/guards';
import { useCan, useHasModule } from '../../auth/useSession';
import { DataTable, type Column } from '../../components/DataTable';
import { formatCount, formatDateTime, plural } from '../../components/format';
import { Page } from '../../components/Page';
import { LazyPatchWizard } from '../../components/patching/LazyPatchWizard';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { SummaryCard, SummaryGrid } from '../../components/SummaryCard';
import { useCursorQuery } from '../../components/useCursorQuery';
import { VersionText } from '../../components/VersionText';
import { fleetStatus, hostStatus } from './filters';
import { PackageHolds } from './PackageHolds';
import { PackageStatusBadge } from './parts';

const HOSTS_PAGE_SIZE = 50;

const HOST_COLUMNS: Column<PackageHost>[] = [
  {
    key: 'host', header: 'Host',
    cell: (h) => <Anchor component={Link} to={hostHref(h.host_id)} fw={500} style={{ overflowWrap: 'anywhere' }}>{hostLabel(h)}</Anchor>,
  },
  { key: 'current_version', header: 'Installed version', cell: (h) => <VersionText value={h.current_version} /> },
  { key: 'available_version', header: 'Available version', cell: (h) => <VersionText value={h.needs_update ? h.available_version : null} /> },
  { key: 'status', header: 'Status', cell: (h) => <PackageStatusBadge status={hostStatus(h)} /> },
  { key: 'source_repository', header: 'Source repository', cell: (h) => h.source_repository || <Text span c="dimmed">—</Text> },
  { key: 'updated_at', header: 'Changed', nowrap: true, cell: (h) => formatDateTime(h.updated_at, { missing: '—' }) },
];

function PackageSummary({ pkg }: { pkg: FleetPackage }) {
  const upToDate = Math.max(0, pkg.installed_hosts - pkg.outdated_hosts);
  return (
    <>
      <SummaryGrid label="Package summary">
        <SummaryCard title="Hosts with Package" value={formatCount(pkg.installed_hosts)} />
        <SummaryCard title="Updates Needed" value={formatCount(pkg.outdated_hosts)} color={pkg.outdated_hosts > 0 ? 'orange.8' : undefined}
          detail={pkg.security_hosts > 0 ? `${plural(pkg.security_hosts, 'host')} with a security update` : 'No security updates'}
        />
        <SummaryCard title="Up to Date" value={formatCount(upToDate)} />
        <SummaryCard title="Latest Version" text value={pkg.latest_version ?? '—'} detail="Newest version any host has seen" />
      </SummaryGrid>
      <Paper withBorder p="md" radius="md">
        <Stack gap="xs">
          <Title order={2} size="h5">
            Description
          </Title>
          <Text size="sm" c={pkg.description ? undefined : 'dimmed'} style={{ whiteSpace: 'pre-line' }}>
            {pkg.description || 'No description reported.'}
          </Text>
          {pkg.category ? (
            <Text size="sm" c="dimmed">
              Category: {pkg.category}
            </Text>
          ) : null}
        </Stack>
      </Paper>
    </>
  );
}

function PackageHosts({ name }: { name: string }) {
  const { query, pagination } = useCursorQuery({
    queryKey: inventoryKeys.packageHosts(name),
    fetchPage: (cursor, signal) => inventoryApi.packageHosts(name, { cursor, limit: HOSTS_PAGE_SIZE, signal }),
  });
  if (query.error instanceof ApiError && query.error.status === 404) return null; // the page says "Package not found"
  return (
    <Stack gap="sm" component="section" aria-labelledby="package-hosts-heading">
      <Title order={2} size="h4" id="package-hosts-heading">
        Hosts
      </Title>
      <DataTable caption={`Hosts with ${name}`} columns={HOST_COLUMNS} rows={query.data?.hosts} rowKey={(h) => h.host_id} pagination={pagination}
        fetching={query.isPlaceholderData} error={query.error} onRetry={() => void query.refetch()}
        loadingLabel="Loading hosts…" empty="No host reports this package any more"
      />
    </Stack>
  );
}

function PackageView({ name }: { name: string }) {
  const pkg = useQuery({ queryKey: inventoryKeys.package(name), queryFn: ({ signal }) => inventoryApi.package(name, signal) });
  const back = <Anchor component={Link} to="/packages">← All packages</Anchor>;
  const canManagePatching = useCan('can_manage_patching');
  const hasPatching = useHasModule('patching');
  const canPatch = canManagePatching && hasPatching;
  const [patching, setPatching] = useState(false);

  if (pkg.error instanceof ApiError && pkg.error.status === 404) {
    return (
      <Page title={name} description={back}>
        <EmptyState title="Package not found" description="No host reports a package by this name."
          action={<Button component={Link} to="/packages" variant="default">Back to packages</Button>}
        />
      </Page>
    );
  }
  let summary;
  if (pkg.data) summary = <PackageSummary pkg={pkg.data} />;
  else if (pkg.error) summary = <ErrorState error={pkg.error} title="Could not load this package" onRetry={() => void pkg.refetch()} />;
  else summary = <LoadingState label="Loading package…" />;

  return (
    <Page title={name} description={back}
      actions={pkg.data ? (
        <>
          <PackageStatusBadge status={fleetStatus(pkg.data)} />
          {canPatch && pkg.data.outdated_hosts > 0 ? <Button onClick={() => setPatching(true)}>Patch this package</Button> : null}
        </>
      ) : undefined}
    >
      {pkg.data ? <PackageHolds name={name} /> : null}
      {summary}
      {/* Loaded beside the package, not after it: a missing package answers 404 to both. */}
      <PackageHosts name={name} />
      {canPatch ? (
        <LazyPatchWizard opened={patching} onClose={() => setPatching(false)} setup={{ mode: 'trigger', patchType: 'patch_package', packages: [name] }} />
      ) : null}
    </Page>
  );
}

export default function PackageDetail() {
  const { name = '' } = useParams();
  return (
    <RequirePermission permission="can_view_packages" page="Packages">
      <PackageView name={name} />
    </RequirePermission>
  );
}
