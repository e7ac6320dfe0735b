/** Cursor pagination for DataTable: remembers the cursors of the pages visited so "Previous page" works. */
import { keepPreviousData, useQuery, type QueryKey } from '@tanstack/react-query';
import { useState } from 'react';

import type { CursorPaginationControls } from './DataTable';

interface CursorStack {
  /** The cursor of the page shown (null: the first page). */
  cursor: string | null;
  pageIndex: number;
  next: (cursor: string) => void;
  previous: () => void;
  reset: () => void;
}

/** A stack of visited cursors; it starts over whenever `resetKey` (filters, sort) changes. */
export function useCursorStack(resetKey: unknown = null): CursorStack {
  const key = JSON.stringify(resetKey);
  const [state, setState] = useState<{ key: string; stack: (string | null)[] }>({ key, stack: [null] });
  // Adjusting state while rendering (React's pattern for "reset when a prop changes"), so no stale page flashes.
  if (state.key !== key) setState({ key, stack: [null] });
  const stack = state.key === key ? state.stack : [null];
  return {
    cursor: stack[stack.length - 1] ?? null,
    pageIndex: stack.length - 1,
    next: (cursor) => setState((s) => ({ ...s, stack: [...s.stack, cursor] })),
    previous: () => setState((s) => ({ ...s, stack: s.stack.length > 1 ? s.stack.slice(0, -1) : s.stack })),
    reset: () => setState((s) => ({ ...s, stack: [null] })),
  };
}

interface CursorQueryOptions<TPage extends { next_cursor?: string | null }> {
  /** The list's key without the cursor, e.g. ['hosts', filters, sort]; also the reset key of the pagination. */
  queryKey: QueryKey;
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<TPage>;
  enabled?: boolean;
  /** A number of ms, or a function of the page shown (e.g. faster while something on it is changing). */
  refetchInterval?: number | false | ((page: TPage | undefined) => number | false);
  /** How long a page counts as fresh (the app default, 15 s, unless given): 0 refetches whenever the list is shown again. */
  staleTime?: number;
}

/**
 * One page of a cursor-paginated list and the controls for DataTable:
 *   const { query, pagination } = useCursorQuery({ queryKey: ['hosts', filters], fetchPage: (cursor, signal) => ... });
 *   <DataTable rows={query.data?.hosts} pagination={pagination} fetching={query.isPlaceholderData} ... />
 */
export function useCursorQuery<TPage extends { next_cursor?: string | null }>(options: CursorQueryOptions<TPage>) {
  const pages = useCursorStack(options.queryKey);
  const query = useQuery({
    queryKey: [...options.queryKey, { cursor: pages.cursor }],
    queryFn: ({ signal }) => options.fetchPage(pages.cursor, signal),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
    refetchInterval: (q) => {
      const interval = options.refetchInterval ?? false;
      return typeof interval === 'function' ? interval(q.state.data) : interval;
    },
    ...(options.staleTime === undefined ? {} : { staleTime: options.staleTime }),
  });
  const nextCursor = query.isPlaceholderData ? null : (query.data?.next_cursor ?? null);
  const pagination: CursorPaginationControls = {
    pageIndex: pages.pageIndex,
    hasPrevious: pages.pageIndex > 0,
    hasNext: Boolean(nextCursor),
    onPrevious: pages.previous,
    onNext: () => {
      if (nextCursor) pages.next(nextCursor);
    },
  };
  return { query, pagination };
}
