/** The top of a settings section: its <h2> (the name in the sidebar; browser tests look it up), a line about it, and its actions. */
import { Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function SectionHeader({ title, description, actions }: { title: string; description: ReactNode; actions?: ReactNode }) {
  const heading = (
    <Stack gap={4}>
      <Title order={2}>{title}</Title>
      <Text c="dimmed" size="sm">{description}</Text>
    </Stack>
  );
  if (!actions) return heading;
  return (
    <Group justify="space-between" align="flex-end" wrap="wrap">
      {heading}
      {actions}
    </Group>
  );
}
