import { describe, expect, it } from 'vitest';

import { fnmatch, HOLD_PATTERN, holdsMatching } from './holds';

describe('hold patterns (fnmatch, case-sensitive)', () => {
  it('matches * as any run of characters, none included, and ? as exactly one', () => {
    expect(fnmatch('linux-image-6.1.0-26-amd64', 'linux-image-*')).toBe(true);
    expect(fnmatch('linux-image-', 'linux-image-*')).toBe(true);
    expect(fnmatch('postgresql-15', 'postgresql*')).toBe(true);
    expect(fnmatch('postgresql', 'postgresql*')).toBe(true);
    expect(fnmatch('libssl3', 'libssl?')).toBe(true);
    expect(fnmatch('libssl', 'libssl?')).toBe(false);
    expect(fnmatch('libssl30', 'libssl?')).toBe(false);
    expect(fnmatch('anything', '*')).toBe(true);
    expect(fnmatch('python3.11-minimal', '*3.1?-*')).toBe(true);
  });

  it('matches the whole name, case-sensitively, with the other characters taken literally', () => {
    expect(fnmatch('curl', 'curl')).toBe(true);
    expect(fnmatch('libcurl4', 'curl')).toBe(false);
    expect(fnmatch('curl-dev', 'curl')).toBe(false);
    expect(fnmatch('Curl', 'curl')).toBe(false);
    expect(fnmatch('libstdc++6', 'libstdc++6')).toBe(true);
    expect(fnmatch('libstdcc6', 'libstdc+6')).toBe(false); // + is not a regex quantifier here
    expect(fnmatch('python3x11', 'python3.11')).toBe(false); // nor . a wildcard
    expect(fnmatch('python3.11', 'python3.11')).toBe(true);
  });

  it('lists the holds that match a package', () => {
    const holds = [{ id: 'a', pattern: 'linux-*' }, { id: 'b', pattern: 'linux-image-*' }, { id: 'c', pattern: 'nginx' }];
    expect(holdsMatching('linux-image-amd64', holds).map((h) => h.id)).toEqual(['a', 'b']);
    expect(holdsMatching('nginx-common', holds)).toEqual([]);
  });

  it('accepts the patterns the server accepts', () => {
    for (const ok of ['linux-image-*', '*', '?abc', 'libstdc++6', 'python3.11']) expect(HOLD_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '-foo', '.hidden', 'a b', 'lib[ab]', 'Ü']) expect(HOLD_PATTERN.test(bad)).toBe(false);
  });
});
