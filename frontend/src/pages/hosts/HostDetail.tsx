/**
 * One host (Admin Guide ch. 4): its header (status, connection, OS, last report, reboot flag, actions) and tabs kept in
 * the URL (`?tab=packages`). The host is polled every 30 s (paused while the browser tab is hidden), so a host coming
 * online or a new report shows without a reload. The Patching tab shows with the `patching` module; Docker and compliance tabs
 * come with their own modules later.
 */
import { Anchor, Badge, Button, Group, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';

import { ApiError } from '../../api/errors';
import { hostKeys, hostsApi, type HostDetail as HostDetailData } from '../../api/hosts';
import { useCan, useSession } from '../../auth/useSession';
import { formatCount } from '../../components/format';
import { Page } from '../../components/Page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { DeleteHostModal, FetchReportButton, RenameHostModal } from './HostActions';
import { useNow } from './hooks';
import { osLabel } from './logic';
import { ConnectionBadge, RelativeTime, StatusBadge } from './parts';
import { AgentTab } from './tabs/AgentTab';
import { CredentialsTab } from './tabs/CredentialsTab';
import { NetworkTab } from './tabs/NetworkTab';
import { OverviewTab } from './tabs/OverviewTab';
import { PackagesTab } from './tabs/PackagesTab';
import { PatchingTab } from './tabs/PatchingTab';
import { ReportsTab } from './tabs/ReportsTab';
import { RepositoriesTab } from './tabs/RepositoriesTab';

const DETAIL_POLL_MS = 30_000;

const TABS = [
  { value: 'overview', label: 'Overview' },
  { value: 'network', label: 'Network' },
  { value: 'packages', label: 'Packages' },
  { value: 'patching', label: 'Patching' },
  { value: 'repositories', label: 'Repositories' },
  { value: 'reports', label: 'Reports' },
  { value: 'agent', label: 'Agent' },
  { value: 'credentials', label: 'Credentials and install' },
] as const;

type TabValue = (typeof TABS)[number]['value'];

/** Tabs that need a module of the organisation's plan. */
const TAB_MODULE: Partial<Record<TabValue, string>> = { patching: 'patching' };

function tabFrom(params: URLSearchParams, shown: readonly { value: TabValue }[]): TabValue {
  const value = params.get('tab');
  return shown.find((tab) => tab.value === value)?.value ?? 'overview';
}

function HostHeader({ host, now }: { host: HostDetailData; now: number }) {
  const os = osLabel(host);
  return (
    <Group gap="sm" wrap="wrap">
      <StatusBadge status={host.status} />
      <ConnectionBadge host={host} />
      {host.needs_reboot ? <Badge color="orange" variant="light" title={host.reboot_reason || undefined}>Reboot required</Badge> : null}
      <Text size="sm">{os || <Text span size="sm" c="dimmed">OS not reported yet</Text>}</Text>
      {host.hostname ? <Text size="sm" c="dimmed">{host.hostname}{host.ip ? ` · ${host.ip}` : ''}</Text> : null}
      <Text size="sm" c="dimmed">Last report <RelativeTime iso={host.last_report_at} now={now} /></Text>
    </Group>
  );
}

function Loaded({ host }: { host: HostDetailData }) {
  const canManage = useCan('can_manage_hosts');
  const { data: me } = useSession();
  const now = useNow();
  const [params, setParams] = useSearchParams();
  const [dialog, setDialog] = useState<'rename' | 'delete' | null>(null);
  const tabs = TABS.filter((t) => {
    const module = TAB_MODULE[t.value];
    return !module || me?.modules.includes(module);
  });
  const tab = tabFrom(params, tabs);
  const select = (value: string | null) => setParams((p) => {
    const next = new URLSearchParams(p);
    if (!value || value === 'overview') next.delete('tab');
    else next.set('tab', value);
    return next;
  }, { replace: true });

  const actions = canManage ? (
    <>
      <FetchReportButton host={host} />
      <Button variant="default" onClick={() => setDialog('rename')}>Rename</Button>
      <Button color="red" variant="light" onClick={() => setDialog('delete')}>Delete host</Button>
    </>
  ) : undefined;

  return (
    <Page title={host.friendly_name} description={<HostHeader host={host} now={now} />} actions={actions}>
      <Tabs value={tab} onChange={select} keepMounted={false}>
        <Tabs.List aria-label="Host sections">
          {tabs.map(({ value, label }) => (
            <Tabs.Tab key={value} value={value}
              rightSection={value === 'packages' ? <Badge size="sm" variant="light" color="gray">{formatCount(host.packages_count)}</Badge> : undefined}
            >
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md"><OverviewTab host={host} now={now} /></Tabs.Panel>
        <Tabs.Panel value="network" pt="md"><NetworkTab host={host} /></Tabs.Panel>
        <Tabs.Panel value="packages" pt="md"><PackagesTab host={host} /></Tabs.Panel>
        {tab === 'patching' ? <Tabs.Panel value="patching" pt="md"><PatchingTab host={host} /></Tabs.Panel> : null}
        <Tabs.Panel value="repositories" pt="md"><RepositoriesTab host={host} /></Tabs.Panel>
        <Tabs.Panel value="reports" pt="md"><ReportsTab host={host} now={now} /></Tabs.Panel>
        <Tabs.Panel value="agent" pt="md"><AgentTab host={host} now={now} /></Tabs.Panel>
        <Tabs.Panel value="credentials" pt="md"><CredentialsTab host={host} /></Tabs.Panel>
      </Tabs>
      {canManage ? (
        <>
          <RenameHostModal host={host} opened={dialog === 'rename'} onClose={() => setDialog(null)} />
          <DeleteHostModal host={host} opened={dialog === 'delete'} onClose={() => setDialog(null)} />
        </>
      ) : null}
    </Page>
  );
}

export function HostDetail() {
  const { hostId = '' } = useParams();
  const host = useQuery({
    queryKey: hostKeys.detail(hostId),
    queryFn: ({ signal }) => hostsApi.get(hostId, signal),
    refetchInterval: DETAIL_POLL_MS,
    staleTime: 0,
  });
  if (host.data) return <Loaded host={host.data} />;
  if (host.error instanceof ApiError && host.error.status === 404) {
    return (
      <Page title="Host not found">
        <EmptyState title="Host not found" description="It may have been deleted, or the link is wrong."
          action={<Anchor component={Link} to="/hosts">Back to the host list</Anchor>}
        />
      </Page>
    );
  }
  return (
    <Page title="Host">
      {host.error ? <ErrorState error={host.error} title="Could not load the host" onRetry={() => void host.refetch()} />
        : <LoadingState label="Loading host…" />}
    </Page>
  );
}
