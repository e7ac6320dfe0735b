/** Pure helpers of two-factor enrolment: the TOTP secret's display and the backup-codes file. */

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
