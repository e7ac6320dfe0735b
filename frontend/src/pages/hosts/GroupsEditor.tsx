/** Editing one host's groups (PUT /hosts/{id}/groups): inline in the Hosts table, and on the host's Overview tab. */
import { ActionIcon, Checkbox, MultiSelect, Popover, Stack } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { errorMessage } from '../../api/errors';
import type { HostGroup } from '../../api/hostGroups';
import { hostKeys, hostsApi } from '../../api/hosts';
import { DialogActions } from '../../components/ConfirmDialog';
import { useToast } from '../../components/useToast';
import { GroupCheckboxes } from './parts';

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function useSetGroups(hostId: string, onSaved?: () => void) {
  const toast = useToast();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (groupIds: string[]) => hostsApi.setGroups(hostId, groupIds),
    onSuccess: () => {
      toast.show({ tone: 'success', message: 'Host groups saved' });
      void queryClient.invalidateQueries({ queryKey: hostKeys.all });
      onSaved?.();
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Host groups not saved', message: errorMessage(error) }),
  });
}

function PencilIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z" />
    </svg>
  );
}

/** A pencil beside the Groups cell that opens a checkbox list; Save writes it, Escape or clicking away leaves it. */
export function InlineGroupsEditor({ hostId, hostName, current, groups }: {
  hostId: string; hostName: string; current: string[]; groups: HostGroup[] | undefined;
}) {
  const [opened, setOpened] = useState(false);
  const [chosen, setChosen] = useState<string[]>(current);
  const save = useSetGroups(hostId, () => setOpened(false));
  return (
    <Popover opened={opened} onChange={setOpened} trapFocus position="bottom-start" withArrow shadow="md">
      <Popover.Target>
        <ActionIcon variant="subtle" size="sm" aria-label={`Edit groups of ${hostName}`} onClick={() => {
          setChosen(current);
          setOpened((o) => !o);
        }}
        >
          <PencilIcon />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          {groups && groups.length > 0 ? (
            <Checkbox.Group label={`Groups of ${hostName}`} value={chosen} onChange={setChosen}>
              <GroupCheckboxes groups={groups} />
            </Checkbox.Group>
          ) : 'No host groups yet.'}
          <DialogActions size="xs" label="Save groups" onConfirm={() => save.mutate(chosen)} onCancel={() => setOpened(false)}
            loading={save.isPending} disabled={!groups || sameSet(chosen, current)}
          />
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** The Host groups multi-select of the Overview tab: saved when focus leaves it (as PatchMon does). */
export function GroupsMultiSelect({ hostId, current, groups }: { hostId: string; current: string[]; groups: HostGroup[] | undefined }) {
  const [value, setValue] = useState<string[]>(current);
  const [seen, setSeen] = useState(current);
  if (!sameSet(seen, current)) {
    // The host changed on the server (another tab, a poll): show its groups.
    setSeen(current);
    setValue(current);
  }
  const save = useSetGroups(hostId);
  const data = (groups ?? []).map((group) => ({ value: group.id, label: group.name }));
  return (
    <MultiSelect maw={560} label="Host groups" description="Changes are saved when you leave the field." placeholder={value.length ? undefined : 'No groups'}
      data={data} value={value} onChange={setValue} searchable clearable disabled={!groups || save.isPending}
      onBlur={() => {
        if (!sameSet(value, current)) save.mutate(value);
      }}
      nothingFoundMessage="No such group"
    />
  );
}
