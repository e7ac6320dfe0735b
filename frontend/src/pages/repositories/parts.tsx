/** Badges of the Repositories pages. */
import { Badge } from '@mantine/core';

function LockIcon({ open }: { open: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5" aria-hidden="true">
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d={open ? 'M8 11V7a4 4 0 0 1 7.5-2' : 'M8 11V7a4 4 0 0 1 8 0v4'} />
    </svg>
  );
}

/** Secure (HTTPS, a closed lock) or Insecure (plain HTTP, an open lock, in the warning colour). */
export function SecurityBadge({ secure }: { secure: boolean }) {
  return (
    <Badge variant="light" color={secure ? 'green' : 'orange'} leftSection={<LockIcon open={!secure} />} maw="none"
      styles={{ label: { overflow: 'visible' } }}
      title={secure ? 'Fetched over HTTPS' : 'Fetched over plain HTTP'}
    >
      {secure ? 'Secure' : 'Insecure'}
    </Badge>
  );
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <Badge variant="light" color={enabled ? 'green' : 'gray'}>
      {enabled ? 'Enabled' : 'Disabled'}
    </Badge>
  );
}
