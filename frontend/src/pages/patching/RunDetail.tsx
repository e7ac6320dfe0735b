/**
 * /patching/runs/:runId (C9.8, C11.11–C11.19): the host as the page's heading, the run's type, status and post-patch
 * pill, its actions, a summary beside the state banners (with the packages its holds keep back, for a maintenance
 * window's run when the window closes, and for a rollout's run a link to its rollout), the error panel, the reboot panel
 * and the shell output. While the run can still
 * change, its output streams over the WebSocket (useRunStream) and the page polls as C11.13 says.
 */
import { Alert, Anchor, Box, Button, Grid, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { ApiError, errorMessage } from '../../api/errors';
import { hostHref } from '../../api/inventory';
import { patchingApi, patchingKeys, type PatchRunDetail } from '../../api/patching';
import { useCan, useHasModule } from '../../auth/useSession';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatDateTime, plural } from '../../components/format';
import { Page } from '../../components/Page';
import { LazyPatchWizard } from '../../components/patching/LazyPatchWizard';
import {
  extraDeps, isTerminal, rebootSummary, runHostName, runHref, runPollInterval, runsHref, runTypeLabel, scheduleLabel,
} from '../../components/patching/logic';
import { ExtraDepsPill, PostPatchPill, RebootPill, RolloutBadge, RunStatusBadge } from '../../components/patching/parts';
import { rolloutHref } from '../../components/patching/rollout';
import { approveSetup } from '../../components/patching/wizard';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useToast } from '../../components/useToast';
import { SmallTerminal, Terminal } from './Terminal';
import { useRunStream } from './useRunStream';

const BACK = <Anchor component={Link} to={runsHref()} size="sm">← Runs &amp; History</Anchor>;

export function RunDetail() {
  const { runId = '' } = useParams();
  // A new run (the validation and execution links) starts a new page: its own stream and state.
  return <RunView key={runId} runId={runId} />;
}

function RunView({ runId }: { runId: string }) {
  const queryClient = useQueryClient();
  const socketOpen = useRef(false);
  const run = useQuery({
    queryKey: patchingKeys.run(runId),
    queryFn: ({ signal }) => patchingApi.run(runId, signal),
    refetchInterval: (q) => runPollInterval(q.state.data, socketOpen.current),
    staleTime: 0,
  });
  const following = Boolean(run.data && !isTerminal(run.data.status));
  const stream = useRunStream(runId, following, () => void queryClient.invalidateQueries({ queryKey: patchingKeys.run(runId) }));
  useEffect(() => {
    socketOpen.current = stream.open;
  }, [stream.open]);

  if (run.data) return <Loaded run={run.data} updatedAt={run.dataUpdatedAt} stream={stream} />;
  if (run.error instanceof ApiError && run.error.status === 404) {
    return (
      <Page title="Patch run not found" description={BACK}>
        <EmptyState title="Patch run not found" description="It may have been deleted, or the link is wrong."
          action={<Button component={Link} to={runsHref()} variant="default">Back to Runs &amp; History</Button>}
        />
      </Page>
    );
  }
  return (
    <Page title="Patch run" description={BACK}>
      {run.error ? <ErrorState error={run.error} title="Could not load the patch run" onRetry={() => void run.refetch()} /> : <LoadingState label="Loading patch run…" />}
    </Page>
  );
}

interface Fact {
  label: string;
  value: ReactNode;
}

function Facts({ facts }: { facts: Fact[] }) {
  return (
    <Box component="dl" m={0} style={{ display: 'grid', gridTemplateColumns: 'minmax(7rem, max-content) 1fr', columnGap: 12, rowGap: 6 }}>
      {facts.filter((f) => f.value !== null && f.value !== undefined && f.value !== '').map((fact) => (
        <div key={fact.label} style={{ display: 'contents' }}>
          <Text component="dt" size="sm" c="dimmed">{fact.label}</Text>
          <Box component="dd" m={0} fz="sm" style={{ overflowWrap: 'anywhere' }}>{fact.value}</Box>
        </div>
      ))}
    </Box>
  );
}

