import { Group, Stack, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';

export const APP_NAME = 'PatchMon Cloud';

interface PageProps {
  /** The page's one <h1>, and the document title ("Hosts · PatchMon Cloud"). */
  title: string;
  /** Buttons beside the title, e.g. <Button>Add host</Button>. */
  actions?: ReactNode;
  /** Shown under the title. */
  description?: ReactNode;
  children?: ReactNode;
}

/** The frame of every signed-in page: one <h1> (focused after navigation by the shell) and the page's actions. */
export function Page({ title, actions, description, children }: PageProps) {
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={4}>
          <Title order={1} tabIndex={-1} data-page-title="" style={{ outline: 'none' }}>
            {title}
          </Title>
          {description}
        </Stack>
        {actions ? <Group gap="xs">{actions}</Group> : null}
      </Group>
      {children}
    </Stack>
  );
}
