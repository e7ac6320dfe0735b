import { Card, Group, Loader, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';

import type { DashboardStats } from '../../api/types';
import { formatCount } from '../../components/format';
import { SummaryCard } from '../../components/SummaryCard';
import type { ChartCardDef, PatchingCardDef, PatchTotals, StatCardDef } from './cards';
import classes from './Dashboard.module.css';

const DistributionChart = lazy(() => import('./DistributionChart'));

export function StatCard({ card, stats }: { card: StatCardDef; stats: DashboardStats }) {
  const value = card.value(stats);
  return (
    <SummaryCard title={card.title} href={card.href} value={formatCount(value)} detail={card.detail(stats)}
      color={value > 0 && card.alert ? `${card.alert}.7` : undefined} data-card={card.id}
    />
  );
}

/** A patching card (C8.13): a count of runs by status, linking to Runs & History filtered; a dash until the counts arrive. */
export function PatchingCard({ card, totals, failed }: { card: PatchingCardDef; totals: PatchTotals | undefined; failed: boolean }) {
  const value = totals ? card.value(totals) : undefined;
  let detail: string | undefined;
  if (totals) detail = card.detail(totals);
  else if (failed) detail = 'Could not load patch runs';
  return (
    <SummaryCard title={card.title} href={card.href} value={value === undefined ? undefined : formatCount(value)} detail={detail}
      color={value && card.alert ? `${card.alert}.7` : undefined} data-card={card.id}
    />
  );
}

export function ChartCard({ card, stats }: { card: ChartCardDef; stats: DashboardStats }) {
  const slices = card.slices(stats);
  const total = slices.reduce((sum, slice) => sum + slice.value, 0);
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-labelledby={`card-${card.id}`} className={classes.wide}
      data-card={card.id}
    >
      <Title order={2} size="h6" id={`card-${card.id}`} fw={600} c="dimmed" mb="xs">
        {card.title}
      </Title>
      {total === 0 ? (
        <Text c="dimmed" size="sm">
          No hosts have reported yet.
        </Text>
      ) : (
        <Group align="center" wrap="nowrap" gap="md" className={classes.chartRow}>
          <div className={classes.chart}>
            <Suspense fallback={<Loader size="sm" aria-hidden="true" />}>
              <DistributionChart slices={slices} />
            </Suspense>
          </div>
          <ul className={classes.legend} aria-label={card.description}>
            {slices.map((slice) => (
              <li key={slice.name}>
                <span className={classes.swatch} style={{ background: slice.color }} aria-hidden="true" />
                <span className={classes.legendName}>{slice.name}</span>
                <span className={classes.legendValue}>
                  {formatCount(slice.value)} <Text span c="dimmed" size="xs">({Math.round((slice.value / total) * 100)}%)</Text>
                </span>
              </li>
            ))}
          </ul>
        </Group>
      )}
    </Card>
  );
}
