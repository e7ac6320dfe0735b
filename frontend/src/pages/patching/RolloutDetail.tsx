/**
 * /patching/rollouts/:rolloutId (module `patching_policies`): a rollout's progress (succeeded, failed, cancelled, in
 * flight, waiting), its limits, its rings with the first ring's success rate against the threshold, why it stopped, and
 * its runs (GET /patching/runs?rollout_id=). Polled every 5 s while running. Writers stop it as one unit.
 */
import { Alert, Anchor, Box, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';

import { ApiError, errorMessage } from '../../api/errors';
import { patchingApi, patchingKeys, type Rollout } from '../../api/patching';
import { UpgradeRequired } from '../../auth/guards';
import { useCan, useHasModule } from '../../auth/useSession';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatDateTime, plural } from '../../components/format';
import { Page } from '../../components/Page';
import { BUSY_STATUSES, isModuleUnavailable } from '../../components/patching/logic';
import {
  endedCount, ringCounts, ringName, ringState, ringSuccessRate, ROLLOUT_POLL_MS, rolloutLimits, rolloutPollInterval, ROLLOUTS_HREF, rolloutSource,
  stopReasonSentence, stopResultMessage,
} from '../../components/patching/rollout';
import { RunsTable } from '../../components/patching/RunsTable';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useCursorQuery } from '../../components/useCursorQuery';
import { useToast } from '../../components/useToast';
import { RolloutProgress, RolloutStatusBadge } from './RolloutProgress';

const BACK = <Anchor component={Link} to={ROLLOUTS_HREF} size="sm">← Rollouts</Anchor>;
const RUNS_PAGE = 50;

export function RolloutDetail() {
  const { rolloutId = '' } = useParams();
  const available = useHasModule('patching_policies');
  if (!available) {
    return (
      <Page title="Rollout">
        <UpgradeRequired module="patching_policies" feature="Rollouts" />
      </Page>
    );
  }
  return <RolloutView key={rolloutId} rolloutId={rolloutId} />;
}

function RolloutView({ rolloutId }: { rolloutId: string }) {
  const rollout = useQuery({
    queryKey: patchingKeys.rollout(rolloutId),
    queryFn: ({ signal }) => patchingApi.rollout(rolloutId, signal),
    refetchInterval: (q) => rolloutPollInterval(q.state.data),
    staleTime: 0,
  });
  if (rollout.data) return <Loaded rollout={rollout.data} />;
  if (rollout.error instanceof ApiError && rollout.error.status === 404) {
    return (
      <Page title="Rollout not found" description={BACK}>
        <EmptyState title="Rollout not found" description="The link may be wrong."
          action={<Button component={Link} to={ROLLOUTS_HREF} variant="default">Back to Rollouts</Button>}
        />
      </Page>
    );
  }
  if (isModuleUnavailable(rollout.error)) {
    return (
      <Page title="Rollout">
        <UpgradeRequired module="patching_policies" feature="Rollouts" />
      </Page>
    );
  }
  return (
    <Page title="Rollout" description={BACK}>
      {rollout.error ? <ErrorState error={rollout.error} title="Could not load the rollout" onRetry={() => void rollout.refetch()} /> : <LoadingState label="Loading rollout…" />}
    </Page>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed">{label}</Text>
      <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }}>{children}</Text>
    </div>
  );
}

function Rings({ rollout }: { rollout: Rollout }) {
  if (rollout.rings.length < 2) {
    return <Text size="sm" c="dimmed">No first ring: the hosts start in order as slots free.</Text>;
  }
  return (
    <Stack gap="sm">
      <Text size="sm" data-testid="ring-threshold">
        The rest start when every first-ring run has ended and at least <b>{rollout.ring_success_threshold}%</b> of the first ring&apos;s hosts succeeded;
        below that the rollout stops.
      </Text>
      {rollout.rings.map((ring, index) => {
        const name = ringName(index, rollout.rings.length);
        const state = ringState(rollout, index);
        const rate = ringSuccessRate(ring);
        const ended = endedCount(ring);
        return (
          <Box key={name} data-testid={`ring-${index}`}>
            <Group gap="xs" justify="space-between" wrap="wrap" mb={4}>
              <Group gap="xs">
                <Text size="sm" fw={600}>{name}</Text>
                <Text size="sm" c="dimmed">{plural(ring.size, 'host')}</Text>
                {state ? <Text size="xs" c="dimmed">· {state}</Text> : null}
              </Group>
              <Text size="sm">
                {ring.succeeded} succeeded · {ring.failed} failed · {ring.cancelled} cancelled
                {index === 0 ? (
                  <>
                    {' · '}success rate <b>{rate}%</b> ({ended === ring.size ? '' : 'so far; '}needs {rollout.ring_success_threshold}%)
                  </>
                ) : null}
              </Text>
            </Group>
            <RolloutProgress counts={ringCounts(ring)} label={`${name} progress`} size="sm" legend={false} notStarted="Not ended" />
          </Box>
        );
      })}
    </Stack>
  );
}

