import { Anchor, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';

import type { DashboardStats } from '../../api/types';
import type { ChartCardDef, StatCardDef } from './cards';
import classes from './Dashboard.module.css';

const DistributionChart = lazy(() => import('./DistributionChart'));

export function StatCard({ card, stats }: { card: StatCardDef; stats: DashboardStats }) {
  const value = card.value(stats);
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-labelledby={`card-${card.id}`} data-card={card.id}>
      <Stack gap={4}>
        <Title order={2} size="h6" id={`card-${card.id}`} fw={600} c="dimmed">
          <Anchor component={Link} to={card.href} inherit c="inherit">
            {card.title}
          </Anchor>
        </Title>
        <Text fz={32} fw={700} lh={1.1} c={value > 0 && card.alert ? `${card.alert}.7` : undefined}>
          {value.toLocaleString()}
        </Text>
        <Text size="sm" c="dimmed">
          {card.detail(stats)}
        </Text>
      </Stack>
    </Card>
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
                  {slice.value.toLocaleString()} <Text span c="dimmed" size="xs">({Math.round((slice.value / total) * 100)}%)</Text>
                </span>
              </li>
            ))}
          </ul>
        </Group>
      )}
    </Card>
  );
}
