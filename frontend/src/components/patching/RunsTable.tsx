/**
 * A table of patch runs with each row's actions (C11.3, C11.9): Runs & History, the Patching overview's latest runs
 * and a host's Patching tab. Approve and Skip & patch open the Patch Wizard in approve mode; Retry re-sends a dry run;
 * Delete asks first. Writers (can_manage_patching) only; everyone gets View. Below 768 px each run is a card with
 * full-width buttons (C11.4), with the same actions and checkboxes. A rollout's run links to its rollout ("Rollout").
 */
import { Anchor, Button, Card, Checkbox, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';

import { errorMessage } from '../../api/errors';
import { hostHref } from '../../api/inventory';
import { patchingApi, patchingKeys, type PatchRun } from '../../api/patching';
import { useCan, useHasModule } from '../../auth/useSession';
import { ConfirmDialog } from '../ConfirmDialog';
import { DataTable, type Column, type CursorPaginationControls } from '../DataTable';
import { formatDateTime } from '../format';
import { useToast } from '../useToast';
import { LazyPatchWizard } from './LazyPatchWizard';
import { bulkEligible, rowActions, runHostName, runHref, runTypeLabel, startedAt, type RunAction } from './logic';
import { ExtraDepsPill, RebootPill, RolloutBadge, RunStatusBadge } from './parts';
import { approveSetup, type WizardSetup } from './wizard';

const NOWRAP = { whiteSpace: 'nowrap' } as const;
const WRAP = { overflowWrap: 'anywhere' } as const;
/** Below 768 px (48em, as the shell's menu): cards instead of the table. */
export const NARROW_RUNS_QUERY = '(max-width: 47.99em)';

export interface RunSelection {
  selected: ReadonlySet<string>;
  onToggle: (run: PatchRun, on: boolean) => void;
}

interface RunsTableProps {
  caption: string;
  rows: PatchRun[] | undefined;
  pagination?: CursorPaginationControls;
  fetching?: boolean;
  error?: unknown;
  onRetry?: () => void;
  empty?: ReactNode;
  /** false on a host's own page. */
  showHost?: boolean;
  /** Checkboxes on the rows that can be deleted (Runs & History's bulk delete). */
  selection?: RunSelection | undefined;
  /** Checkboxes on the rows awaiting approval (Runs & History's bulk approve), a set of its own. */
  approveSelection?: RunSelection | undefined;
  /** false on a rollout's own page: no "Rollout" link on its runs. */
  showRollouts?: boolean;
}

function RetryButton({ run, fullWidth }: { run: PatchRun; fullWidth: boolean }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: () => patchingApi.retryValidation(run.id),
    onSuccess: () => {
      toast.show({ tone: 'success', message: `Dry run on ${runHostName(run)} sent again` });
      void queryClient.invalidateQueries({ queryKey: patchingKeys.all });
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Not retried', message: errorMessage(error) }),
  });
  return <Button size={fullWidth ? 'sm' : 'compact-sm'} fullWidth={fullWidth} variant="default" loading={retry.isPending} onClick={() => retry.mutate()}>Retry</Button>;
}

function typeText(run: PatchRun): string {
  return `${runTypeLabel(run)}${run.dry_run ? ' (dry run)' : ''}`;
}

function StartedText({ run }: { run: PatchRun }) {
  const at = startedAt(run);
  return (
    <Text span size="sm" c={at.kind === 'started' ? undefined : 'dimmed'}>
      {formatDateTime(at.iso, { missing: '—' })}{at.kind === 'scheduled' ? ' (scheduled)' : ''}
    </Text>
  );
}

/** The checkbox of a run in one selection set, where the run may join it. */
function SelectBox({ run, set, selection, visibleLabel }: { run: PatchRun; set: 'approve' | 'delete'; selection: RunSelection | undefined; visibleLabel?: boolean }) {
  if (!selection || !bulkEligible(run, set)) return null;
  const purpose = set === 'approve' ? 'approval' : 'deletion';
  return (
    // The name starts with the card's visible label, and says which run in either layout.
    <Checkbox aria-label={`Select for ${purpose}: the run on ${runHostName(run)}`} label={visibleLabel ? `Select for ${purpose}` : undefined}
      checked={selection.selected.has(run.id)} onChange={(e) => selection.onToggle(run, e.currentTarget.checked)}
    />
  );
}

