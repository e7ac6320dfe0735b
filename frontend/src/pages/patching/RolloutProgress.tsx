/** A rollout's progress: one bar of succeeded / failed / cancelled / in flight / waiting runs, and (full size) its legend. */
import { Badge, Box, Group, Progress, Text } from '@mantine/core';

import { formatCount } from '../../components/format';
import { endedCount, progressParts, rolloutStatusColor, rolloutStatusLabel, type ProgressCounts } from '../../components/patching/rollout';

export function RolloutStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <Badge color={rolloutStatusColor(status)} variant="light" tt="none" miw="max-content" data-testid={testId} data-status={status}>{rolloutStatusLabel(status)}</Badge>;
}

/**
 * The bar is one progressbar (runs ended of all), its sections only drawn; `legend` lists every count beside its colour
 * (`data-testid="rollout-<part>"`), so the numbers are read, not guessed from widths.
 */
export function RolloutProgress({ counts, label, size = 'lg', legend = true, notStarted = 'Waiting' }: {
  counts: ProgressCounts; label: string; size?: 'sm' | 'md' | 'lg' | 'xl'; legend?: boolean;
  /** What the runs not ended and not in flight are called (a ring: "Not ended"). */
  notStarted?: string;
}) {
  const parts = progressParts(counts).map((p) => (p.key === 'waiting' ? { ...p, label: notStarted } : p));
  const ended = endedCount(counts);
  const text = `${formatCount(ended)} of ${formatCount(counts.total)} runs ended: ${parts.map((p) => `${formatCount(p.value)} ${p.label.toLowerCase()}`).join(', ')}`;
  return (
    <Box>
      <Progress.Root size={size} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={counts.total} aria-valuenow={ended} aria-valuetext={text}>
        {parts.filter((p) => p.value > 0).map((p) => (
          <Progress.Section key={p.key} value={p.percent} color={p.color} withAria={false} striped={p.key === 'in_flight'} animated={p.key === 'in_flight'}
            title={`${p.label}: ${formatCount(p.value)}`}
          />
        ))}
      </Progress.Root>
      {legend ? (
        <Group gap="md" mt={6} wrap="wrap" aria-label={`${label}: counts`} role="list">
          {parts.map((p) => (
            <Group key={p.key} gap={6} wrap="nowrap" role="listitem">
              <Box w={10} h={10} bg={p.color} style={{ borderRadius: 2 }} aria-hidden />
              <Text size="sm" data-testid={`rollout-${p.key}`}>
                {p.label} <Text span fw={700} inherit>{formatCount(p.value)}</Text>
              </Text>
            </Group>
          ))}
        </Group>
      ) : null}
    </Box>
  );
}
