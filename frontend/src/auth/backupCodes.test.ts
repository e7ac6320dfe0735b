import { describe, expect, it } from 'vitest';

import { backupCodesFile, groupSecret } from './backupCodes';

describe('two-factor enrolment helpers', () => {
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