function Loaded({ rollout }: { rollout: Rollout }) {
  const canManage = useCan('can_manage_patching');
  const toast = useToast();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const running = rollout.status === 'running';
  const query = { rollout_id: rollout.id };
  const { query: runs, pagination } = useCursorQuery({
    queryKey: patchingKeys.runs(query, RUNS_PAGE),
    fetchPage: (cursor, signal) => patchingApi.runs(query, cursor, RUNS_PAGE, signal),
    // While the rollout runs, and until its last runs have settled.
    refetchInterval: (page) => (running || page?.items.some((r) => BUSY_STATUSES.has(r.status)) ? ROLLOUT_POLL_MS : false),
    staleTime: 0,
  });
  const stop = useMutation({
    mutationFn: () => patchingApi.stopRollout(rollout.id),
    onSuccess: (result) => {
      queryClient.setQueryData(patchingKeys.rollout(rollout.id), result.rollout);
      toast.show({ tone: 'success', message: stopResultMessage(result) });
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: patchingKeys.runLists });
      void queryClient.invalidateQueries({ queryKey: patchingKeys.rollouts });
      void queryClient.invalidateQueries({ queryKey: patchingKeys.dashboard });
    },
  });
  const limits = rolloutLimits(rollout);
  const ended = endedCount(rollout);

  const subtitle = (
    <Stack gap={6}>
      {BACK}
      <Group gap="xs" wrap="wrap">
        <RolloutStatusBadge status={rollout.status} testId="rollout-status" />
        <Text size="sm">{rolloutSource(rollout)}</Text>
        <Text size="sm" c="dimmed">· started {formatDateTime(rollout.created_at, { missing: '—' })}</Text>
      </Group>
    </Stack>
  );
  const actions = canManage && running ? <Button color="orange" variant="light" onClick={() => setConfirming(true)}>Stop rollout</Button> : undefined;

  return (
    <Page title={`Rollout of ${plural(rollout.total, 'host')}`} description={subtitle} actions={actions}>
      <Stack gap="lg">
        {rollout.status === 'stopped' ? (
          <Alert color="orange" variant="light" title="Rollout stopped" data-testid="stop-reason">
            {stopReasonSentence(rollout.stop_reason ?? '')}. Runs that had not started were cancelled; runs already running went on to the end.
          </Alert>
        ) : null}
        {rollout.status === 'completed' ? (
          <Alert color="green" variant="light" title="Rollout completed">
            Every run of the rollout has ended{rollout.completed_at ? ` (${formatDateTime(rollout.completed_at)})` : ''}.
          </Alert>
        ) : null}

        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="rollout-progress-heading">
          <Stack gap="sm">
            <Group justify="space-between" wrap="wrap">
              <Title order={2} size="h5" id="rollout-progress-heading">Progress</Title>
              <Text size="sm" data-testid="rollout-ended">{ended} of {plural(rollout.total, 'run')} ended</Text>
            </Group>
            <RolloutProgress counts={rollout} label="Rollout progress" />
            <SimpleGrid component="dl" cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" verticalSpacing="xs" m={0}>
              <Fact label="At most at once">{limits.concurrency}</Fact>
              <Fact label="Failures">{limits.errors}</Fact>
              <Fact label="Started">{formatDateTime(rollout.created_at, { missing: '—' })}</Fact>
              <Fact label={rollout.status === 'stopped' ? 'Stopped' : 'Ended'}>{formatDateTime(rollout.completed_at, { missing: '—' })}</Fact>
            </SimpleGrid>
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="rollout-rings-heading">
          <Stack gap="sm">
            <Title order={2} size="h5" id="rollout-rings-heading">Rings</Title>
            <Rings rollout={rollout} />
          </Stack>
        </Paper>

        <Stack gap="xs" component="section" aria-labelledby="rollout-runs-heading">
          <Title order={2} size="h4" id="rollout-runs-heading">Runs</Title>
          <Text size="sm" c="dimmed">Runs not started yet are &quot;Waiting&quot;; they start, in order, as the limits allow.</Text>
          <RunsTable caption="Runs of this rollout" rows={runs.data?.items} pagination={pagination} fetching={runs.isPlaceholderData}
            error={runs.error} onRetry={() => void runs.refetch()} showRollouts={false}
            empty={<EmptyState title="No runs in this rollout" description="Its runs may have been deleted." />}
          />
        </Stack>
      </Stack>
      {canManage ? (
        <ConfirmDialog opened={confirming} onClose={() => { setConfirming(false); stop.reset(); }} title="Stop this rollout?" confirmLabel="Stop rollout"
          color="orange" loading={stop.isPending} onConfirm={() => stop.mutate()} error={stop.error ? errorMessage(stop.error) : null}
        >
          No more runs start: the waiting runs are cancelled, the queued ones deleted, and the running ones stopped on their hosts (a package manager
          interrupted may leave a host in an intermediate state). This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}
