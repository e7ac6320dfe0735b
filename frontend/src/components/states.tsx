/** The three states every data view has besides "here is the data": loading, empty and failed. */
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

import { errorMessage } from '../api/errors';

interface LoadingStateProps {
  /** What is loading, read by screen readers and shown beside the spinner: "Loading hosts…". */
  label?: string;
  /** Fill the viewport (the first load of the app) instead of the content area. */
  fullPage?: boolean;
}

export function LoadingState({ label = 'Loading…', fullPage = false }: LoadingStateProps) {
  // aria-live rather than role="status": role="status" is kept for toasts, which tests look up by role.
  return (
    <Center mih={fullPage ? '100vh' : 160} aria-live="polite" aria-busy="true" data-testid="loading-state">
      <Group gap="sm">
        <Loader size="sm" aria-hidden="true" />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

interface EmptyStateProps {
  title: string;
  description?: ReactNode;
  /** A call to action, e.g. <Button>Add host</Button>. */
  action?: ReactNode;
  icon?: ReactNode;
}

export function EmptyState({ title, description, action, icon }: EmptyStateProps) {
  return (
    <Center py="xl" data-testid="empty-state">
      <Stack align="center" gap="xs" maw={420} ta="center">
        {icon}
        <Title order={2} size="h4">
          {title}
        </Title>
        {description ? <Text c="dimmed">{description}</Text> : null}
        {action ? <div>{action}</div> : null}
      </Stack>
    </Center>
  );
}

interface ErrorStateProps {
  /** The error a query raised (ApiError messages are shown as the server wrote them). */
  error: unknown;
  title?: string;
  /** Shows a "Try again" button, e.g. `() => query.refetch()`. */
  onRetry?: () => void;
}

export function ErrorState({ error, title = 'Could not load this', onRetry }: ErrorStateProps) {
  return (
    <Alert color="red" variant="light" title={title} role="alert" data-testid="error-state">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry ? (
          <Button size="xs" variant="default" onClick={onRetry}>
            Try again
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}
