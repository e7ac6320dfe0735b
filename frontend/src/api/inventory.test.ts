import { expect, it } from 'vitest';

import { hostLabel, packageHref, packageSegment } from './inventory';

it('puts any package name in one path segment', () => {
  expect(packageHref('libstdc++6')).toBe('/packages/libstdc%2B%2B6');
  expect(packageSegment('libc6:amd64')).toBe('libc6%3Aamd64');
  expect(packageSegment('python3.11')).toBe('python3.11');
  expect(packageSegment('a/b c')).toBe('a%2Fb%20c');
});

it('names a host by its friendly name, else its hostname, else its id', () => {
  expect(hostLabel({ host_id: 'h1', friendly_name: 'web-01', hostname: 'web01.lan' })).toBe('web-01');
  expect(hostLabel({ host_id: 'h1', hostname: 'web01.lan' })).toBe('web01.lan');
  expect(hostLabel({ host_id: 'h1' })).toBe('h1');
});
