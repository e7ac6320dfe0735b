/**
 * Patching → Runs & History (C11.1–C11.10): the fleet's runs newest first, filtered by status and type from the URL,
 * cursor pages of 25/50/100/200 rows (remembered under `patching-runs-limit`), and two independent selection sets:
 * bulk delete of runs not started, and bulk approve of runs awaiting a decision (one Patch Wizard pass for the batch).
 * Polled every 30 s, every 10 s while a run on the page is queued, waiting (its rollout's turn) or running.
 */
import { Alert, Button, Checkbox, Group, List, NativeSelect, Paper, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { errorMessage } from '../../api/errors';
import { patchingApi, patchingKeys, type PatchRun } from '../../api/patching';
import { useCan, useHasModule } from '../../auth/useSession';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { plural } from '../../components/format';
import { PageSizeSelect } from '../../components/PageSizeSelect';
import { LazyPatchWizard } from '../../components/patching/LazyPatchWizard';
import { BUSY_STATUSES, bulkResultTitle, runHostName, statusFilters, TYPE_FILTERS } from '../../components/patching/logic';
import { RunsTable } from '../../components/patching/RunsTable';
import { approveSetup, type ApproveSetup, type WizardResult } from '../../components/patching/wizard';
import { EmptyState } from '../../components/states';
import { useCursorQuery } from '../../components/useCursorQuery';
import { hasRunFilters, parseRunsLimit, RUNS_LIMIT_KEY, runFiltersFromParams, toRunsQuery, withRunFilters } from './filters';
import { current, pageTicks, toggled, withPage, type Selected } from './selection';

const LIST_POLL_MS = 30_000;
const BUSY_POLL_MS = 10_000;
const PARALLEL = 5;

function useRunsLimit(): [number, (limit: number) => void] {
  const [limit, setLimit] = useState(() => {
    try {
      return parseRunsLimit(window.localStorage.getItem(RUNS_LIMIT_KEY));
    } catch {
      return parseRunsLimit(null);
    }
  });
  return [limit, (next: number) => {
    setLimit(next);
    try {
      window.localStorage.setItem(RUNS_LIMIT_KEY, String(next));
    } catch {
      // Storage disabled: the choice lasts until the page is left.
    }
  }];
}

/** A bulk action's outcome, shown until dismissed: "Deleted 3", "Approved 5, 1 failed". */
interface BulkResult {
  verb: 'Deleted' | 'Approved';
  done: number;
  failed: { name: string; message: string }[];
}

async function deleteRuns(runs: PatchRun[]): Promise<BulkResult> {
  const result: BulkResult = { verb: 'Deleted', done: 0, failed: [] };
  for (let start = 0; start < runs.length; start += PARALLEL) {
    const batch = runs.slice(start, start + PARALLEL);
    const settled = await Promise.allSettled(batch.map((run) => patchingApi.remove(run.id)));
    settled.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') result.done += 1;
      else result.failed.push({ name: runHostName(batch[index] ?? { host_id: '', host_name: null }), message: errorMessage(outcome.reason) });
    });
  }
  return result;
}

const NOTHING: Selected = new Map();

function ResultBanner({ result, onClose }: { result: BulkResult; onClose: () => void }) {
  const success = result.verb === 'Deleted' ? 'The runs and their schedules are gone.' : 'The runs are queued, or scheduled as their policy says.';
  return (
    <Alert color={result.failed.length ? 'yellow' : 'green'} variant="light" withCloseButton closeButtonLabel="Dismiss" onClose={onClose}
      title={bulkResultTitle(result.verb, result.done, result.failed.length)}
    >
      {result.failed.length ? (
        <List size="sm">
          {result.failed.slice(0, 10).map((f, index) => <List.Item key={index}>{f.name}: {f.message}</List.Item>)}
          {result.failed.length > 10 ? <List.Item>… and {result.failed.length - 10} more</List.Item> : null}
        </List>
      ) : success}
    </Alert>
  );
}

