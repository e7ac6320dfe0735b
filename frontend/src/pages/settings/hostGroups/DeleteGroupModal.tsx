/**
 * "Delete host group": allowed only for a group without hosts (C5.7). The dialog looks for the group's hosts
 * first; while it has any, it lists them in a yellow warning and the delete button stays disabled. The server
 * refuses a populated group too, and its message is shown if it does.
 */
import { Alert, Anchor, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';

import { errorMessage } from '../../../api/errors';
import { hostGroupKeys, hostGroupsApi, type HostGroup } from '../../../api/hostGroups';
import { ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';

export function DeleteGroupModal({ opened, group, onClose }: { opened: boolean; group: HostGroup | null; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Delete host group" centered>
      {opened && group ? <DeleteGroup group={group} onClose={onClose} /> : null}
    </Modal>
  );
}

function DeleteGroup({ group, onClose }: { group: HostGroup; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery({
    queryKey: hostGroupKeys.members(group.id),
    queryFn: ({ signal }) => hostGroupsApi.findMembers(group.id, { signal }),
    staleTime: 0,
  });
  const remove = useMutation({
    mutationFn: () => hostGroupsApi.remove(group.id),
    onSuccess: async () => {
      toast.show({ tone: 'success', message: `Host group "${group.name}" deleted` });
      onClose();
      await Promise.all([queryClient.invalidateQueries({ queryKey: hostGroupKeys.all }), queryClient.invalidateQueries({ queryKey: ['hosts'] })]);
    },
    onError: (error) => {
      toast.show({ tone: 'error', message: errorMessage(error) });
      void members.refetch(); // the server may know of hosts the dialog did not find
    },
  });

  const hosts = members.data?.hosts ?? [];
  const populated = hosts.length > 0;
  return (
    <Stack gap="md">
      <Text>
        Delete the host group <Text span fw={700}>{group.name}</Text>? Hosts are never deleted with a group.
      </Text>
      {members.isPending ? <LoadingState label="Checking for hosts in this group…" /> : null}
      {members.error ? <ErrorState error={members.error} title="Could not check the group's hosts" onRetry={() => void members.refetch()} /> : null}
      {populated ? (
        <Alert color="yellow" variant="light" title="This group still has hosts">
          <Stack gap="xs">
            <Text size="sm">Move these hosts out of the group first (on each host, or with bulk assign on the Hosts page):</Text>
            <List size="sm" spacing={2}>
              {hosts.map((host) => (
                <List.Item key={host.host_id}>
                  <Anchor component={Link} to={`/hosts/${encodeURIComponent(host.host_id)}`} onClick={onClose}>{host.friendly_name}</Anchor>
                </List.Item>
              ))}
            </List>
            {members.data?.complete ? null : (
              <Anchor component={Link} to={`/hosts?group=${encodeURIComponent(group.id)}`} size="sm" onClick={onClose}>
                See all hosts in this group
              </Anchor>
            )}
          </Stack>
        </Alert>
      ) : null}
      {members.data && !populated && !members.data.complete ? (
        <Alert color="yellow" variant="light">
          No hosts of this group were found in the first part of a large fleet; the server refuses the deletion if the group still has hosts.
        </Alert>
      ) : null}
      {remove.error ? <Alert color="red" variant="light" role="alert">{errorMessage(remove.error)}</Alert> : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} disabled={remove.isPending}>Cancel</Button>
        <Button color="red" onClick={() => remove.mutate()} loading={remove.isPending} disabled={!members.data || populated}>
          Delete group
        </Button>
      </Group>
    </Stack>
  );
}
