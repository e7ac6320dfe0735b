/**
 * Settings → Host groups (C5.1–C5.8): the organisation's groups with their colour, description and a link to
 * their hosts; create, edit and delete for holders of can_manage_hosts (the server's rule for these routes). With the
 * `patching_policies` module, a group's package holds open below the table (`?holds=<group id>`; writes
 * can_manage_patching).
 */
import { Anchor, Button, ColorSwatch, Group, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { hostGroupsQuery, type HostGroup } from '../../../api/hostGroups';
import { useCan, useHasModule } from '../../../auth/useSession';
import { DataTable, type Column } from '../../../components/DataTable';
import { HoldsSection } from '../../../components/patching/HoldsSection';
import { EmptyState } from '../../../components/states';
import { SectionHeader } from '../shared/SectionHeader';
import { DeleteGroupModal } from './DeleteGroupModal';
import { GroupFormModal } from './GroupFormModal';

export default function HostGroupsSettings() {
  const canManage = useCan('can_manage_hosts');
  const groups = useQuery(hostGroupsQuery);
  // The form's group stays set while the dialog closes, so its title does not change mid-transition.
  const [form, setForm] = useState<{ opened: boolean; group: HostGroup | null }>({ opened: false, group: null });
  const openForm = (group: HostGroup | null) => setForm({ opened: true, group });
  const [deleting, setDeleting] = useState<{ opened: boolean; group: HostGroup | null }>({ opened: false, group: null });
  const withHolds = useHasModule('patching_policies');
  const [params, setParams] = useSearchParams();
  const holdsOf = withHolds ? groups.data?.find((g) => g.id === params.get('holds')) : undefined;
  const showHolds = (id: string | null) => setParams((p) => {
    const next = new URLSearchParams(p);
    if (id) next.set('holds', id);
    else next.delete('holds');
    return next;
  }, { replace: true });

  const columns: Column<HostGroup>[] = [
    {
      key: 'name', header: 'Group', cell: (g) => (
        <Group gap="xs" wrap="nowrap">
          <ColorSwatch color={g.color ?? 'var(--mantine-color-gray-5)'} size={14} aria-hidden="true" />
          <Text fw={600} size="sm">{g.name}</Text>
        </Group>
      ),
    },
    { key: 'description', header: 'Description', cell: (g) => (g.description ? <Text size="sm">{g.description}</Text> : <Text size="sm" c="dimmed">—</Text>) },
    {
      key: 'hosts', header: 'Hosts', cell: (g) => (
        <Anchor component={Link} to={`/hosts?group=${encodeURIComponent(g.id)}`} size="sm" aria-label={`Hosts in ${g.name}`}>View hosts</Anchor>
      ),
    },
  ];
  if (withHolds) {
    columns.push({
      key: 'holds', header: 'Package holds', cell: (g) => (
        <Button size="compact-sm" variant="subtle" aria-expanded={holdsOf?.id === g.id} aria-label={`Package holds of ${g.name}`}
          onClick={() => showHolds(holdsOf?.id === g.id ? null : g.id)}
        >
          Holds
        </Button>
      ),
    });
  }
  if (canManage) {
    columns.push({
      key: 'actions', header: 'Actions', align: 'right', cell: (g) => (
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Button size="compact-sm" variant="subtle" onClick={() => openForm(g)} aria-label={`Edit ${g.name}`}>Edit</Button>
          <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting({ opened: true, group: g })} aria-label={`Delete ${g.name}`}>Delete</Button>
        </Group>
      ),
    });
  }

  const create = canManage ? <Button onClick={() => openForm(null)}>Create group</Button> : null;
  return (
    <Stack gap="md">
      <SectionHeader title="Host groups" actions={create}
        description="Groups organise the fleet: a host can belong to any number of them. Assign hosts to groups on the Hosts page or a host's page."
      />
      <DataTable
        caption="Host groups"
        columns={columns}
        rows={groups.data}
        rowKey={(g) => g.id}
        error={groups.error}
        onRetry={() => void groups.refetch()}
        empty={<EmptyState title="No host groups yet" description="Groups such as Production or Web servers let you filter and target hosts together."
          action={create}
        />}
      />
      {holdsOf ? (
        <Paper withBorder p="md" radius="md">
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600}>{holdsOf.name}</Text>
              <Button variant="subtle" size="xs" onClick={() => showHolds(null)}>Close</Button>
            </Group>
            <HoldsSection key={holdsOf.id} target={{ type: 'host_group', id: holdsOf.id, name: holdsOf.name }} headingOrder={3} />
          </Stack>
        </Paper>
      ) : null}
      {canManage ? (
        <>
          <GroupFormModal opened={form.opened} group={form.group} onClose={() => setForm((f) => ({ ...f, opened: false }))} />
          <DeleteGroupModal opened={deleting.opened} group={deleting.group} onClose={() => setDeleting((d) => ({ ...d, opened: false }))} />
        </>
      ) : null}
    </Stack>
  );
}
