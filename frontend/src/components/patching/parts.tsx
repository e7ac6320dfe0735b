/**
 * Badges of the patching screens: a run's status, its "Extra deps" pill, the post-patch report pill, its reboot pill,
 * the link to its rollout.
 */
import { Badge } from '@mantine/core';
import { Link } from 'react-router';

import type { RunReboot } from '../../api/patching';
import { plural } from '../format';
import { rebootPill, statusColor, statusLabel } from './logic';
import { rolloutHref } from './rollout';

export function RunStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge color={statusColor(status)} variant="light" tt="none" miw="max-content" data-testid={testId} data-status={status}>
      {statusLabel(status)}
    </Badge>
  );
}

export function ExtraDepsPill({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <Badge color="orange" variant="outline" size="sm" tt="none" miw="max-content" title={`The dry run would also change ${plural(count, 'other package')}`}>
      Extra deps
    </Badge>
  );
}

export function PostPatchPill({ state }: { state: 'awaiting_report' | 'report_received' | null }) {
  if (state === 'awaiting_report') return <Badge color="yellow" variant="dot" tt="none" miw="max-content">Awaiting inventory report</Badge>;
  if (state === 'report_received') return <Badge color="green" variant="dot" tt="none" miw="max-content">New report received</Badge>;
  return null;
}

/** "Rebooting", "Rebooted" or "Reboot required" (a reboot the policy did not allow); nothing for other runs. */
export function RebootPill({ reboot }: { reboot: RunReboot | null | undefined }) {
  const pill = rebootPill(reboot);
  if (!pill) return null;
  return (
    <Badge color={pill.color} variant="outline" size="sm" tt="none" miw="max-content" title={pill.title} data-reboot={reboot?.decision ?? undefined}>
      {pill.label}
    </Badge>
  );
}

/** "Rollout": a link to the rollout a run belongs to (`name` says which run, for a list of them). */
export function RolloutBadge({ rolloutId, name }: { rolloutId: string | null | undefined; name?: string }) {
  if (!rolloutId) return null;
  return (
    <Badge component={Link} to={rolloutHref(rolloutId)} color="violet" variant="outline" size="sm" tt="none" miw="max-content" style={{ cursor: 'pointer' }}
      aria-label={name ? `Rollout of the run on ${name}` : undefined} title="Started by its rollout, a few hosts at a time: open the rollout" data-testid="rollout-badge"
    >
      Rollout
    </Badge>
  );
}
