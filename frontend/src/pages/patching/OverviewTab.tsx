/** Patching → Overview: runs by status (each card opens Runs & History filtered, C11.2) and the latest runs. */
import { Button, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';

import { patchingApi, patchingKeys } from '../../api/patching';
import { UpgradeRequired } from '../../auth/guards';
import { formatCount } from '../../components/format';
import { isModuleUnavailable, runsHref } from '../../components/patching/logic';
import { RunsTable } from '../../components/patching/RunsTable';
import { EmptyState, ErrorState } from '../../components/states';
import { SummaryCard, SummaryGrid } from '../../components/SummaryCard';

const DASHBOARD_POLL_MS = 30_000;

const CARDS: { title: string; total: string; status: string; detail?: string; color?: string }[] = [
  { title: 'Total runs', total: 'total', status: '' },
  { title: 'Active', total: 'active', status: 'active', detail: 'queued or running' },
  { title: 'Queued', total: 'queued', status: 'queued' },
  { title: 'Scheduled', total: 'scheduled', status: 'scheduled', detail: 'waiting for their policy' },
  { title: 'Pending approval', total: 'pending_approval', status: 'pending_approval' },
  { title: 'Completed', total: 'completed', status: 'completed', color: 'green.8' },
  { title: 'Failed', total: 'failed', status: 'failed', color: 'red.7' },
];

export function OverviewTab({ onPatch }: { onPatch?: (() => void) | undefined }) {
  const dashboard = useQuery({ queryKey: patchingKeys.dashboard, queryFn: ({ signal }) => patchingApi.dashboard(signal), refetchInterval: DASHBOARD_POLL_MS });
  if (dashboard.error && !dashboard.data) {
    if (isModuleUnavailable(dashboard.error)) return <UpgradeRequired module="patching" feature="Patching" />;
    return <ErrorState error={dashboard.error} title="Could not load patching" onRetry={() => void dashboard.refetch()} />;
  }
  const totals = dashboard.data?.totals;
  return (
    <Stack gap="lg">
      <SummaryGrid label="Patch runs by status" columns={4}>
        {CARDS.map((card) => {
          const value = totals?.[card.total];
          return (
            <SummaryCard key={card.title} title={card.title} href={runsHref({ status: card.status })} value={totals ? formatCount(value) : undefined}
              detail={card.detail} color={value ? card.color : undefined} data-card={card.total}
            />
          );
        })}
      </SummaryGrid>
      <Stack gap="sm" component="section" aria-labelledby="recent-runs-heading">
        <Title order={2} size="h4" id="recent-runs-heading">Recent runs</Title>
        <RunsTable caption="Recent patch runs" rows={dashboard.data?.recent}
          empty={(
            <EmptyState title="No patch runs yet" description="Patch runs triggered from here or from host detail pages will appear here."
              action={onPatch ? <Button onClick={onPatch}>Patch hosts</Button> : undefined}
            />
          )}
        />
      </Stack>
    </Stack>
  );
}
