/** Figure cards: a titled number (or short text) with a detail line, as the dashboard and the inventory pages show them. */
import { Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useId, type ReactNode } from 'react';
import { Link } from 'react-router';

interface SummaryCardProps {
  title: string;
  /** undefined while loading: shown as a dash, without marking the page busy. */
  value: ReactNode;
  detail?: ReactNode;
  /** Makes the title a link (e.g. to the Hosts page filtered to what the card counts). */
  href?: string;
  /** Mantine colour of the value ("orange.8"). */
  color?: string | undefined;
  /** A version string rather than a count: smaller, monospaced, wrapping anywhere. */
  text?: boolean;
  className?: string;
  /** data-* attributes for the card (the dashboard marks each card with its id). */
  [data: `data-${string}`]: string;
}

/** An <article> named by its title (an <h2>), so each card is one landmark-like unit for screen readers. */
export function SummaryCard({ title, value, detail, href, color, text = false, className, ...data }: SummaryCardProps) {
  const id = useId();
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-labelledby={id} className={className} {...data}>
      <Stack gap={4}>
        <Title order={2} size="h6" id={id} fw={600} c="dimmed">
          {href ? (
            <Anchor component={Link} to={href} inherit c="inherit">
              {title}
            </Anchor>
          ) : (
            title
          )}
        </Title>
        <Text fz={text ? 'lg' : 28} fw={700} lh={1.1} c={color} ff={text ? 'monospace' : undefined} style={{ overflowWrap: 'anywhere' }}>
          {value ?? '—'}
        </Text>
        {detail ? (
          <Text size="sm" c="dimmed">
            {detail}
          </Text>
        ) : null}
      </Stack>
    </Card>
  );
}

/** A labelled section of SummaryCards, `columns` wide on large screens. */
export function SummaryGrid({ children, label, columns = 4 }: { children: ReactNode; label: string; columns?: number }) {
  return (
    <section aria-label={label}>
      <SimpleGrid cols={{ base: 1, xs: 2, md: columns }} spacing="md">
        {children}
      </SimpleGrid>
    </section>
  );
}
