/**
 * "Delete host group": allowed only for a group without hosts (C5.7). The dialog looks for the group's hosts
 * first; while it has any, it lists them in a yellow warning and the delete button stays disabled. The server
 * refuses a populated group too, and its message is shown if it does.
 */
import { Alert, Anchor, List, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';

import { errorMessage } from '../../../api/errors';
import { hostGroupKeys, hostGroupsApi, type HostGroup, type GroupMembers } from '../../../api/hostGroups';
import { hostKeys } from '../../../api/hosts';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';

export function DeleteGroupModal({ opened, group, onClose }: { opened: boolean; group: HostGroup | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery({
    queryKey: hostGroupKeys.members(group?.id ?? ''),
    queryFn: ({ signal }) => hostGroupsApi.findMembers(group?.id ?? '', signal),
    enabled: opened && group !== null,
    staleTime: 0,
  });
  const remove = useMutation({
    mutationFn: (doomed: HostGroup) => hostGroupsApi.remove(doomed.id),
    onSuccess: async (_, doomed) => {
      toast.show({ tone: 'success', message: `Host group "${doomed.name}" deleted` });
      onClose();
      // Group names show on the hosts pages too.
      await Promise.all([queryClient.invalidateQueries({ queryKey: hostGroupKeys.all }), queryClient.invalidateQueries({ queryKey: hostKeys.all })]);
    },
    onError: (error) => {
      toast.show({ tone: 'error', message: errorMessage(error) });
      void members.refetch(); // the server may know of hosts the dialog did not find
    },
  });
  const close = () => {
    remove.reset(); // the next opening starts without the last refusal
    onClose();
  };

  const populated = (members.data?.hosts.length ?? 0) > 0;
  return (
    <ConfirmDialog opened={opened} title="Delete host group" confirmLabel="Delete group" onClose={close} loading={remove.isPending}
      onConfirm={() => group && remove.mutate(group)} confirmDisabled={!members.data || populated}
      error={remove.error ? errorMessage(remove.error) : null}
    >
      <Text>
        Delete the host group <Text span fw={700}>{group?.name}</Text>? Hosts are never deleted with a group.
      </Text>
      {members.isPending ? <LoadingState label="Checking for hosts in this group…" /> : null}
      {members.error ? <ErrorState error={members.error} title="Could not check the group's hosts" onRetry={() => void members.refetch()} /> : null}
      {group && members.data ? <MembersNotice group={group} members={members.data} onNavigate={close} /> : null}
    </ConfirmDialog>
  );
}

function MembersNotice({ group, members, onNavigate }: { group: HostGroup; members: GroupMembers; onNavigate: () => void }) {
  if (members.hosts.length === 0) {
    return members.complete ? null : (
      <Alert color="yellow" variant="light">
        No hosts of this group were found in the first part of a large fleet; the server refuses the deletion if the group still has hosts.
      </Alert>
    );
  }
  return (
    <Alert color="yellow" variant="light" title="This group still has hosts">
      <Stack gap="xs">
        <Text size="sm">Move these hosts out of the group first (on each host, or with bulk assign on the Hosts page):</Text>
        <List size="sm" spacing={2}>
          {members.hosts.map((host) => (
            <List.Item key={host.host_id}>
              <Anchor component={Link} to={`/hosts/${encodeURIComponent(host.host_id)}`} onClick={onNavigate}>{host.friendly_name}</Anchor>
            </List.Item>
          ))}
        </List>
        {members.complete ? null : (
          <Anchor component={Link} to={`/hosts?group=${encodeURIComponent(group.id)}`} size="sm" onClick={onNavigate}>
            See all hosts in this group
          </Anchor>
        )}
      </Stack>
    </Alert>
  );
}
