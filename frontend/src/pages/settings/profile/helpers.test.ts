import { describe, expect, it } from 'vitest';

import { backupCodesFile, deviceLabel, groupSecret } from './helpers';

describe('profile helpers', () => {
  it('names devices from their user agent', () => {
    expect(deviceLabel('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(deviceLabel('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0')).toBe('Edge on Windows');
    expect(deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1'))
      .toBe('Safari on iOS');
    expect(deviceLabel('python-httpx/0.27')).toBe('Unknown device');
    expect(deviceLabel('')).toBe('Unknown device (no user agent)');
  });

  it('groups the secret in fours without changing it', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSW')).toBe('JBSW Y3DP EHPK 3PXP JBSW');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
    expect(groupSecret(groupSecret('ABCDEFGH')).replace(/\s/g, '')).toBe('ABCDEFGH');
  });

  it('writes the backup codes one a line under a header', () => {
    const text = backupCodesFile(['aaaa1111', 'bbbb2222'], 'root', new Date('2025-01-02T03:04:05Z'));
    expect(text).toContain('Account: root');
    expect(text).toContain('Generated: 2025-01-02T03:04:05.000Z');
    expect(text.trim().split('\n').slice(-2)).toEqual(['aaaa1111', 'bbbb2222']);
  });
});
