export type SortDirection = 'asc' | 'desc';

export interface SortState {
  /** The column key, sent to the server as `sort` (GET /hosts: `sort=hostname&order=desc`). */
  key: string;
  direction: SortDirection;
}

/** The order a header click asks for: a new column starts ascending, the sorted one flips. */
export function nextSort(current: SortState | null | undefined, key: string): SortState {
  if (current?.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: 'asc' };
}