function Summary({ run, rollouts }: { run: PatchRunDetail; rollouts: boolean }) {
  const extra = extraDeps(run.package_names, run.packages_affected);
  const snapshot = run.policy_snapshot;
  const facts: Fact[] = [
    { label: 'Host', value: run.host.exists ? <Anchor component={Link} to={hostHref(run.host_id)} inherit>{runHostName(run)}</Anchor> : `${runHostName(run)} (deleted)` },
    { label: 'Type', value: run.patch_type === 'patch_all' ? 'Patch all' : 'Patch packages' },
    { label: 'Packages', value: run.patch_type === 'patch_package' ? run.package_names.join(', ') : null },
    { label: 'Held back', value: run.exclude_packages?.length ? run.exclude_packages.join(', ') : null },
    { label: 'Dry run', value: run.dry_run ? 'Yes (nothing is changed)' : null },
    { label: 'Initiated by', value: run.initiated_by ?? 'Automation' },
    { label: 'Approved by', value: run.approved_by },
    { label: 'Created', value: formatDateTime(run.created_at) },
    { label: 'Scheduled for', value: formatDateTime(run.scheduled_at) },
    { label: 'Started', value: formatDateTime(run.started_at) },
    { label: 'Completed', value: formatDateTime(run.completed_at) },
    { label: 'Stopped by', value: run.cancelled_by },
    { label: 'Validation run', value: run.validation_run_id ? <Anchor component={Link} to={runHref(run.validation_run_id)} inherit>View the validation run</Anchor> : null },
    { label: 'Execution run', value: run.execution_run_id ? <Anchor component={Link} to={runHref(run.execution_run_id)} inherit>View the execution run</Anchor> : null },
    { label: 'Rollout', value: rollouts && run.rollout_id ? <Anchor component={Link} to={rolloutHref(run.rollout_id)} inherit>View the rollout</Anchor> : null },
    {
      label: 'Policy', value: run.policy_name || snapshot?.name ? (
        <>
          {snapshot?.name ?? run.policy_name}
          {snapshot ? <Text span size="xs" c="dimmed"> · {scheduleLabel(snapshot)}</Text> : null}
          {run.schedule_override === 'immediate' ? <Text span size="xs" c="dimmed"> · run immediately (override)</Text> : null}
        </>
      ) : null,
    },
  ];
  return (
    <Paper withBorder p="md" radius="md" component="aside" aria-labelledby="run-summary-heading">
      <Stack gap="sm">
        <Title order={2} size="h5" id="run-summary-heading">Run summary</Title>
        <Facts facts={facts} />
        {run.not_after ? <Text size="sm" data-testid="window-closes">Maintenance window closes at {formatDateTime(run.not_after)}</Text> : null}
        {run.packages_affected && run.packages_affected.length > 0 ? (
          <Stack gap={4}>
            <Text size="sm" fw={600}>Packages affected ({run.packages_affected.length})</Text>
            <List size="sm" spacing={2} aria-label="Packages affected">
              {run.packages_affected.map((p) => (
                <List.Item key={p.name}>
                  {p.name}{p.version ? ` ${p.version}` : ''}{p.action ? <Text span size="xs" c="dimmed"> ({p.action})</Text> : null}
                  {extra.has(p.name) ? <Text span size="xs" c="orange.8" fw={600}> extra dep</Text> : null}
                </List.Item>
              ))}
            </List>
          </Stack>
        ) : null}
      </Stack>
    </Paper>
  );
}

/** What the run decided about rebooting its host, and (once it is back) the kernels and the after-reboot hooks. */
function RebootPanel({ run }: { run: PatchRunDetail }) {
  if (!run.reboot && !run.post_reboot_output && !run.post_reboot_error) return null;
  const summary = rebootSummary(run.reboot ?? {});
  return (
    <Alert color={summary.color} variant="light" title={summary.title} role="region" data-testid="reboot-panel">
      <Stack gap={6}>
        {summary.details.map((line) => <Text key={line} size="sm">{line}</Text>)}
        {run.post_reboot_error ? (
          <Alert color="red" variant="light" title="After-reboot hooks failed" role="alert" p="xs">{run.post_reboot_error}</Alert>
        ) : null}
        {run.post_reboot_output ? (
          <Stack gap={4}>
            <Text size="sm" fw={600}>After-reboot hooks output</Text>
            <SmallTerminal output={run.post_reboot_output} label="After-reboot hooks output" testId="post-reboot-output" />
          </Stack>
        ) : null}
      </Stack>
    </Alert>
  );
}

function StateBanner({ run, status, rollouts }: { run: PatchRunDetail; status: string; rollouts: boolean }) {
  switch (status) {
    case 'waiting':
      return (
        <Alert color="violet" variant="light" title="Waiting for its rollout.">
          It starts as soon as its rollout gives it a slot: the rollout runs a few hosts at a time, and a first ring before the rest.
          {rollouts && run.rollout_id ? <> <Anchor component={Link} to={rolloutHref(run.rollout_id)} inherit>View the rollout</Anchor>.</> : null}
        </Alert>
      );
    case 'pending_validation':
      return <Alert color="yellow" variant="light" title="Validation pending. Host may be offline.">The dry run is sent when the host's agent connects. Retry it, or skip it and patch.</Alert>;
    case 'pending_approval':
      return <Alert color="grape" variant="light" title="Awaiting approval.">A person with patching rights approves it before it runs.</Alert>;
    case 'validated': {
      const count = run.extra_deps_count;
      return (
        <Alert color="cyan" variant="light" title="Validation complete. Approval required.">
          {count > 0 ? `${plural(count, 'extra dependency', 'extra dependencies')} would be installed too; see Packages affected.` : 'The dry run found nothing beyond the packages asked for.'}
        </Alert>
      );
    }
    case 'scheduled':
      return <Alert color="indigo" variant="light" title="Scheduled.">It runs {run.scheduled_at ? `at ${formatDateTime(run.scheduled_at)}` : 'when its policy says'}.</Alert>;
    default:
      return null;
  }
}

