/**
 * A table of patch runs with each row's actions (C11.3, C11.9): Runs & History, the Patching overview's latest runs
 * and a host's Patching tab. Approve and Skip & patch open the Patch Wizard in approve mode; Retry re-sends a dry run;
 * Delete asks first. Writers (can_manage_patching) only; everyone gets View.
 */
import { Anchor, Button, Checkbox, Group, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';

import { errorMessage } from '../../api/errors';
import { hostHref } from '../../api/inventory';
import { patchingApi, patchingKeys, type PatchRun } from '../../api/patching';
import { useCan } from '../../auth/useSession';
import { ConfirmDialog } from '../ConfirmDialog';
import { DataTable, type Column, type CursorPaginationControls } from '../DataTable';
import { formatDateTime } from '../format';
import { useToast } from '../useToast';
import { LazyPatchWizard } from './LazyPatchWizard';
import { rowActions, runHostName, runHref, runTypeLabel, startedAt } from './logic';
import { ExtraDepsPill, RunStatusBadge } from './parts';
import { approveSetup, type WizardSetup } from './wizard';

const NOWRAP = { whiteSpace: 'nowrap' } as const;

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
  selection?: RunSelection;
}

function RetryButton({ run }: { run: PatchRun }) {
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
  return <Button size="compact-sm" variant="default" loading={retry.isPending} onClick={() => retry.mutate()}>Retry</Button>;
}

export function RunsTable({ caption, rows, pagination, fetching, error, onRetry, empty, showHost = true, selection }: RunsTableProps) {
  const canManage = useCan('can_manage_patching');
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

  const columns: Column<PatchRun>[] = [
    ...(selection && canManage ? [{
      key: 'select', header: 'Select', width: 56,
      cell: (r: PatchRun) => (r.deletable ? (
        <Checkbox aria-label={`Select the run on ${runHostName(r)}`} checked={selection.selected.has(r.id)} onChange={(e) => selection.onToggle(r, e.currentTarget.checked)} />
      ) : null),
    }] : []),
    ...(showHost ? [{
      key: 'host', header: 'Host',
      cell: (r: PatchRun) => <Anchor component={Link} to={hostHref(r.host_id)} fw={600} style={NOWRAP}>{runHostName(r)}</Anchor>,
    }] : []),
    {
      key: 'type', header: 'Type',
      cell: (r) => <Text span size="sm" title={r.package_names.join(', ') || undefined}>{runTypeLabel(r)}{r.dry_run ? ' (dry run)' : ''}</Text>,
    },
    {
      key: 'status', header: 'Status',
      cell: (r) => <Group gap={4} wrap="nowrap"><RunStatusBadge status={r.status} /><ExtraDepsPill count={r.extra_deps_count} /></Group>,
    },
    { key: 'initiated_by', header: 'Initiated by', cell: (r) => r.initiated_by ?? <Text span size="sm" c="dimmed">—</Text> },
    {
      key: 'started', header: 'Started', nowrap: true, cell: (r) => {
        const at = startedAt(r);
        return (
          <Text span size="sm" c={at.kind === 'started' ? undefined : 'dimmed'}>
            {formatDateTime(at.iso, { missing: '—' })}{at.kind === 'scheduled' ? ' (scheduled)' : ''}
          </Text>
        );
      },
    },
    { key: 'completed', header: 'Completed', nowrap: true, cell: (r) => formatDateTime(r.completed_at, { missing: '—' }) },
    {
      key: 'actions', header: 'Actions', cell: (r) => (
        <Group gap={4} wrap="nowrap">
          {rowActions(r, canManage).map((action) => {
            switch (action) {
              case 'retry':
                return <RetryButton key={action} run={r} />;
              case 'skip':
                return <Button key={action} size="compact-sm" color="orange" variant="light" onClick={() => setWizard(approveSetup([r]))}>Skip &amp; patch</Button>;
              case 'approve':
                return <Button key={action} size="compact-sm" onClick={() => setWizard(approveSetup([r]))}>Approve</Button>;
              case 'delete':
                return <Button key={action} size="compact-sm" color="red" variant="subtle" onClick={() => setDeleting(r)}>Delete</Button>;
              case 'view':
                return <Button key={action} size="compact-sm" variant="default" component={Link} to={runHref(r.id)}>View</Button>;
            }
          })}
        </Group>
      ),
    },
  ];

  return (
    <>
      <DataTable caption={caption} columns={columns} rows={rows} rowKey={(r) => r.id} pagination={pagination} fetching={fetching ?? false}
        error={error} onRetry={onRetry} empty={empty} loadingLabel="Loading patch runs…" minWidth={820}
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
