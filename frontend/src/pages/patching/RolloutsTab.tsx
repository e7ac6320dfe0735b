/**
 * Patching → Rollouts (module `patching_policies`): the latest rollouts (GET /patching/rollouts, newest first), each
 * with where it came from (a trigger, a maintenance window), its status, its progress and limits, and a link to its
 * page. Polled every 30 s, every 10 s while one of them is running.
 */
import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { patchingApi, patchingKeys, type Rollout } from '../../api/patching';
import { UpgradeRequired } from '../../auth/guards';
import { DataTable, type Column } from '../../components/DataTable';
import { formatDateTime, plural } from '../../components/format';
import { isModuleUnavailable } from '../../components/patching/logic';
import { endedCount, rolloutHref, rolloutLimits, rolloutSource } from '../../components/patching/rollout';
import { EmptyState } from '../../components/states';
import { RolloutProgress, RolloutStatusBadge } from './RolloutProgress';

const LIST_POLL_MS = 30_000;
const BUSY_POLL_MS = 10_000;

function Limits({ rollout }: { rollout: Rollout }) {
  const limits = rolloutLimits(rollout);
  return (
    <Stack gap={0}>
      <Text size="sm">{limits.concurrency}</Text>
      <Text size="xs" c="dimmed">{limits.errors}</Text>
      {rollout.rings.length > 1 ? (
        <Text size="xs" c="dimmed">First ring of {plural(rollout.rings[0]?.size ?? 0, 'host')}, {rollout.ring_success_threshold}% to go on</Text>
      ) : null}
    </Stack>
  );
}

export function RolloutsTab() {
  const rollouts = useQuery({
    queryKey: patchingKeys.rollouts,
    queryFn: ({ signal }) => patchingApi.rollouts(signal),
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'running') ? BUSY_POLL_MS : LIST_POLL_MS),
    staleTime: 0,
  });
  if (isModuleUnavailable(rollouts.error)) return <UpgradeRequired module="patching_policies" feature="Rollouts" />;

  const columns: Column<Rollout>[] = [
    {
      key: 'source', header: 'Rollout', cell: (r) => (
        <Stack gap={0}>
          <Anchor component={Link} to={rolloutHref(r.id)} fw={600} size="sm">{rolloutSource(r)}</Anchor>
          <Text size="xs" c="dimmed">{plural(r.total, 'host')}</Text>
        </Stack>
      ),
    },
    { key: 'status', header: 'Status', cell: (r) => <RolloutStatusBadge status={r.status} /> },
    {
      key: 'progress', header: 'Progress', width: 240, cell: (r) => (
        <Stack gap={4}>
          <RolloutProgress counts={r} label={`Progress of the rollout ${rolloutSource(r)}, ${formatDateTime(r.created_at)}`} size="sm" legend={false} />
          <Text size="xs" c="dimmed">
            {endedCount(r)} of {r.total} ended · {r.succeeded} succeeded · {r.failed} failed{r.cancelled ? ` · ${r.cancelled} cancelled` : ''}
            {r.in_flight ? ` · ${r.in_flight} in flight` : ''}{r.waiting ? ` · ${r.waiting} waiting` : ''}
          </Text>
        </Stack>
      ),
    },
    { key: 'limits', header: 'Limits', width: 210, cell: (r) => <Limits rollout={r} /> },
    { key: 'created_at', header: 'Started', nowrap: true, cell: (r) => formatDateTime(r.created_at, { missing: '—' }) },
    { key: 'completed_at', header: 'Ended', nowrap: true, cell: (r) => formatDateTime(r.completed_at, { missing: '—' }) },
    { key: 'actions', header: 'Actions', cell: (r) => <Button size="compact-sm" variant="default" component={Link} to={rolloutHref(r.id)}>View</Button> },
  ];

  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed" maw={720}>
        A rollout starts the runs of one trigger, or of one maintenance window opening, a few hosts at a time: it stops after too many failures,
        and a first ring goes before the rest. The latest rollouts are listed here.
      </Text>
      <DataTable caption="Rollouts" columns={columns} rows={rollouts.data?.items} rowKey={(r) => r.id} error={rollouts.error}
        onRetry={() => void rollouts.refetch()} loadingLabel="Loading rollouts…" minWidth={900}
        empty={<EmptyState title="No rollouts yet" description={'Choose "Roll out gradually" when patching several hosts in the Patch Wizard, or in a maintenance window\'s policy.'} />}
      />
    </Stack>
  );
}
