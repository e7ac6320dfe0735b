/** The package status badge of the Packages pages. */
import { Badge } from '@mantine/core';

import { STATUS_COLOR, STATUS_LABEL, type PackageStatus } from './filters';

function ShieldIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5" aria-hidden="true">
      <path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" />
    </svg>
  );
}

export function PackageStatusBadge({ status }: { status: PackageStatus }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant="light" leftSection={status === 'security' ? <ShieldIcon /> : null} maw="none"
      styles={{ label: { overflow: 'visible' } }}
    >
      {STATUS_LABEL[status]}
    </Badge>
  );
}
