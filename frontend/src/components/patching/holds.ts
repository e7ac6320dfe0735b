/**
 * Package holds, as the server matches them (holds.py: `fnmatch.fnmatchcase`): a pattern is a package name in which
 * `*` stands for any run of characters (none too) and `?` for exactly one; matching is case-sensitive and covers the
 * whole name. The pattern alphabet (schemas.py HoldCreate) has no `[`, so character classes never occur.
 */
import type { PackageHold } from '../../api/patching';

/** What a hold's pattern may be (schemas.py HoldCreate): a letter, digit, `*` or `?`, then those and `._+-`. */
export const HOLD_PATTERN = /^[a-zA-Z0-9*?][a-zA-Z0-9._+\-*?]*$/;
export const MAX_HOLD_PATTERN_LENGTH = 256;
export const MAX_HOLD_REASON_LENGTH = 500;

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Whether `name` matches the hold pattern (`*` any characters, `?` one; case-sensitive, the whole name). */
export function fnmatch(name: string, pattern: string): boolean {
  return toRegExp(pattern).test(name);
}

/** The holds whose pattern matches a package name. */
export function holdsMatching<T extends Pick<PackageHold, 'pattern'>>(name: string, holds: readonly T[]): T[] {
  return holds.filter((hold) => fnmatch(name, hold.pattern));
}
