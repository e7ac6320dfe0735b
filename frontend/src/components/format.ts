/** How numbers, times and names read across the app: the one owner of count, plural, date, date-time, time, relative-time and name wording. */
import type { User } from '../api/types';

// Numbers in English grouping ("1,234"), like the rest of the app's text; dates in the browser's locale.
const numbers = new Intl.NumberFormat('en');

/** 1234 → "1,234"; a missing count reads 0. */
export function formatCount(value: number | null | undefined): string {
  return numbers.format(value ?? 0);
}

/** "412 packages", "1 host", "2 repositories" (with `many`). */
export function plural(count: number | null | undefined, one: string, many = `${one}s`): string {
  const n = count ?? 0;
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const DAY = { year: 'numeric', month: 'short', day: 'numeric' } as const;

function clock(seconds: boolean): Intl.DateTimeFormatOptions {
  return { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) };
}

interface DateFormatOptions {
  /** The text for no time ('' unless given: "Never", "—"). */
  missing?: string;
  /** Add the seconds (the audit log). */
  seconds?: boolean;
}

/** "12 Mar 2025, 14:05" in the browser's locale; `missing` for no time, the text itself when it is not a time. */
export function formatDateTime(iso: string | null | undefined, { missing = '', seconds = false }: DateFormatOptions = {}): string {
  if (!iso) return missing;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(undefined, { ...DAY, ...clock(seconds) });
}

/**
 * "14:05" (with `seconds`, "14:05:33") in the browser's locale, from an ISO time or epoch milliseconds (a query's
 * `dataUpdatedAt`); `missing` for no time, the text itself when it is not a time.
 */
export function formatTime(time: string | number | null | undefined, { missing = '', seconds = false }: DateFormatOptions = {}): string {
  if (!time) return missing;
  const at = new Date(time);
  return Number.isNaN(at.getTime()) ? String(time) : at.toLocaleTimeString(undefined, clock(seconds));
}

/** "12 Mar 2025" in the browser's locale; `missing` for no date, the text itself when it is not a date. */
export function formatDate(iso: string | null | undefined, { missing = '' }: Pick<DateFormatOptions, 'missing'> = {}): string {
  if (!iso) return missing;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleDateString(undefined, DAY);
}

/** "Ada Lovelace"; '' for a user without a name (callers fall back to the username). */
export function fullName(user: Pick<User, 'first_name' | 'last_name'>): string {
  return [user.first_name, user.last_name].filter(Boolean).join(' ');
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600], ['month', 30 * 24 * 3600], ['week', 7 * 24 * 3600], ['day', 24 * 3600], ['hour', 3600], ['minute', 60],
];

/** "5 minutes ago", "yesterday", "just now"; "Never" for no time. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return 'Never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'Unknown';
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60) || (seconds < 0 ? -1 : 1), 'minute');
}
