/** Small display helpers shared by the user-management pages. */
import type { User } from '../../../api/types';

/** "12 Mar 2025, 14:05" in the browser's locale; "Never" for a missing time. */
export function formatDateTime(value: string | null | undefined, never = 'Never'): string {
  if (!value) return never;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "12 Mar 2025" in the browser's locale. */
export function formatDate(value: string | null | undefined, never = 'Never'): string {
  if (!value) return never;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Keeps a table cell's text on one line (the table scrolls sideways instead of squeezing it). */
export const NOWRAP = { whiteSpace: 'nowrap' } as const;
/** For a Badge in a table cell: as wide as its text, never truncated to "Su…". */
export const FULL_BADGE = { minWidth: 'max-content' } as const;

export function fullName(user: Pick<User, 'first_name' | 'last_name'>): string {
  return [user.first_name, user.last_name].filter(Boolean).join(' ');
}