export function RunsTab() {
  const canManage = useCan('can_manage_patching');
  const rollouts = useHasModule('patching_policies');
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => runFiltersFromParams(params), [params]);
  const [limit, setLimit] = useRunsLimit();
  const query = toRunsQuery(filters);
  const { query: runs, pagination } = useCursorQuery({
    queryKey: patchingKeys.runs(query, limit),
    fetchPage: (cursor, signal) => patchingApi.runs(query, cursor, limit, signal),
    refetchInterval: (page) => (page?.items.some((r) => BUSY_STATUSES.has(r.status)) ? BUSY_POLL_MS : LIST_POLL_MS),
    staleTime: 0,
  });

  // The selections belong to one list: new filters start them again.
  const listKey = JSON.stringify([query, limit]);
  const [selection, setSelection] = useState<{ key: string; delete: Selected; approve: Selected }>({ key: listKey, delete: NOTHING, approve: NOTHING });
  if (selection.key !== listKey) setSelection({ key: listKey, delete: NOTHING, approve: NOTHING });
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [approving, setApproving] = useState<ApproveSetup | null>(null);
  const [result, setResult] = useState<BulkResult | null>(null);

  const update = (changes: { status?: string; type?: string }) => setParams((p) => withRunFilters(p, changes), { replace: true });
  const clear = () => setParams((p) => withRunFilters(p, { status: '', type: '' }), { replace: true });
  const page = runs.data?.items ?? [];
  const toDelete = current(selection.delete, page, 'delete');
  const toApprove = current(selection.approve, page, 'approve');
  const deleteTicks = pageTicks(selection.delete, page, 'delete');
  const approveTicks = pageTicks(selection.approve, page, 'approve');
  const clearSet = (set: 'delete' | 'approve') => setSelection((s) => ({ ...s, [set]: NOTHING }));

  const bulkDelete = async () => {
    setDeleting(true);
    try {
      const outcome = await deleteRuns(toDelete);
      setResult(outcome);
      clearSet('delete');
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: patchingKeys.all });
    } finally {
      setDeleting(false);
    }
  };

  const approved = (outcome: WizardResult) => {
    setResult({ verb: 'Approved', done: outcome.done, failed: outcome.failed });
    clearSet('approve');
  };

  const empty = hasRunFilters(filters) ? (
    <EmptyState title="No runs match your filters" action={<Button variant="default" onClick={clear}>Clear filters</Button>} />
  ) : (
    <EmptyState title="No patch runs yet" description="Patch runs triggered from the Overview tab or from host detail pages will appear here." />
  );

  return (
    <Stack gap="md">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <NativeSelect label="Status" data={statusFilters(rollouts)} value={filters.status} onChange={(e) => update({ status: e.currentTarget.value })} />
        <NativeSelect label="Type" data={TYPE_FILTERS} value={filters.type} onChange={(e) => update({ type: e.currentTarget.value })} />
        <PageSizeSelect value={limit} onChange={setLimit} />
        {hasRunFilters(filters) ? <Button variant="subtle" onClick={clear}>Clear filters</Button> : null}
      </Group>
      {result ? <ResultBanner result={result} onClose={() => setResult(null)} /> : null}
      {canManage && (approveTicks.eligible > 0 || deleteTicks.eligible > 0) ? (
        <Group gap="lg" wrap="wrap">
          {approveTicks.eligible > 0 ? (
            <Checkbox label="Select every run awaiting approval on this page" checked={approveTicks.checked} indeterminate={approveTicks.indeterminate}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setSelection((s) => ({ ...s, approve: withPage(s.approve, page, 'approve', on) }));
              }}
            />
          ) : null}
          {deleteTicks.eligible > 0 ? (
            <Checkbox label="Select every deletable run on this page" checked={deleteTicks.checked} indeterminate={deleteTicks.indeterminate}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setSelection((s) => ({ ...s, delete: withPage(s.delete, page, 'delete', on) }));
              }}
            />
          ) : null}
        </Group>
      ) : null}
      {canManage && (toApprove.length > 0 || toDelete.length > 0) ? (
        <Paper withBorder p="xs" radius="sm" component="section" aria-label="Selected runs">
          <Stack gap="xs">
            {toApprove.length > 0 ? (
              <Group justify="space-between" gap="xs">
                <Text size="sm" fw={600}>{plural(toApprove.length, 'run')} selected for approval</Text>
                <Group gap="xs">
                  <Button size="xs" onClick={() => setApproving(approveSetup(toApprove))}>Approve {toApprove.length} selected</Button>
                  <Button size="xs" variant="subtle" onClick={() => clearSet('approve')}>Clear approve</Button>
                </Group>
              </Group>
            ) : null}
            {toDelete.length > 0 ? (
              <Group justify="space-between" gap="xs">
                <Text size="sm" fw={600}>{plural(toDelete.length, 'run')} selected for deletion</Text>
                <Group gap="xs">
                  <Button size="xs" color="red" variant="light" onClick={() => setConfirming(true)}>Delete {toDelete.length} selected</Button>
                  <Button size="xs" variant="subtle" onClick={() => clearSet('delete')}>Clear delete</Button>
                </Group>
              </Group>
            ) : null}
          </Stack>
        </Paper>
      ) : null}
      <RunsTable caption="Patch runs" rows={runs.data?.items} pagination={pagination} fetching={runs.isPlaceholderData} error={runs.error}
        onRetry={() => void runs.refetch()} empty={empty}
        selection={{
          selected: new Set(selection.delete.keys()),
          onToggle: (run, on) => setSelection((s) => ({ ...s, delete: toggled(s.delete, run, on) })),
        }}
        approveSelection={{
          selected: new Set(selection.approve.keys()),
          onToggle: (run, on) => setSelection((s) => ({ ...s, approve: toggled(s.approve, run, on) })),
        }}
      />
      {canManage ? (
        <>
          <ConfirmDialog opened={confirming} onClose={() => setConfirming(false)} title={`Delete ${plural(toDelete.length, 'patch run')}?`}
            confirmLabel={`Delete ${plural(toDelete.length, 'run')}`} loading={deleting} onConfirm={() => void bulkDelete()}
          >
            <Text size="sm">They are deleted with their schedules: they will not run. This cannot be undone.</Text>
            <List size="sm" spacing={2}>
              {toDelete.slice(0, 10).map((run) => <List.Item key={run.id}>{runHostName(run)}</List.Item>)}
              {toDelete.length > 10 ? <List.Item>… and {toDelete.length - 10} more</List.Item> : null}
            </List>
          </ConfirmDialog>
          <LazyPatchWizard opened={approving !== null} onClose={() => setApproving(null)} setup={approving ?? { mode: 'approve', runs: [] }}
            onSubmitted={approved}
          />
        </>
      ) : null}
    </Stack>
  );
}
