/** Rows per page for the long server-paged lists, remembered per list in this browser. */
import { useState } from 'react';

export const PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;

/** A stored page size, or the default when it is missing or not one of PAGE_SIZES. */
export function parsePageSize(raw: string | null): number {
  const value = Number(raw);
  return (PAGE_SIZES as readonly number[]).includes(value) ? value : DEFAULT_PAGE_SIZE;
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
