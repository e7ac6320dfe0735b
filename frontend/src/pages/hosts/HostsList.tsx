/**
 * The Hosts list (Admin Guide ch. 3 and C5.4–C5.10): server-sorted, cursor-paged, filtered from the URL, polled every
 * 30 s (paused while the browser tab is hidden) so a host coming online or reporting shows up without a reload.
 */
import { Anchor, Badge, Button, Checkbox, Group, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { hostKeys, hostsApi, type Host } from '../../api/hosts';
import { hostHref } from '../../api/inventory';
import { useCan } from '../../auth/useSession';
import { DataTable, type Column } from '../../components/DataTable';
import { formatCount } from '../../components/format';
import { Page } from '../../components/Page';
import { EmptyState } from '../../components/states';
import { useCursorQuery } from '../../components/useCursorQuery';
import { AddHostWizard } from './AddHostWizard';
import { BulkToolbar } from './BulkActions';
import type { Selection } from './bulk';
import { InlineGroupsEditor } from './GroupsEditor';
import { groupsById, useHostGroups, useNow } from './hooks';
import { HostFiltersBar } from './HostFilters';
import {
  clearFilters, filtersFromParams, hasFilters, hostListQuery, isStale, osLabel, sortFromParams, withFilters,
  type HostFilters,
} from './logic';
import { ConnectionBadge, GroupChips, RelativeTime, StatusBadge } from './parts';

const LIST_POLL_MS = 30_000;
/** While a host on the page waits for its agent's first report, the list looks again sooner. */
const PENDING_POLL_MS = 5_000;
const PAGE_SIZE = 50;
const NOWRAP = { whiteSpace: 'nowrap' } as const;

export function HostsList() {
  const canManage = useCan('can_manage_hosts');
  const [params, setParams] = useSearchParams();
  const [adding, { open: openWizard, close: closeWizard }] = useDisclosure(false);
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const sort = useMemo(() => sortFromParams(params), [params]);
  const query = hostListQuery(filters, sort);
  const { query: hosts, pagination } = useCursorQuery({
    queryKey: hostKeys.list(query),
    fetchPage: (cursor, signal) => hostsApi.list({ ...query, cursor, limit: PAGE_SIZE }, signal),
    refetchInterval: (page) => (page?.hosts.some((h) => h.status === 'pending') ? PENDING_POLL_MS : LIST_POLL_MS),
    staleTime: 0, // hosts change without the user doing anything (reports, connections): fresh on every visit
  });
  const groups = useHostGroups();
  const byId = groupsById(groups.data);
  const now = useNow();

  // The selection belongs to one list: a new filter or order starts it again.
  const listKey = JSON.stringify(query);
  const [selection, setSelection] = useState<{ key: string; hosts: Selection }>({ key: listKey, hosts: new Map() });
  if (selection.key !== listKey) setSelection({ key: listKey, hosts: new Map() });
  const selected = selection.hosts;
  const toggle = (host: Host, on: boolean) => setSelection((s) => {
    const next = new Map(s.hosts);
    if (on) next.set(host.host_id, { name: host.friendly_name, connected: host.connected });
    else next.delete(host.host_id);
    return { ...s, hosts: next };
  });

  const update = (changes: Partial<HostFilters>) => setParams((p) => withFilters(p, changes), { replace: true });
  const rows = hosts.data ? (filters.hide_stale ? hosts.data.hosts.filter((h) => !isStale(h, now)) : hosts.data.hosts) : undefined;
  const allTicked = rows !== undefined && rows.length > 0 && rows.every((h) => selected.has(h.host_id));
  const someTicked = Boolean(rows?.some((h) => selected.has(h.host_id)));

  const columns: Column<Host>[] = [
    ...(canManage ? [{
      key: 'select', header: 'Select', width: 56,
      cell: (h: Host) => <Checkbox aria-label={`Select ${h.friendly_name}`} checked={selected.has(h.host_id)} onChange={(e) => toggle(h, e.currentTarget.checked)} />,
    }] : []),
    { key: 'friendly_name', header: 'Name', sortable: true,
      cell: (h) => <Anchor component={Link} to={hostHref(h.host_id)} fw={600} style={NOWRAP}>{h.friendly_name}</Anchor> },
    { key: 'hostname', header: 'Hostname / IP', sortable: true, cell: (h) => (
      <Stack gap={0}>
        <Text size="sm" style={NOWRAP}>{h.hostname || '—'}</Text>
        {h.ip ? <Text size="xs" c="dimmed">{h.ip}</Text> : null}
      </Stack>
    ) },
    { key: 'os', header: 'OS', sortable: true, cell: (h) => <Text span size="sm" c={osLabel(h) ? undefined : 'dimmed'} style={NOWRAP}>{osLabel(h) || 'Not reported'}</Text> },
    { key: 'status', header: 'Status', sortable: true, cell: (h) => <StatusBadge status={h.status} /> },
    { key: 'connection', header: 'Connection', cell: (h) => <ConnectionBadge host={h} /> },
    { key: 'groups', header: 'Groups', cell: (h) => (
      <Group gap={4} wrap="nowrap">
        <GroupChips ids={h.group_ids} groups={byId} />
        {canManage ? <InlineGroupsEditor hostId={h.host_id} hostName={h.friendly_name} current={h.group_ids ?? []} groups={groups.data} /> : null}
      </Group>
    ) },
    { key: 'updates_count', header: 'Updates', sortable: true, align: 'right', cell: (h) => formatCount(h.updates_count) },
    { key: 'security_count', header: 'Security', sortable: true, align: 'right', cell: (h) => (
      h.security_count ? <Badge color="red" variant="light" miw="max-content">{formatCount(h.security_count)}</Badge> : '0'
    ) },
    { key: 'needs_reboot', header: 'Reboot', cell: (h) => (
      h.needs_reboot ? <Badge color="orange" variant="light" title={h.reboot_reason || undefined} miw="max-content">Required</Badge> : <Text span size="sm" c="dimmed">No</Text>
    ) },
    { key: 'last_report_at', header: 'Last report', sortable: true, cell: (h) => <Text span size="sm" style={NOWRAP}><RelativeTime iso={h.last_report_at} now={now} /></Text> },
    { key: 'agent_version', header: 'Agent', cell: (h) => h.agent_version || <Text span size="sm" c="dimmed">—</Text> },
  ];

  const filtered = hasFilters(filters);
  const empty = filtered ? (
    <EmptyState title="No hosts match these filters" action={<Button variant="default" onClick={() => setParams((p) => clearFilters(p))}>Clear filters</Button>} />
  ) : (
    <EmptyState title="No hosts yet" description="Add your first host: you get a one-line command that installs the agent on it."
      action={canManage ? <Button onClick={openWizard}>Add your first host</Button> : undefined}
    />
  );

  return (
    <Page title="Hosts" actions={canManage ? <Button onClick={openWizard}>Add host</Button> : undefined}>
      <HostFiltersBar filters={filters} groups={groups.data} onChange={update} onClear={() => setParams((p) => clearFilters(p), { replace: true })} />
      {canManage && rows && rows.length > 0 ? (
        <Group gap="md" wrap="wrap">
          <Checkbox label="Select all on this page" checked={allTicked} indeterminate={someTicked && !allTicked}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setSelection((s) => {
                const next = new Map(s.hosts);
                for (const h of rows) {
                  if (on) next.set(h.host_id, { name: h.friendly_name, connected: h.connected });
                  else next.delete(h.host_id);
                }
                return { ...s, hosts: next };
              });
            }}
          />
        </Group>
      ) : null}
      {canManage && selected.size > 0 ? (
        <BulkToolbar selection={selected} groups={groups.data} onClear={() => setSelection((s) => ({ ...s, hosts: new Map() }))} />
      ) : null}
      <DataTable caption="Hosts" columns={columns} rows={rows} rowKey={(h) => h.host_id}
        sort={sort} onSortChange={(next) => setParams((p) => withFilters(p, { sort: next }), { replace: true })}
        pagination={pagination} fetching={hosts.isPlaceholderData} error={hosts.error} onRetry={() => void hosts.refetch()} empty={empty}
      />
      {canManage ? <AddHostWizard opened={adding} onClose={closeWizard} /> : null}
    </Page>
  );
}
