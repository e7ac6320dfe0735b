/**
 * Patching (the `patching` module): this host's patch runs (GET /patching/runs?host_id=) and, for patch managers, the
 * Patch Wizard with the host locked: "Patch all", or "Patch selected packages" chosen from its outdated packages. With
 * `patching_policies`, the package holds that apply to the host (its own and its groups').
 */
import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';

import type { HostDetail } from '../../../api/hosts';
import { patchingApi, patchingKeys } from '../../../api/patching';
import { useCan } from '../../../auth/useSession';
import { plural } from '../../../components/format';
import { HoldsSection } from '../../../components/patching/HoldsSection';
import { LazyPatchWizard } from '../../../components/patching/LazyPatchWizard';
import { BUSY_STATUSES } from '../../../components/patching/logic';
import { RunsTable } from '../../../components/patching/RunsTable';
import type { WizardSetup } from '../../../components/patching/wizard';
import { EmptyState } from '../../../components/states';
import { useCursorQuery } from '../../../components/useCursorQuery';

const PAGE_SIZE = 25;
const LIST_POLL_MS = 30_000;
const BUSY_POLL_MS = 10_000;

export function PatchingTab({ host }: { host: HostDetail }) {
  const canManage = useCan('can_manage_patching');
  const [wizard, setWizard] = useState<WizardSetup | null>(null);
  const query = { host_id: host.host_id };
  const { query: runs, pagination } = useCursorQuery({
    queryKey: patchingKeys.runs(query, PAGE_SIZE),
    fetchPage: (cursor, signal) => patchingApi.runs(query, cursor, PAGE_SIZE, signal),
    refetchInterval: (page) => (page?.items.some((r) => BUSY_STATUSES.has(r.status)) ? BUSY_POLL_MS : LIST_POLL_MS),
    staleTime: 0,
  });
  const self = [{ id: host.host_id, name: host.friendly_name }];
  const updates = host.updates_count ?? 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Stack gap={0}>
          <Title order={2} size="h4">Patch runs</Title>
          <Text size="sm" c="dimmed">{updates > 0 ? `${plural(updates, 'package')} can be updated` : 'Every package is up to date'}</Text>
        </Stack>
        {canManage ? (
          <Group gap="xs">
            <Button onClick={() => setWizard({ mode: 'trigger', patchType: 'patch_all', hosts: self, packages: [] })}>Patch all</Button>
            <Button variant="default" disabled={updates === 0}
              onClick={() => setWizard({ mode: 'trigger', patchType: 'patch_package', hosts: self, packages: [], choosePackagesOf: host.host_id })}
            >
              Patch selected packages
            </Button>
          </Group>
        ) : null}
      </Group>
      <RunsTable caption={`Patch runs of ${host.friendly_name}`} showHost={false} rows={runs.data?.items} pagination={pagination}
        fetching={runs.isPlaceholderData} error={runs.error} onRetry={() => void runs.refetch()}
        empty={<EmptyState title="No patch runs yet" description="Patch runs on this host appear here." />}
      />
      <HoldsSection target={{ type: 'host', id: host.host_id, name: host.friendly_name }} />
      <HeldOnHost host={host} />
      {canManage ? <LazyPatchWizard opened={wizard !== null} onClose={() => setWizard(null)} setup={wizard ?? { mode: 'approve', runs: [] }} /> : null}
    </Stack>
  );
}

/** The packages the host holds by itself, as its agent reports them: kept back by its own package manager whatever the server asks. */
function HeldOnHost({ host }: { host: HostDetail }) {
  const held = host.held_packages ?? [];
  if (host.held_packages == null) return null;
  const count = host.held_packages_count ?? held.length;
  return (
    <Stack gap={4} component="section" aria-label={`Packages ${host.friendly_name} holds itself`}>
      <Title order={3} size="h5">Held on the host itself</Title>
      <Text size="sm" c="dimmed">
        {count === 0
          ? 'The host reports no packages held by its own package manager (apt-mark, versionlock, zypper locks, IgnorePkg).'
          : `${plural(count, 'package')} held by the host's own package manager; no run upgrades them.`}
      </Text>
      {held.length ? <Text size="sm" ff="monospace" data-testid="host-held-packages">{held.join(', ')}{count > held.length ? ', …' : ''}</Text> : null}
    </Stack>
  );
}
