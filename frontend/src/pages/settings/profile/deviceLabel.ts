/** Device names for My profile's trusted devices and sessions. */

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