/** A run on a narrow screen: host, type, status with its Extra deps pill, times, checkboxes, full-width buttons. */
function RunCard({ run, showHost, selection, approveSelection, actions, showRollout }: {
  run: PatchRun; showHost: boolean; selection: RunSelection | undefined; approveSelection: RunSelection | undefined; actions: ReactNode; showRollout: boolean;
}) {
  const name = runHostName(run);
  const selectable = Boolean((approveSelection && bulkEligible(run, 'approve')) || (selection && bulkEligible(run, 'delete')));
  return (
    <Card withBorder padding="sm" radius="md" component="article" aria-label={`Patch run on ${name}`} data-run={run.id}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="nowrap">
          <Stack gap={2} miw={0}>
            {showHost ? <Anchor component={Link} to={hostHref(run.host_id)} fw={600} style={WRAP}>{name}</Anchor> : null}
            <Text size="sm" style={WRAP} title={run.package_names.join(', ') || undefined}>{typeText(run)}</Text>
          </Stack>
          <Group gap={4} justify="flex-end">
            <RunStatusBadge status={run.status} /><ExtraDepsPill count={run.extra_deps_count} /><RebootPill reboot={run.reboot} />
            {showRollout ? <RolloutBadge rolloutId={run.rollout_id} name={name} /> : null}
          </Group>
        </Group>
        <SimpleGrid component="dl" cols={2} spacing="xs" verticalSpacing={4} m={0}>
          <div>
            <Text component="dt" size="xs" c="dimmed">Started</Text>
            <Text component="dd" size="sm" m={0}><StartedText run={run} /></Text>
          </div>
          <div>
            <Text component="dt" size="xs" c="dimmed">Completed</Text>
            <Text component="dd" size="sm" m={0}>{formatDateTime(run.completed_at, { missing: '—' })}</Text>
          </div>
          {run.initiated_by ? (
            <div>
              <Text component="dt" size="xs" c="dimmed">Initiated by</Text>
              <Text component="dd" size="sm" m={0} style={WRAP}>{run.initiated_by}</Text>
            </div>
          ) : null}
        </SimpleGrid>
        {selectable ? (
          <Group gap="md">
            <SelectBox run={run} set="approve" selection={approveSelection} visibleLabel />
            <SelectBox run={run} set="delete" selection={selection} visibleLabel />
          </Group>
        ) : null}
        <Stack gap={6}>{actions}</Stack>
      </Stack>
    </Card>
  );
}

