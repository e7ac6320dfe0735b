/**
 * The dashboard: the user's cards over GET /dashboard/stats, polled every 30 s while the tab is visible.
 *
 * Polling rather than the browser WebSocket: the stats are one cheap read of the tenant's counters
 * (inventory/service.py dashboard()), a 30 s delay is fine for a fleet overview, and nothing on the server
 * pushes stats changes yet — a push would need a fan-out to every open dashboard on each agent report.
 * TanStack Query stops polling in hidden tabs and refetches when the tab is shown again.
 */
import { Alert, Anchor, Button, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { dashboardApi } from '../../api/dashboard';
import { errorMessage } from '../../api/errors';
import { queryKeys } from '../../api/queryClient';
import { useCan } from '../../auth/useSession';
import { Page } from '../../components/Page';
import { RefreshButton } from '../../components/RefreshButton';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { cardById } from './cards';
import { CustomizeDashboard } from './CustomizeDashboard';
import { ChartCard, StatCard } from './DashboardCards';
import classes from './Dashboard.module.css';
import { useDashboardLayout } from './usePreferences';

const STATS_POLL_MS = 30_000;

export default function DashboardPage() {
  const canView = useCan('can_view_dashboard');
  const [customizing, { open, close }] = useDisclosure(false);
  const { layout, save } = useDashboardLayout();
  const stats = useQuery({
    queryKey: queryKeys.dashboardStats,
    queryFn: ({ signal }) => dashboardApi.stats(signal),
    enabled: canView,
    refetchInterval: STATS_POLL_MS,
    refetchIntervalInBackground: false,
  });

  const actions = canView ? (
    <>
      {stats.dataUpdatedAt ? (
        <Text size="sm" c="dimmed">
          Updated {new Date(stats.dataUpdatedAt).toLocaleTimeString()}
        </Text>
      ) : null}
      <RefreshButton onRefresh={() => stats.refetch()} />
      <Button variant="default" onClick={open}>
        Customize
      </Button>
    </>
  ) : undefined;

  const visible = layout.filter((card) => card.visible);
  let content;
  if (!canView) {
    content = <EmptyState title="You do not have access to the dashboard" description="Ask an administrator of your organisation for access." />;
  } else if (!stats.data) {
    content = stats.error ? <ErrorState error={stats.error} title="Could not load the dashboard" onRetry={() => void stats.refetch()} />
      : <LoadingState label="Loading fleet summary…" />;
  } else if (visible.length === 0) {
    content = <EmptyState title="All cards are hidden" description="Choose the cards to show." action={<Button onClick={open}>Customize</Button>} />;
  } else {
    const data = stats.data;
    content = (
      <>
        {stats.error ? (
          <Alert color="yellow" variant="light" title="Showing the last figures">
            Could not refresh: {errorMessage(stats.error)}
          </Alert>
        ) : null}
        {data.total_hosts === 0 ? (
          <Alert color="blue" variant="light" title="No hosts yet">
            Enrol your first host from the <Anchor component={Link} to="/hosts" inherit>Hosts</Anchor> page; its figures appear here after its first report.
          </Alert>
        ) : null}
        <div className={classes.grid}>
          {visible.map(({ id }) => {
            const card = cardById(id);
            if (!card) return null;
            return card.kind === 'stat' ? <StatCard key={id} card={card} stats={data} /> : <ChartCard key={id} card={card} stats={data} />;
          })}
        </div>
      </>
    );
  }

  return (
    <Page title="Dashboard" actions={actions}>
      {content}
      <CustomizeDashboard opened={customizing} layout={layout} onClose={close}
        onSave={(next) => {
          save.mutate(next);
          close();
        }}
      />
    </Page>
  );
}
