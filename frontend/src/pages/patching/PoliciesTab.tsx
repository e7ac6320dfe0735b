/**
 * Patching → Policies (C10): each policy's schedule and assignment count, create/edit/delete, and its "Applied to"
 * panel (`?policy=<id>`). Needs the `patching_policies` module (Plus): without it, "Upgrade required" and the tier.
 */
import { Badge, Button, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { errorMessage } from '../../api/errors';
import { patchingApi, patchingKeys, type PatchPolicy } from '../../api/patching';
import { UpgradeRequired } from '../../auth/guards';
import { MODULE_TIER } from '../../auth/modules';
import { useCan, useHasModule } from '../../auth/useSession';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DataTable, type Column } from '../../components/DataTable';
import { plural } from '../../components/format';
import { isModuleUnavailable, scheduleLabel } from '../../components/patching/logic';
import { rolloutSpecLabel } from '../../components/patching/rollout';
import { EmptyState } from '../../components/states';
import { useToast } from '../../components/useToast';
import { PolicyFormModal } from './PolicyFormModal';
import { PolicyMembers } from './PolicyMembers';

export function PoliciesUpgrade() {
  const tier = MODULE_TIER.patching_policies;
  return (
    <Stack gap={0} align="center">
      {tier ? <Badge color="blue" variant="filled" mt="md">{tier}</Badge> : null}
      <UpgradeRequired module="patching_policies" feature="Patch policies" />
    </Stack>
  );
}

export function PoliciesTab() {
  const available = useHasModule('patching_policies');
  return available ? <Policies /> : <PoliciesUpgrade />;
}

function Policies() {
  const canManage = useCan('can_manage_patching');
  const toast = useToast();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const expanded = params.get('policy');
  const [editing, setEditing] = useState<PatchPolicy | 'new' | null>(null);
  const [deleting, setDeleting] = useState<PatchPolicy | null>(null);
  const policies = useQuery({ queryKey: patchingKeys.policies, queryFn: ({ signal }) => patchingApi.policies(signal) });
  const remove = useMutation({
    mutationFn: (policy: PatchPolicy) => patchingApi.removePolicy(policy.id),
    onSuccess: (_, policy) => {
      toast.show({ tone: 'success', message: `Policy "${policy.name}" deleted` });
      setDeleting(null);
      if (expanded === policy.id) expand(null);
      void queryClient.invalidateQueries({ queryKey: patchingKeys.policies });
    },
  });
  const expand = (id: string | null) => setParams((p) => {
    const next = new URLSearchParams(p);
    if (id) next.set('policy', id);
    else next.delete('policy');
    return next;
  }, { replace: true });

  if (isModuleUnavailable(policies.error)) return <PoliciesUpgrade />;

  const columns: Column<PatchPolicy>[] = [
    {
      key: 'name', header: 'Name', cell: (p) => (
        <Stack gap={0}>
          <Text size="sm" fw={600}>{p.name}</Text>
          {p.description ? <Text size="xs" c="dimmed" lineClamp={2}>{p.description}</Text> : null}
        </Stack>
      ),
    },
    {
      key: 'schedule', header: 'Schedule', cell: (p) => (
        <Group gap={6} wrap="wrap">
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{scheduleLabel(p)}</Text>
          {p.patch_delay_type === 'maintenance_window' && p.window?.paused ? <Badge color="gray" variant="light" tt="none">Paused</Badge> : null}
          {p.patch_delay_type === 'maintenance_window' && p.window?.rollout ? (
            <Badge color="violet" variant="outline" tt="none" miw="max-content" title={rolloutSpecLabel(p.window.rollout)}>Rolls out gradually</Badge>
          ) : null}
          {p.reboot_policy && p.reboot_policy !== 'never' ? (
            <Badge color="blue" variant="outline" tt="none" miw="max-content">Reboot {p.reboot_policy === 'always' ? 'always' : 'if required'}</Badge>
          ) : null}
        </Group>
      ),
    },
    {
      key: 'assignments', header: 'Applied to', nowrap: true, cell: (p) => (
        <UnstyledButton onClick={() => expand(expanded === p.id ? null : p.id)} aria-expanded={expanded === p.id} c="blue" fz="sm" td="underline">
          {plural(p.assignment_count, 'assignment')}
        </UnstyledButton>
      ),
    },
    ...(canManage ? [{
      key: 'actions', header: 'Actions', cell: (p: PatchPolicy) => (
        <Group gap={4} wrap="nowrap">
          <Button size="compact-sm" variant="default" onClick={() => setEditing(p)}>Edit</Button>
          <Button size="compact-sm" color="red" variant="subtle" onClick={() => setDeleting(p)}>Delete</Button>
        </Group>
      ),
    }] : []),
  ];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Text size="sm" c="dimmed" maw={640}>
          A policy sets when approved and triggered runs start on the hosts and host groups it is assigned to, or opens a maintenance window that
          patches them by itself. A host with no policy runs immediately (the Default policy).
        </Text>
        {canManage ? <Button onClick={() => setEditing('new')}>Create policy</Button> : null}
      </Group>
      <DataTable caption="Patch policies" columns={columns} rows={policies.data?.items} rowKey={(p) => p.id} error={policies.error}
        onRetry={() => void policies.refetch()} loadingLabel="Loading policies…"
        empty={<EmptyState title="No policies yet" description="Without a policy every run starts as soon as it is triggered or approved."
          action={canManage ? <Button onClick={() => setEditing('new')}>Create policy</Button> : undefined}
        />}
      />
      {expanded && policies.data?.items.some((p) => p.id === expanded) ? <PolicyMembers key={expanded} policyId={expanded} onClose={() => expand(null)} /> : null}
      {canManage ? (
        <>
          <PolicyFormModal opened={editing !== null} policy={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
          <ConfirmDialog opened={deleting !== null} onClose={() => { setDeleting(null); remove.reset(); }} title={`Delete ${deleting?.name ?? 'policy'}?`}
            confirmLabel="Delete policy" loading={remove.isPending} onConfirm={() => { if (deleting) remove.mutate(deleting); }}
            error={remove.error ? errorMessage(remove.error) : null}
          >
            Its assignments and exclusions are deleted with it. Runs already scheduled by it still run; new runs on its hosts follow their next policy,
            or run immediately.
          </ConfirmDialog>
        </>
      ) : null}
    </Stack>
  );
}
