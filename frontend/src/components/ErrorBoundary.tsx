/** The last line of defence: a render error shows a recoverable screen with a copyable report, not a blank page. */
import { Button, Code, Container, CopyButton, Group, Stack, Text, Title } from '@mantine/core';
import { Component, type ReactNode } from 'react';
import { isRouteErrorResponse, useRouteError } from 'react-router';

function report(error: unknown): string {
  const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
  return `PatchMon Cloud error report\nURL: ${window.location.href}\nTime: ${new Date().toISOString()}\nBrowser: ${navigator.userAgent}\n\n${detail}`;
}

function ErrorScreen({ error, onReset }: { error: unknown; onReset?: () => void }) {
  const text = report(error);
  return (
    <Container size="sm" py="xl">
      <Stack role="alert">
        <Title order={1}>Something went wrong</Title>
        <Text>This page hit an unexpected error. Reloading usually helps; if it keeps happening, send the report below to support.</Text>
        <Group>
          <Button onClick={onReset ?? (() => window.location.reload())}>Reload</Button>
          <CopyButton value={text}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy error report'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Code block style={{ maxHeight: 240, overflow: 'auto' }}>
          {text}
        </Code>
      </Stack>
    </Container>
  );
}

interface BoundaryState {
  error: unknown;
}

/** Wraps the whole app (outside the router). Route render errors are caught closer, by <RouteError>. */
export class AppErrorBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: null };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error };
  }

  override render() {
    if (this.state.error) return <ErrorScreen error={this.state.error} onReset={() => this.setState({ error: null })} />;
    return this.props.children;
  }
}

/** The router's errorElement: render errors and failed lazy-route loads (a new deployment replaced the chunks). */
export function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return <ErrorScreen error={new Error('Page not found')} />;
  }
  return <ErrorScreen error={error} />;
}
