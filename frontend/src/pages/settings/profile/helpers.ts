/** Pure helpers of My profile: device names, the TOTP secret's display, the backup-codes file. */

const BROWSERS: [string, string][] = [['Edg/', 'Edge'], ['OPR/', 'Opera'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']];
const SYSTEMS: [string, string][] = [['Windows', 'Windows'], ['Android', 'Android'], ['iPhone', 'iOS'], ['iPad', 'iOS'], ['CrOS', 'ChromeOS'],
  ['Mac OS X', 'macOS'], ['Linux', 'Linux']];

/** "Chrome on Linux" from a user agent, the way the server labels trusted devices (tfa/trusted_devices.py). */
export function deviceLabel(userAgent: string): string {
  const browser = BROWSERS.find(([marker]) => userAgent.includes(marker))?.[1];
  const system = SYSTEMS.find(([marker]) => userAgent.includes(marker))?.[1];
  if (!browser && !system) return userAgent ? 'Unknown device' : 'Unknown device (no user agent)';
  return `${browser ?? 'Unknown browser'} on ${system ?? 'unknown OS'}`;
}

/** "ABCD EFGH IJKL …": easier to type into an authenticator app (which ignores the spaces). */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

/** The plain-text file "Download codes" saves. */
export function backupCodesFile(codes: readonly string[], account: string, when: Date = new Date()): string {
  return [
    'PatchMon Cloud backup codes',
    `Account: ${account}`,
    `Generated: ${when.toISOString()}`,
    'Each code signs you in once, in place of a code from your authenticator app. Keep them somewhere safe.',
    '',
    ...codes,
    '',
  ].join('\n');
}

/** Save text as a file through a temporary link. */
export function downloadText(filename: string, text: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}
