import { describe, expect, it } from 'vitest';

import { formatCount, formatDate, formatDateTime, formatRelative, formatTime, fullName, plural } from './format';

describe('formatting', () => {
  const now = Date.parse('2025-06-10T12:00:00Z');

  it('reads times relative to now', () => {
    expect(formatRelative(null, now)).toBe('Never');
    expect(formatRelative('2025-06-10T11:59:40Z', now)).toBe('just now');
    expect(formatRelative('2025-06-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2025-06-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2025-06-09T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('not a time', now)).toBe('Unknown');
  });

  it('shows a time with its date, the text itself when it is not a time, and a placeholder for none', () => {
    const at = new Date('2025-06-10T12:00:00Z');
    const day = { year: 'numeric', month: 'short', day: 'numeric' } as const;
    expect(formatDateTime('2025-06-10T12:00:00Z')).toBe(at.toLocaleString(undefined, { ...day, hour: '2-digit', minute: '2-digit' }));
    expect(formatDateTime('2025-06-10T12:00:00Z', { seconds: true }))
      .toBe(at.toLocaleString(undefined, { ...day, hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    expect(formatDateTime('soon')).toBe('soon');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime(undefined, { missing: 'Never' })).toBe('Never');
    expect(formatDate('2025-06-10T12:00:00Z')).toBe(at.toLocaleDateString(undefined, day));
    expect(formatDate(null, { missing: '—' })).toBe('—');
  });

  it('shows a time of day from an ISO time or epoch milliseconds, with seconds when asked', () => {
    const at = new Date('2025-06-10T12:00:05Z');
    const clock = { hour: '2-digit', minute: '2-digit' } as const;
    expect(formatTime('2025-06-10T12:00:05Z')).toBe(at.toLocaleTimeString(undefined, clock));
    expect(formatTime(at.getTime(), { seconds: true })).toBe(at.toLocaleTimeString(undefined, { ...clock, second: '2-digit' }));
    expect(formatTime('soon')).toBe('soon');
    expect(formatTime(0)).toBe('');
    expect(formatTime(null, { missing: '—' })).toBe('—');
  });

  it("joins a user's names, empty when there are none", () => {
    expect(fullName({ first_name: 'Ada', last_name: 'Lovelace' })).toBe('Ada Lovelace');
    expect(fullName({ first_name: null, last_name: 'Lovelace' })).toBe('Lovelace');
    expect(fullName({ first_name: '', last_name: null })).toBe('');
  });

  it('counts with thousands separators and the right plural', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(plural(412, 'package')).toBe('412 packages');
    expect(plural(1, 'host')).toBe('1 host');
    expect(plural(1000, 'host')).toBe('1,000 hosts');
    expect(plural(2, 'repository', 'repositories')).toBe('2 repositories');
    expect(plural(null, 'host')).toBe('0 hosts');
  });
});
