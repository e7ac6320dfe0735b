/** Hooks of the inventory pages: a debounced search box kept in the URL, and a page size kept per browser. */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

import { parsePageSize } from './filters';

export const SEARCH_DEBOUNCE_MS = 300;

/**
 * A text input bound to the search param `key`: typing updates the box at once and the URL (so the query) after
 * `delay` ms of quiet; a URL change from elsewhere (Back, a link) puts its value back in the box.
 */
export function useSearchParamInput(key: string, delay = SEARCH_DEBOUNCE_MS): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const committed = (params.get(key) ?? '').trim();
  const [text, setText] = useState(committed);
  const [seen, setSeen] = useState(committed);
  if (seen !== committed) {
    // Adjusting state while rendering: the URL changed; our own debounced write already matches the box.
    setSeen(committed);
    if (text.trim() !== committed) setText(committed);
  }

  useEffect(() => {
    const wanted = text.trim();
    if (wanted === committed) return undefined;
    const timer = window.setTimeout(() => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (wanted) next.set(key, wanted);
        else next.delete(key);
        return next;
      }, { replace: true });
    }, delay);
    return () => window.clearTimeout(timer);
  }, [text, committed, key, delay, setParams]);

  return [text, setText];
}

function readStored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Rows per page (25/50/100/200), remembered in this browser under `storageKey`. */
export function useStoredPageSize(storageKey: string): [number, (size: number) => void] {
  const [size, setSize] = useState(() => parsePageSize(readStored(storageKey)));
  const update = (next: number) => {
    setSize(next);
    try {
      window.localStorage.setItem(storageKey, String(next));
    } catch {
      // Storage disabled: the choice lasts until the page is left.
    }
  };
  return [size, update];
}
