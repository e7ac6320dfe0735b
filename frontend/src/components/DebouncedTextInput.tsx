import { TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';

const DEBOUNCE_MS = 300;

interface DebouncedTextInputProps {
  label: string;
  /** The committed value (a URL search param, usually). */
  value: string;
  /** Called with the trimmed text once typing pauses, when it differs from `value`. */
  onCommit: (value: string) => void;
  placeholder: string;
  type?: 'text' | 'search';
  /** Width from the xs breakpoint up (full width below). */
  width?: number;
}

/**
 * A text input whose value reaches `onCommit` once typing pauses (one request per word, not per key); a change of
 * `value` from outside (Back, a link, Clear filters) shows at once.
 */
export function DebouncedTextInput({ label, value, onCommit, placeholder, type = 'text', width = 220 }: DebouncedTextInputProps) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // Adjusting state while rendering: the value changed under us; our own commit already matches the box.
    setSeen(value);
    if (text.trim() !== value) setText(value);
  }
  const [debounced] = useDebouncedValue(text, DEBOUNCE_MS);
  useEffect(() => {
    if (debounced.trim() !== value) onCommit(debounced.trim());
    // Only a new debounced value commits; `value` catching up must not re-commit the old text.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  return (
    <TextInput label={label} type={type} placeholder={placeholder} value={text} onChange={(event) => setText(event.currentTarget.value)}
      w={{ base: '100%', xs: width }}
    />
  );
}
