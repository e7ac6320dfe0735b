/** Small pieces shared by the inventory pages: status badges and summary cards. */
import { Anchor, Badge, Button, Card, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useId, type ReactNode } from 'react';
import { Link } from 'react-router';

import type { CursorPaginationControls } from '../../components';
import { STATUS_COLOR, STATUS_LABEL, type PackageStatus } from './filters';

function ShieldIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5" aria-hidden="true">
      <path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" />
    </svg>
  );
}

export function PackageStatusBadge({ status }: { status: PackageStatus }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant="light" leftSection={status === 'security' ? <ShieldIcon /> : null} maw="none"
      styles={{ label: { overflow: 'visible' } }}
    >
      {STATUS_LABEL[status]}
    </Badge>
  );
}

export interface SummaryCardProps {
  title: string;
  /** undefined while loading: shown as a dash, without marking the page busy. */
  value: ReactNode;
  detail?: ReactNode;
  /** Makes the title a link (e.g. to the Hosts page filtered to what the card counts). */
  href?: string;
  color?: string | undefined;
  /** A version string rather than a count: smaller, monospaced, wrapping anywhere. */
  text?: boolean;
}

export function SummaryCard({ title, value, detail, href, color, text = false }: SummaryCardProps) {
  const id = useId();
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-labelledby={id}>
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

export function SummaryGrid({ children, label, columns = 4 }: { children: ReactNode; label: string; columns?: number }) {
  return (
    <section aria-label={label}>
      <SimpleGrid cols={{ base: 1, xs: 2, md: columns }} spacing="md">
        {children}
      </SimpleGrid>
    </section>
  );
}

/**
 * A page that came back empty but is not the end of the list. The server filters after reading a page's worth of
 * records, so a search can find nothing in one part of a long list and matches further on.
 */
export function SparsePageNotice({ pagination, fetching }: { pagination: CursorPaginationControls; fetching: boolean }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm" align="flex-start">
        <Title order={2} size="h5">
          No matches in this part of the list
        </Title>
        <Text size="sm" c="dimmed">
          The list is searched one part at a time; later parts may still have matches.
        </Text>
        <Group gap="xs">
          {pagination.hasPrevious ? (
            <Button variant="default" size="xs" disabled={fetching} onClick={pagination.onPrevious}>
              Previous page
            </Button>
          ) : null}
          <Button size="xs" loading={fetching} onClick={pagination.onNext}>
            Search further
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