function Loaded({ run, updatedAt, stream }: { run: PatchRunDetail; updatedAt: number; stream: ReturnType<typeof useRunStream> }) {
  const canManage = useCan('can_manage_patching');
  const rollouts = useHasModule('patching_policies');
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<'stop' | 'delete' | 'approve' | null>(null);
  const live = stream.state;
  // The stream's word wins over an older poll; a newer poll wins over the stream.
  const status = live.stage && live.stageAt > updatedAt ? live.stage : run.status;
  const output = live.live && !isTerminal(run.status) && live.seq >= run.output_seq ? live.output : run.shell_output;
  const errorText = live.errorMessage && live.stageAt > updatedAt ? live.errorMessage : run.error_message;
  const refresh = () => queryClient.invalidateQueries({ queryKey: patchingKeys.all });

  const retry = useMutation({
    mutationFn: () => patchingApi.retryValidation(run.id),
    onSuccess: () => {
      toast.show({ tone: 'success', message: 'Dry run sent again' });
      void refresh();
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Not retried', message: errorMessage(error) }),
  });
  const stop = useMutation({
    mutationFn: () => patchingApi.stop(run.id),
    onSuccess: () => {
      toast.show({ tone: 'success', message: 'Stop sent to the agent' });
      setDialog(null);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => patchingApi.remove(run.id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: patchingKeys.run(run.id) });
      void queryClient.invalidateQueries({ queryKey: patchingKeys.runLists });
      void queryClient.invalidateQueries({ queryKey: patchingKeys.dashboard });
      toast.show({ tone: 'success', message: 'Patch run deleted' });
      void navigate(runsHref());
    },
  });
  const stopError = stop.error instanceof ApiError && stop.error.code === 'agent_not_connected' ? 'Agent is not currently connected' : stop.error ? errorMessage(stop.error) : null;

  const actions = canManage ? (
    <>
      {status === 'validated' || status === 'pending_approval' ? <Button onClick={() => setDialog('approve')}>Approve</Button> : null}
      {status === 'pending_validation' && run.patch_type === 'patch_package' ? (
        <Button variant="default" loading={retry.isPending} onClick={() => retry.mutate()}>Retry validation</Button>
      ) : null}
      {status === 'pending_validation' ? <Button color="orange" onClick={() => setDialog('approve')}>Skip &amp; patch</Button> : null}
      {status === 'running' ? <Button color="orange" variant="light" onClick={() => setDialog('stop')}>Stop run</Button> : null}
      {run.deletable && status === run.status ? <Button color="red" variant="light" onClick={() => setDialog('delete')}>Delete</Button> : null}
    </>
  ) : undefined;

  const subtitle = (
    <Stack gap={6}>
      {BACK}
      <Group gap="xs" wrap="wrap">
        <Text size="sm">{runTypeLabel(run, 5)}{run.dry_run ? ' (dry run)' : ''}</Text>
        <RunStatusBadge status={status} testId="run-status" />
        <ExtraDepsPill count={run.extra_deps_count} />
        <PostPatchPill state={run.post_patch} />
        <RebootPill reboot={run.reboot} />
        {rollouts ? <RolloutBadge rolloutId={run.rollout_id} /> : null}
      </Group>
    </Stack>
  );

  const waiting = !isTerminal(status) && status !== 'running';
  return (
    <Page title={runHostName(run)} description={subtitle} actions={actions}>
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Summary run={run} rollouts={rollouts} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            <StateBanner run={run} status={status} rollouts={rollouts} />
            {errorText ? <Alert color="red" variant="light" title="Error">{errorText}</Alert> : null}
            <RebootPanel run={run} />
            {live.failure ? <Text size="sm" c="dimmed">Live output is not available ({live.failure}); the page refreshes every few seconds instead.</Text> : null}
            <Terminal output={output} placeholder={waiting ? '(No output yet)' : '(No output)'} copyable={status !== 'running' && status !== 'queued'}
              live={stream.open}
            />
            {run.output_truncated ? <Text size="xs" c="dimmed">The output was longer than the server keeps; its end is shown.</Text> : null}
          </Stack>
        </Grid.Col>
      </Grid>
      {canManage ? (
        <>
          <LazyPatchWizard opened={dialog === 'approve'} onClose={() => setDialog(null)} setup={approveSetup([run])} />
          <ConfirmDialog opened={dialog === 'stop'} onClose={() => { setDialog(null); stop.reset(); }} title="Stop this run?" confirmLabel="Stop run" color="orange"
            loading={stop.isPending} onConfirm={() => stop.mutate()} error={stopError}
          >
            The agent interrupts the package manager. Partially-installed packages may leave the host in an intermediate state.
          </ConfirmDialog>
          <ConfirmDialog opened={dialog === 'delete'} onClose={() => { setDialog(null); remove.reset(); }} title="Delete this patch run?" confirmLabel="Delete run"
            loading={remove.isPending} onConfirm={() => remove.mutate()} error={remove.error ? errorMessage(remove.error) : null}
          >
            The run is deleted with its schedule: it will not run. This cannot be undone.
          </ConfirmDialog>
        </>
      ) : null}
    </Page>
  );
}
