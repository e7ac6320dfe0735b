import { Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';

import { APP_NAME } from '../../components/Page';
import { ThemeToggle } from '../../components/ThemeToggle';

/** The frame of the signed-out pages: the product name, one <h1> and a card. */
export function AuthLayout({ title, subtitle, children, width = 420 }: { title: string; subtitle?: ReactNode; children: ReactNode; width?: number }) {
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
  return (
    <Box mih="100vh" bg="var(--mantine-color-default-hover)">
      <Group justify="flex-end" p="md" pos="absolute" right={0} top={0}>
        <ThemeToggle />
      </Group>
      <Center mih="100vh" px="md" py="xl">
        <Stack w={`min(${width}px, 100%)`} gap="md" component="main">
          <Text ta="center" fw={700} fz="lg" c="blue.7">
            {APP_NAME}
          </Text>
          <Paper withBorder shadow="sm" p="xl" radius="md">
            <Stack gap="md">
              <div>
                <Title order={1} size="h2">
                  {title}
                </Title>
                {subtitle ? <Text c="dimmed" size="sm" mt={4}>{subtitle}</Text> : null}
              </div>
              {children}
            </Stack>
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
