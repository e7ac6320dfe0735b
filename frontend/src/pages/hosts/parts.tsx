/** Small pieces shared by the Hosts pages: badges, group chips, times and copyable text. */
import { Badge, Box, Button, Checkbox, Code, ColorSwatch, Group, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState, type ReactNode } from 'react';

import type { HostGroup } from '../../api/hostGroups';
import { formatDateTime, formatRelative } from '../../components/format';
import { connectionLabel, statusColor } from './logic';

/** The host's status word ("active", "pending", "offline") and nothing else, so it can be matched exactly. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor(status)} variant="light" tt="none" miw="max-content">
      {status}
    </Badge>
  );
}

export function ConnectionBadge({ host }: { host: { connected: boolean; secure?: boolean } }) {
  const label = connectionLabel(host);
  const color = label === 'WSS' ? 'teal' : label === 'WS' ? 'yellow' : 'red';
  const title = label === 'WSS' ? 'Agent connected over a secure WebSocket' : label === 'WS' ? 'Agent connected over a plain WebSocket (no TLS)'
    : 'Agent WebSocket not connected';
  return (
    <Badge color={color} variant="outline" title={title} miw="max-content">
      {label}
    </Badge>
  );
}

/** Coloured chips for a host's groups (the group's own colour is data, shown as the chip's dot). */
export function GroupChips({ ids, groups }: { ids: string[] | null | undefined; groups: Map<string, HostGroup> }) {
  const known = (ids ?? []).map((id) => groups.get(id)).filter((g): g is HostGroup => Boolean(g));
  if (known.length === 0) return <Text size="sm" c="dimmed">None</Text>;
  return (
    <Group gap={4}>
      {known.map((group) => (
        <Badge key={group.id} variant="dot" color={group.color ?? 'gray'} tt="none" title={group.description ?? undefined} miw="max-content">
          {group.name}
        </Badge>
      ))}
    </Group>
  );
}

/** One checkbox per group (its colour dot and name), for a <Checkbox.Group> of group ids. */
export function GroupCheckboxes({ groups }: { groups: HostGroup[] }) {
  return (
    <Stack gap={6} mt={6}>
      {groups.map((group) => (
        <Checkbox key={group.id} value={group.id} label={(
          <Group gap={6} wrap="nowrap" component="span">
            <ColorSwatch color={group.color ?? '#868e96'} size={12} aria-hidden="true" component="span" />
            {group.name}
          </Group>
        )}
        />
      ))}
    </Stack>
  );
}

/** "5 minutes ago", with the exact time in its tooltip. */
export function RelativeTime({ iso, now }: { iso: string | null | undefined; now: number }) {
  if (!iso) return <Text span size="sm" c="dimmed">Never</Text>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard blocked (plain http, permissions): offer the text selected in a prompt, as PatchMon does.
    window.prompt('Copy with Ctrl+C (⌘C on a Mac), then press Enter', text);
    return false;
  }
}

/** A button that copies `text`; its accessible name says what it copies. */
function CopyTextButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <Button size="compact-xs" variant="default" aria-label={copied ? `${label}: copied` : label} onClick={() => {
      void copyText(text).then((ok) => {
        if (!ok) return;
        setCopied(true);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setCopied(false), 2000);
      });
    }}
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

/** A labelled value shown in a <code> with its copy button. */
export function CopyableValue({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>{label}</Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code data-testid={testId} style={{ wordBreak: 'break-all' }}>{value}</Code>
        <CopyTextButton text={value} label={`Copy ${label}`} />
      </Group>
    </Stack>
  );
}

/** A shell command in a <pre>, with a copy button. */
export function CommandBlock({ label, command, copyLabel, description }: { label: string; command: string; copyLabel: string; description?: ReactNode }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600}>{label}</Text>
        <CopyTextButton text={command} label={copyLabel} />
      </Group>
      {description ? <Text size="xs" c="dimmed">{description}</Text> : null}
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{command}</Code>
    </Stack>
  );
}

interface Fact {
  label: string;
  value: ReactNode;
}

/** Label/value pairs as a description list; empty values read "Not reported". */
export function FactList({ facts }: { facts: Fact[] }) {
  return (
    <Box component="dl" m={0} style={{ display: 'grid', gridTemplateColumns: 'minmax(8rem, max-content) 1fr', columnGap: 16, rowGap: 8 }}>
      {facts.map((fact) => (
        <div key={fact.label} style={{ display: 'contents' }}>
          <Text component="dt" size="sm" c="dimmed">{fact.label}</Text>
          <Box component="dd" m={0} fz="sm" style={{ wordBreak: 'break-word' }}>
            {fact.value === null || fact.value === undefined || fact.value === '' ? <Text span size="sm" c="dimmed">Not reported</Text> : fact.value}
          </Box>
        </div>
      ))}
    </Box>
  );
}
