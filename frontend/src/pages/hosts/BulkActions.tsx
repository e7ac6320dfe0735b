/**
 * What a host manager does to the hosts ticked in the list (Admin Guide C5.4, C5.5, C3.18): fetch reports, set their
 * groups (replacing each host's set, in one call), delete them.
 */
import { Alert, Anchor, Button, Checkbox, Group, List, Modal, Paper, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';

import { errorMessage } from '../../api/errors';
import type { HostGroup } from '../../api/hostGroups';
import { hostKeys, hostsApi } from '../../api/hosts';
import { ConfirmDialog, DialogActions } from '../../components/ConfirmDialog';
import { plural } from '../../components/format';
import { useToast } from '../../components/useToast';
import { fetchOutcomeMessage, fetchReports, type Selection } from './bulk';
import { GroupCheckboxes } from './parts';

function AssignGroupsModal({ selection, groups, opened, onClose, onDone }: {
  selection: Selection; groups: HostGroup[] | undefined; opened: boolean; onClose: () => void; onDone: () => void;
}) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  const assign = useMutation({
    mutationFn: () => hostsApi.bulkSetGroups([...selection.keys()], chosen),
    onSuccess: (result) => {
      toast.show({ tone: 'success', message: `Groups set on ${plural(result.updated, 'host')}` });
      void queryClient.invalidateQueries({ queryKey: hostKeys.all });
      setChosen([]);
      onDone();
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Groups not changed', message: errorMessage(error) }),
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Assign ${plural(selection.size, 'host')} to groups`} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack gap="md">
        <Alert color="blue" variant="light">
          This <strong>replaces</strong> the groups of each selected host: they will be in exactly the groups ticked here, and
          leave any other. Ticking none takes them out of every group. To add a single group, edit the host's groups instead.
        </Alert>
        {groups && groups.length > 0 ? (
          <Checkbox.Group label="Groups" value={chosen} onChange={setChosen}>
            <GroupCheckboxes groups={groups} />
          </Checkbox.Group>
        ) : (
          <Text size="sm" c="dimmed">
            No host groups yet: create them under <Anchor component={Link} to="/settings/host-groups" inherit>Settings → Host groups</Anchor>.
          </Text>
        )}
        <DialogActions label="Assign to groups" onConfirm={() => assign.mutate()} onCancel={onClose} loading={assign.isPending} disabled={!groups} />
      </Stack>
    </Modal>
  );
}

function DeleteHostsModal({ selection, opened, onClose, onDone }: { selection: Selection; opened: boolean; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => hostsApi.bulkRemove([...selection.keys()]),
    onSuccess: (result) => {
      const gone = result.not_found.length ? ` (${plural(result.not_found.length, 'host')} had already gone)` : '';
      toast.show({ tone: 'success', message: `Deleted ${plural(result.deleted.length, 'host')}${gone}` });
      void queryClient.invalidateQueries({ queryKey: hostKeys.all });
      onDone();
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Hosts not deleted', message: errorMessage(error) }),
  });
  const names = [...selection.values()].map((host) => host.name);
  return (
    <ConfirmDialog opened={opened} onClose={onClose} title={`Delete ${plural(selection.size, 'host')}?`} confirmLabel={`Delete ${plural(selection.size, 'host')}`}
      loading={remove.isPending} onConfirm={() => remove.mutate()}
    >
      <Text size="sm">
        Their packages, repositories and report history are deleted with them, and their agents' credentials stop working.
        This cannot be undone.
      </Text>
      <List size="sm" spacing={2}>
        {names.slice(0, 10).map((name) => <List.Item key={name}>{name}</List.Item>)}
        {names.length > 10 ? <List.Item>… and {names.length - 10} more</List.Item> : null}
      </List>
    </ConfirmDialog>
  );
}

export function BulkToolbar({ selection, groups, onClear }: { selection: Selection; groups: HostGroup[] | undefined; onClear: () => void }) {
  const toast = useToast();
  const [dialog, setDialog] = useState<'groups' | 'delete' | null>(null);
  const fetch = useMutation({
    mutationFn: () => fetchReports(selection),
    onSuccess: (outcome) => toast.show(fetchOutcomeMessage(outcome, selection.size)),
    onError: (error) => toast.show({ tone: 'error', title: 'Reports not requested', message: errorMessage(error) }),
  });
  const done = () => {
    setDialog(null);
    onClear();
  };
  return (
    <Paper withBorder p="xs" radius="sm">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>{plural(selection.size, 'host')} selected</Text>
        <Group gap="xs" wrap="wrap">
          <Button size="xs" variant="default" loading={fetch.isPending} onClick={() => fetch.mutate()}>Fetch reports</Button>
          <Button size="xs" variant="default" onClick={() => setDialog('groups')}>Assign to groups</Button>
          <Button size="xs" color="red" variant="light" onClick={() => setDialog('delete')}>Delete</Button>
          <Button size="xs" variant="subtle" onClick={onClear}>Clear selection</Button>
        </Group>
      </Group>
      <AssignGroupsModal selection={selection} groups={groups} opened={dialog === 'groups'} onClose={() => setDialog(null)} onDone={done} />
      <DeleteHostsModal selection={selection} opened={dialog === 'delete'} onClose={() => setDialog(null)} onDone={done} />
    </Paper>
  );
}
