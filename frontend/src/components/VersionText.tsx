import { Text } from '@mantine/core';

/** A package version as the package manager wrote it: monospaced, wrapping anywhere (they can be long); a dash for none. */
export function VersionText({ value }: { value: string | null | undefined }) {
  return value ? <Text span size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{value}</Text> : <Text span size="sm" c="dimmed">—</Text>;
}
