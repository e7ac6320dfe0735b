/**
 * Settings → Audit log: security-relevant events newest first (GET /audit-log), filtered by action, outcome, user
 * and dates kept in the URL, with each event's full record a click away.
 */
import { Alert, Badge, Button, Code, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { auditApi, auditKeys, type AuditEvent, type AuditUser } from '../../../api/audit';
import { userListQuery } from '../../../api/users';
import { useCan } from '../../../auth/useSession';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatDateTime } from '../../../components/format';
import { EmptyState } from '../../../components/states';
import { useCursorQuery } from '../../../components/useCursorQuery';
import { SectionHeader } from '../shared/SectionHeader';
import {
  actionLabel, actionOptions, actorLabel, eventDetails, filtersFromParams, hasFilters, invalidRange, nameWithUsername, NO_FILTERS, paramsWithFilters, targetLabel,
  toAuditQuery, type AuditFilters,
} from './filters';

const OUTCOMES = [{ value: 'success', label: 'Success' }, { value: 'failure', label: 'Failure' }];

export default function AuditLogSettings() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const query = toAuditQuery(filters);
  const badRange = invalidRange(filters);
  const canListUsers = useCan('can_view_users');
  // The Users page's query: one cache for both pages.
  const users = useQuery({ ...userListQuery, enabled: canListUsers, staleTime: 60_000 });
  const usersById = useMemo(() => new Map<string, AuditUser>((users.data ?? []).map((u) => [u.id, u])), [users.data]);
  const { query: events, pagination } = useCursorQuery({
    queryKey: auditKeys.events(query),
    fetchPage: (cursor, signal) => auditApi.fetchPage(query, cursor, signal),
    enabled: !badRange,
  });
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());

  const setFilter = (name: keyof AuditFilters, value: string) => setParams(paramsWithFilters(params, { ...filters, [name]: value }), { replace: true });
  const toggle = (id: string) => setExpanded((open) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });

  const columns: Column<AuditEvent>[] = [
    { key: 'at', header: 'Time', nowrap: true, cell: (e) => <Text size="sm" component="time" dateTime={e.at}>{formatDateTime(e.at, { seconds: true })}</Text> },
    { key: 'actor', header: 'Actor', cell: (e) => <Text size="sm">{actorLabel(e.actor, usersById)}</Text> },
    { key: 'action', header: 'Action', cell: (e) => <Text size="sm" title={e.action}>{actionLabel(e.action)}</Text> },
    { key: 'target', header: 'Target', cell: (e) => <Text size="sm" style={{ overflowWrap: 'break-word' }}>{targetLabel(e, usersById)}</Text> },
    { key: 'ip', header: 'IP address', cell: (e) => <Text size="sm" ff="monospace">{e.source_ip || '—'}</Text> },
    {
      key: 'outcome', header: 'Outcome', cell: (e) => (
        <Badge variant="light" miw="max-content" color={e.outcome === 'success' ? 'green' : e.outcome === 'failure' ? 'red' : 'gray'}>{e.outcome}</Badge>
      ),
    },
    {
      key: 'details', header: 'Details', cell: (e) => {
        const open = expanded.has(e.event_id);
        const panel = `audit-details-${e.event_id}`;
        return (
          <Stack gap={4} align="flex-start">
            <Button size="compact-xs" variant="subtle" aria-expanded={open} aria-controls={panel} onClick={() => toggle(e.event_id)}
              aria-label={`${open ? 'Hide' : 'Show'} details of ${actionLabel(e.action)} at ${formatDateTime(e.at, { seconds: true })}`}
            >
              {open ? 'Hide details' : 'Show details'}
            </Button>
            {open ? <Code block id={panel} maw={480} style={{ overflowX: 'auto' }}>{eventDetails(e)}</Code> : null}
          </Stack>
        );
      },
    },
  ];

  const filtered = hasFilters(filters);
  return (
    <Stack gap="md">
      <SectionHeader title="Audit log"
        description="Sign-ins, two-factor changes, sessions, users, roles, settings and hosts: who did what, from where and when. Events are kept for a year."
      />
      <Stack gap="xs" component="section" aria-label="Audit log filters">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm">
          <Select label="Action" placeholder="Any action" data={actionOptions(filters.action)} value={filters.action || null} searchable clearable
            onChange={(value) => setFilter('action', value ?? '')}
          />
          <Select label="Outcome" placeholder="Any outcome" data={OUTCOMES} value={filters.outcome || null} clearable
            onChange={(value) => setFilter('outcome', value ?? '')}
          />
          {users.data ? (
            <Select label="User" placeholder="Anyone" searchable clearable value={filters.user || null} onChange={(value) => setFilter('user', value ?? '')}
              data={[...users.data.map((u) => ({ value: u.id, label: nameWithUsername(u) })),
                ...(filters.user && !usersById.has(filters.user) ? [{ value: filters.user, label: filters.user }] : [])]}
            />
          ) : (
            <UserIdFilter key={filters.user} value={filters.user} onApply={(value) => setFilter('user', value)} />
          )}
          <TextInput label="From" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => setFilter('from', e.currentTarget.value)} />
          <TextInput label="To" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => setFilter('to', e.currentTarget.value)}
            error={badRange ? 'Choose a date on or after "From"' : undefined}
          />
        </SimpleGrid>
        {filtered ? (
          <Group>
            <Button variant="default" size="xs" onClick={() => setParams(paramsWithFilters(params, NO_FILTERS), { replace: true })}>
              Clear filters
            </Button>
          </Group>
        ) : null}
        <Text size="xs" c="dimmed">Dates are whole days in your time zone. The user filter matches actions people took while signed in.</Text>
      </Stack>
      {badRange ? (
        <Alert color="yellow" variant="light">The end date is before the start date, so no event can match.</Alert>
      ) : (
        <DataTable
          caption="Audit events"
          columns={columns}
          rows={events.data?.events}
          rowKey={(e) => e.event_id}
          pagination={pagination}
          fetching={events.isPlaceholderData}
          error={events.error}
          onRetry={() => void events.refetch()}
          loadingLabel="Loading audit events…"
          empty={filtered
            ? <EmptyState title="No matching events" description="No event matches these filters. Change or clear them." />
            : <EmptyState title="No events yet" description="Sign-ins and changes to users, roles and settings appear here." />}
        />
      )}
    </Stack>
  );
}

/** The user filter for those who cannot list users: a user ID, applied on Enter or when leaving the field. */
function UserIdFilter({ value, onApply }: { value: string; onApply: (value: string) => void }) {
  const [draft, setDraft] = useState(value);
  const apply = () => {
    if (draft.trim() !== value) onApply(draft.trim());
  };
  return (
    <TextInput label="User ID" placeholder="Anyone" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} onBlur={apply}
      onKeyDown={(e) => {
        if (e.key === 'Enter') apply();
      }}
    />
  );
}
