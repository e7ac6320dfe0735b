/**
 * The dashboard: the user's cards over GET /dashboard/stats, polled every 30 s while the tab is visible.
 *
 * Polling rather than the browser WebSocket: the stats are one cheap read of the tenant's counters
 * (inventory/service.py dashboard()), a 30 s delay is fine for a fleet overview, and nothing on the server
 * pushes stats changes yet — a push would need a fan-out to every open dashboard on each agent report.
 * TanStack Query stops polling in hidden tabs and refetches when the tab is shown again.
 *
 * The patching cards (C8.13) poll GET /patching/dashboard alongside, only while one of them is shown (the
 * organisation has the `patching` module, the user `can_view_hosts`, and has not hidden them all).
 */
import { Alert, Anchor, Button, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { dashboardStatsQuery } from '../../api/dashboard';
import { errorMessage } from '../../api/errors';
import { patchingApi, patchingKeys } from '../../api/patching';
import { useCan, useSession } from '../../auth/useSession';
import { formatTime } from '../../components/format';
import { Page } from '../../components/Page';
import { RefreshButton } from '../../components/RefreshButton';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { cardAvailable, cardById, type CardId } from './cards';
import { CustomizeDashboard } from './CustomizeDashboard';
import { ChartCard, PatchingCard, StatCard } from './DashboardCards';
import classes from './Dashboard.module.css';
import { useDashboardLayout } from './usePreferences';

const STATS_POLL_MS = 30_000;

export default function DashboardPage() {
  const canView = useCan('can_view_dashboard');
  const session = useSession();
  const [customizing, { open, close }] = useDisclosure(false);
  const { layout, ready, save } = useDashboardLayout();
  const available = (id: CardId) => cardAvailable(cardById(id), session.data);
  const visible = layout.filter((card) => card.visible && available(card.id));
  const stats = useQuery({
    ...dashboardStatsQuery,
    enabled: canView,
    refetchInterval: STATS_POLL_MS,
    refetchIntervalInBackground: false,
  });
  const patching = useQuery({
    queryKey: patchingKeys.counts,
    queryFn: ({ signal }) => patchingApi.counts(signal),
    enabled: canView && ready && visible.some((card) => cardById(card.id)?.kind === 'patching'),
    refetchInterval: STATS_POLL_MS,
    refetchIntervalInBackground: false,
  });

  const actions = canView ? (
    <>
      {stats.dataUpdatedAt ? (
        <Text size="sm" c="dimmed">
          Updated {formatTime(stats.dataUpdatedAt, { seconds: true })}
        </Text>
      ) : null}
      <RefreshButton onRefresh={() => Promise.all([stats.refetch(), ...(patching.isEnabled ? [patching.refetch()] : [])])} />
      <Button variant="default" onClick={open}>
        Customize
      </Button>
    </>
  ) : undefined;

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
            switch (card.kind) {
              case 'stat':
                return <StatCard key={id} card={card} stats={data} />;
              case 'patching':
                return <PatchingCard key={id} card={card} totals={patching.data?.totals} failed={Boolean(patching.error)} />;
              case 'chart':
                return <ChartCard key={id} card={card} stats={data} />;
            }
          })}
        </div>
      </>
    );
  }

  return (
    <Page title="Dashboard" actions={actions}>
      {content}
      <CustomizeDashboard opened={customizing} layout={layout} onClose={close} available={available}
        onSave={(next) => {
          save.mutate(next);
          close();
        }}
      />
    </Page>
  );
}
