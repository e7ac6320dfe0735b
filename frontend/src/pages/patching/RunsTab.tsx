/**
 * Patching → Runs & History (C11.1–C11.10): the fleet's runs newest first, filtered by status and type from the URL,
 * cursor pages of 25/50/100/200 rows (remembered under `patching-runs-limit`), and bulk delete of runs not started.
 * Polled every 30 s, every 10 s while a run on the page is waiting or running.
 */
import { Alert, Button, Checkbox, Group, List, NativeSelect, Paper, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { errorMessage } from '../../api/errors';
import { patchingApi, patchingKeys, type PatchRun } from '../../api/patching';
import { useCan } from '../../auth/useSession';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { plural } from '../../components/format';
import { PageSizeSelect } from '../../components/PageSizeSelect';
import { runHostName, STATUS_FILTERS, TYPE_FILTERS } from '../../components/patching/logic';
import { RunsTable } from '../../components/patching/RunsTable';
import { EmptyState } from '../../components/states';
import { useCursorQuery } from '../../components/useCursorQuery';
import { hasRunFilters, parseRunsLimit, RUNS_LIMIT_KEY, runFiltersFromParams, toRunsQuery, withRunFilters } from './filters';

const LIST_POLL_MS = 30_000;
const BUSY_POLL_MS = 10_000;
const BUSY = new Set(['queued', 'running', 'pending_validation']);
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

interface BulkResult {
  deleted: number;
  failed: { name: string; message: string }[];
}

async function deleteRuns(runs: PatchRun[]): Promise<BulkResult> {
  const result: BulkResult = { deleted: 0, failed: [] };
  for (let start = 0; start < runs.length; start += PARALLEL) {
    const batch = runs.slice(start, start + PARALLEL);
    const settled = await Promise.allSettled(batch.map((run) => patchingApi.remove(run.id)));
    settled.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') result.deleted += 1;
      else result.failed.push({ name: runHostName(batch[index] ?? { host_id: '', host_name: null }), message: errorMessage(outcome.reason) });
    });
  }
  return result;
}

export function RunsTab() {
  const canManage = useCan('can_manage_patching');
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => runFiltersFromParams(params), [params]);
  const [limit, setLimit] = useRunsLimit();
  const query = toRunsQuery(filters);
  const { query: runs, pagination } = useCursorQuery({
    queryKey: patchingKeys.runs(query, limit),
    fetchPage: (cursor, signal) => patchingApi.runs(query, cursor, limit, signal),
    refetchInterval: (page) => (page?.items.some((r) => BUSY.has(r.status)) ? BUSY_POLL_MS : LIST_POLL_MS),
    staleTime: 0,
  });

  // The selection belongs to one list: new filters start it again.
  const listKey = JSON.stringify([query, limit]);
  const [selection, setSelection] = useState<{ key: string; runs: Map<string, PatchRun> }>({ key: listKey, runs: new Map() });
  if (selection.key !== listKey) setSelection({ key: listKey, runs: new Map() });
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [result, setResult] = useState<BulkResult | null>(null);

  const update = (changes: { status?: string; type?: string }) => setParams((p) => withRunFilters(p, changes), { replace: true });
  const clear = () => setParams((p) => withRunFilters(p, { status: '', type: '' }), { replace: true });
  const selected = selection.runs;
  const deletable = runs.data?.items.filter((r) => r.deletable) ?? [];
  const allTicked = deletable.length > 0 && deletable.every((r) => selected.has(r.id));

  const bulkDelete = async () => {
    setDeleting(true);
    try {
      const outcome = await deleteRuns([...selected.values()]);
      setResult(outcome);
      setSelection((s) => ({ ...s, runs: new Map() }));
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: patchingKeys.all });
    } finally {
      setDeleting(false);
    }
  };

  const empty = hasRunFilters(filters) ? (
    <EmptyState title="No runs match your filters" action={<Button variant="default" onClick={clear}>Clear filters</Button>} />
  ) : (
    <EmptyState title="No patch runs yet" description="Patch runs triggered from the Overview tab or from host detail pages will appear here." />
  );

  return (
    <Stack gap="md">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <NativeSelect label="Status" data={STATUS_FILTERS} value={filters.status} onChange={(e) => update({ status: e.currentTarget.value })} />
        <NativeSelect label="Type" data={TYPE_FILTERS} value={filters.type} onChange={(e) => update({ type: e.currentTarget.value })} />
        <PageSizeSelect value={limit} onChange={setLimit} />
        {hasRunFilters(filters) ? <Button variant="subtle" onClick={clear}>Clear filters</Button> : null}
      </Group>
      {result ? (
        <Alert color={result.failed.length ? 'yellow' : 'green'} variant="light" withCloseButton closeButtonLabel="Dismiss" onClose={() => setResult(null)}
          title={`Deleted ${result.deleted}${result.failed.length ? `, ${result.failed.length} failed` : ''}`}
        >
          {result.failed.length ? (
            <List size="sm">
              {result.failed.slice(0, 10).map((f, index) => <List.Item key={index}>{f.name}: {f.message}</List.Item>)}
            </List>
          ) : 'The runs and their schedules are gone.'}
        </Alert>
      ) : null}
      {canManage && deletable.length > 0 ? (
        <Checkbox label="Select every deletable run on this page" checked={allTicked} indeterminate={!allTicked && deletable.some((r) => selected.has(r.id))}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            setSelection((s) => {
              const next = new Map(s.runs);
              for (const run of deletable) {
                if (on) next.set(run.id, run);
                else next.delete(run.id);
              }
              return { ...s, runs: next };
            });
          }}
        />
      ) : null}
      {canManage && selected.size > 0 ? (
        <Paper withBorder p="xs" radius="sm">
          <Group justify="space-between" gap="xs">
            <Text size="sm" fw={600}>{plural(selected.size, 'run')} selected</Text>
            <Group gap="xs">
              <Button size="xs" color="red" variant="light" onClick={() => setConfirming(true)}>Delete {selected.size} selected</Button>
              <Button size="xs" variant="subtle" onClick={() => setSelection((s) => ({ ...s, runs: new Map() }))}>Clear selection</Button>
            </Group>
          </Group>
        </Paper>
      ) : null}
      <RunsTable caption="Patch runs" rows={runs.data?.items} pagination={pagination} fetching={runs.isPlaceholderData} error={runs.error}
        onRetry={() => void runs.refetch()} empty={empty}
        selection={{
          selected: new Set(selected.keys()),
          onToggle: (run, on) => setSelection((s) => {
            const next = new Map(s.runs);
            if (on) next.set(run.id, run);
            else next.delete(run.id);
            return { ...s, runs: next };
          }),
        }}
      />
      {canManage ? (
        <ConfirmDialog opened={confirming} onClose={() => setConfirming(false)} title={`Delete ${plural(selected.size, 'patch run')}?`}
          confirmLabel={`Delete ${plural(selected.size, 'run')}`} loading={deleting} onConfirm={() => void bulkDelete()}
        >
          <Text size="sm">They are deleted with their schedules: they will not run. This cannot be undone.</Text>
          <List size="sm" spacing={2}>
            {[...selected.values()].slice(0, 10).map((run) => <List.Item key={run.id}>{runHostName(run)}</List.Item>)}
            {selected.size > 10 ? <List.Item>… and {selected.size - 10} more</List.Item> : null}
          </List>
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}