export function RunsTable({
  caption, rows, pagination, fetching, error, onRetry, empty, showHost = true, selection, approveSelection, showRollouts = true,
}: RunsTableProps) {
  const canManage = useCan('can_manage_patching');
  // A run's rollout is shown with the module that has rollouts (its page needs it).
  const showRollout = useHasModule('patching_policies') && showRollouts;
  const narrow = useMediaQuery(NARROW_RUNS_QUERY, false, { getInitialValueInEffect: false });
  const toast = useToast();
  const queryClient = useQueryClient();
  const [wizard, setWizard] = useState<WizardSetup | null>(null);
  const [deleting, setDeleting] = useState<PatchRun | null>(null);
  const remove = useMutation({
    mutationFn: (run: PatchRun) => patchingApi.remove(run.id),
    onSuccess: (_, run) => {
      toast.show({ tone: 'success', message: `Patch run on ${runHostName(run)} deleted` });
      setDeleting(null);
      void queryClient.invalidateQueries({ queryKey: patchingKeys.all });
    },
  });
  // Selections are for writers only: a reader sees no checkboxes.
  const deleteSet = canManage ? selection : undefined;
  const approveSet = canManage ? approveSelection : undefined;

  const actionButton = (r: PatchRun, action: RunAction, full: boolean) => {
    const size = full ? 'sm' : 'compact-sm';
    switch (action) {
      case 'retry':
        return <RetryButton key={action} run={r} fullWidth={full} />;
      case 'skip':
        return <Button key={action} size={size} fullWidth={full} color="orange" variant="light" onClick={() => setWizard(approveSetup([r]))}>Skip &amp; patch</Button>;
      case 'approve':
        return <Button key={action} size={size} fullWidth={full} onClick={() => setWizard(approveSetup([r]))}>Approve</Button>;
      case 'delete':
        return <Button key={action} size={size} fullWidth={full} color="red" variant={full ? 'light' : 'subtle'} onClick={() => setDeleting(r)}>Delete</Button>;
      case 'view':
        return <Button key={action} size={size} fullWidth={full} variant="default" component={Link} to={runHref(r.id)}>View</Button>;
    }
  };

  const columns: Column<PatchRun>[] = [
    ...(approveSet ? [{ key: 'select_approve', header: 'Approve', width: 72, cell: (r: PatchRun) => <SelectBox run={r} set="approve" selection={approveSet} /> }] : []),
    ...(deleteSet ? [{ key: 'select_delete', header: 'Delete', width: 64, cell: (r: PatchRun) => <SelectBox run={r} set="delete" selection={deleteSet} /> }] : []),
    ...(showHost ? [{
      key: 'host', header: 'Host',
      cell: (r: PatchRun) => <Anchor component={Link} to={hostHref(r.host_id)} fw={600} style={NOWRAP}>{runHostName(r)}</Anchor>,
    }] : []),
    {
      key: 'type', header: 'Type',
      cell: (r) => <Text span size="sm" title={r.package_names.join(', ') || undefined}>{typeText(r)}</Text>,
    },
    {
      key: 'status', header: 'Status',
      cell: (r) => (
        <Group gap={4} wrap="nowrap">
          <RunStatusBadge status={r.status} /><ExtraDepsPill count={r.extra_deps_count} /><RebootPill reboot={r.reboot} />
          {showRollout ? <RolloutBadge rolloutId={r.rollout_id} name={runHostName(r)} /> : null}
        </Group>
      ),
    },
    { key: 'initiated_by', header: 'Initiated by', cell: (r) => r.initiated_by ?? <Text span size="sm" c="dimmed">—</Text> },
    { key: 'started', header: 'Started', nowrap: true, cell: (r) => <StartedText run={r} /> },
    { key: 'completed', header: 'Completed', nowrap: true, cell: (r) => formatDateTime(r.completed_at, { missing: '—' }) },
    {
      key: 'actions', header: 'Actions', cell: (r) => (
        <Group gap={4} wrap="nowrap">
          {rowActions(r, canManage).map((action) => actionButton(r, action, false))}
        </Group>
      ),
    },
  ];

  return (
    <>
      <DataTable caption={caption} columns={columns} rows={rows} rowKey={(r) => r.id} pagination={pagination} fetching={fetching ?? false}
        error={error} onRetry={onRetry} empty={empty} loadingLabel="Loading patch runs…" minWidth={820}
        renderCard={narrow ? (r) => (
          <RunCard run={r} showHost={showHost} selection={deleteSet} approveSelection={approveSet} showRollout={showRollout}
            actions={rowActions(r, canManage).map((action) => actionButton(r, action, true))}
          />
        ) : undefined}
      />
      {canManage ? (
        <>
          <LazyPatchWizard opened={wizard !== null} onClose={() => setWizard(null)} setup={wizard ?? { mode: 'approve', runs: [] }} />
          <ConfirmDialog opened={deleting !== null} onClose={() => { setDeleting(null); remove.reset(); }} title="Delete this patch run?"
            confirmLabel="Delete run" loading={remove.isPending} onConfirm={() => { if (deleting) remove.mutate(deleting); }}
            error={remove.error ? errorMessage(remove.error) : null}
          >
            {deleting ? `The run on ${runHostName(deleting)} (${runTypeLabel(deleting)}) is deleted with its schedule: it will not run. This cannot be undone.` : ''}
          </ConfirmDialog>
        </>
      ) : null}
    </>
  );
}
