/**
 * The shell output of a run (C11.18): a dark, wrapping <pre> about 420 px tall (at most 55 % of the viewport) that
 * follows new output while the reader is at the bottom, and stops following once they scroll up more than 32 px.
 */
import { Button, Group, Text, Title } from '@mantine/core';
import { useLayoutEffect, useRef } from 'react';

import { useToast } from '../../components/useToast';
import { isNearBottom, terminalText } from './stream';

const STYLE = {
  margin: 0, height: 420, maxHeight: '55vh', overflow: 'auto', padding: 12, borderRadius: 6, background: '#0d1117', color: '#c9d1d9',
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12.5, lineHeight: 1.45,
  whiteSpace: 'pre-wrap', overflowWrap: 'anywhere',
} as const;

interface TerminalProps {
  output: string;
  /** Shown instead of the output while there is none. */
  placeholder: string;
  /** Offer "Copy output" (not while the run is queued or running, C11.19). */
  copyable: boolean;
  live: boolean;
}

export function Terminal({ output, placeholder, copyable, live }: TerminalProps) {
  const toast = useToast();
  const box = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  const text = terminalText(output);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => toast.show({ tone: 'success', message: 'Output copied' }),
      () => toast.show({ tone: 'error', message: 'The browser did not allow copying; select the text instead.' }),
    );
  };

  return (
    <section aria-labelledby="shell-output-heading">
      <Group justify="space-between" mb={6}>
        <Group gap="xs">
          <Title order={2} size="h5" id="shell-output-heading">Shell output</Title>
          {live ? <Text span size="xs" c="green" fw={700}>● Live</Text> : null}
        </Group>
        {copyable && text ? <Button size="compact-sm" variant="default" onClick={copy}>Copy output</Button> : null}
      </Group>
      {/* Focusable so keyboard users can scroll it (a scrollable region must be reachable). */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <pre ref={box} data-testid="patch-terminal" style={STYLE} tabIndex={0} aria-label="Shell output"
        onScroll={() => {
          if (box.current) following.current = isNearBottom(box.current);
        }}
      >
        {text || placeholder}
      </pre>
    </section>
  );
}

/** A short output (the post-reboot hooks'): the same dark block, as tall as its text up to 200 px, not followed. */
export function SmallTerminal({ output, label, testId }: { output: string; label: string; testId?: string }) {
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <pre data-testid={testId} style={{ ...STYLE, height: 'auto', maxHeight: 200 }} tabIndex={0} aria-label={label}>
      {terminalText(output)}
    </pre>
  );
}
