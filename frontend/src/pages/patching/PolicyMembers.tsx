/**
 * A policy's "Applied to" panel (C10.7, C10.8): its assignments (hosts and host groups, one policy per target) and
 * its exclusions (hosts carved out of a group-derived assignment), each removable, and forms to add them.
 */
import { Alert, Badge, Button, CloseButton, Group, Paper, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { errorMessage } from '../../api/errors';
import { hostGroupsQuery } from '../../api/hostGroups';
import { hostKeys, hostsApi } from '../../api/hosts';
import { patchingApi, patchingKeys, type PatchPolicyDetail } from '../../api/patching';
import { useCan } from '../../auth/useSession';
import { formatDate } from '../../components/format';
import { scheduleLabel } from '../../components/patching/logic';
import { ErrorState, LoadingState } from '../../components/states';
import { useToast } from '../../components/useToast';

const PICKER_SIZE = 25;

interface Option {
  value: string;
  label: string;
}

/** A host chosen by typing part of its name (the server searches; a page of matches at a time). */
function HostPicker({ label, value, onChange }: { label: string; value: Option | null; onChange: (option: Option | null) => void }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const query = { search: debounced && debounced !== value?.label ? debounced : undefined, limit: PICKER_SIZE, sort: 'friendly_name', order: 'asc' };
  const hosts = useQuery({ queryKey: hostKeys.list(query), queryFn: ({ signal }) => hostsApi.list(query, signal), staleTime: 30_000 });
  const options: Option[] = (hosts.data?.hosts ?? []).map((h) => ({ value: h.host_id, label: h.friendly_name }));
  if (value && !options.some((o) => o.value === value.value)) options.unshift(value);
  return (
    <Select label={label} placeholder="Type a host name" searchable clearable data={options} value={value?.value ?? null} searchValue={search}
      onSearchChange={setSearch} filter={({ options: shown }) => shown} nothingFoundMessage={hosts.isFetching ? 'Searching…' : 'No host found'}
      onChange={(id) => onChange(options.find((o) => o.value === id) ?? null)} w={{ base: '100%', xs: 260 }}
    />
  );
}

function GroupPicker({ value, onChange }: { value: Option | null; onChange: (option: Option | null) => void }) {
  const groups = useQuery({ ...hostGroupsQuery, staleTime: 60_000 });
  const options: Option[] = (groups.data ?? []).map((g) => ({ value: g.id, label: g.name }));
  return (
    <Select label="Host group" placeholder={groups.data?.length === 0 ? 'No host groups yet' : 'Choose a group'} data={options} value={value?.value ?? null}
      onChange={(id) => onChange(options.find((o) => o.value === id) ?? null)} w={{ base: '100%', xs: 260 }}
    />
  );
}

function Chip({ label, color, onRemove, removeLabel }: { label: string; color: string; onRemove?: (() => void) | undefined; removeLabel: string }) {
  return (
    <Badge color={color} variant="light" tt="none" size="lg" miw="max-content"
      rightSection={onRemove ? <CloseButton size="xs" aria-label={removeLabel} onClick={onRemove} /> : undefined}
    >
      {label}
    </Badge>
  );
}

export function PolicyMembers({ policyId, onClose }: { policyId: string; onClose: () => void }) {
  const detail = useQuery({ queryKey: patchingKeys.policy(policyId), queryFn: ({ signal }) => patchingApi.policy(policyId, signal) });
  if (detail.data) return <Members policy={detail.data} onClose={onClose} />;
  if (detail.error) return <ErrorState error={detail.error} title="Could not load the policy" onRetry={() => void detail.refetch()} />;
  return <LoadingState label="Loading the policy's assignments…" />;
}

function Members({ policy, onClose }: { policy: PatchPolicyDetail; onClose: () => void }) {
  const canManage = useCan('can_manage_patching');
  const toast = useToast();
  const queryClient = useQueryClient();
  const [targetType, setTargetType] = useState<'host' | 'host_group'>('host');
  const [target, setTarget] = useState<Option | null>(null);
  const [excluded, setExcluded] = useState<Option | null>(null);
  const changed = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: patchingKeys.policy(policy.id) }),
    queryClient.invalidateQueries({ queryKey: patchingKeys.policies, exact: true }),
  ]);
  const failed = (title: string) => (error: unknown) => toast.show({ tone: 'error', title, message: errorMessage(error) });

  const assign = useMutation({
    mutationFn: () => patchingApi.addAssignment(policy.id, { target_type: targetType, target_id: target?.value ?? '' }),
    onSuccess: async () => {
      toast.show({ tone: 'success', message: `${policy.name} applied to ${target?.label ?? 'the target'}` });
      setTarget(null);
      await changed();
    },
  });
  const unassign = useMutation({
    mutationFn: (assignmentId: string) => patchingApi.removeAssignment(policy.id, assignmentId),
    onSuccess: changed,
    onError: failed('Assignment not removed'),
  });
  const exclude = useMutation({
    mutationFn: () => patchingApi.addExclusion(policy.id, excluded?.value ?? ''),
    onSuccess: async () => {
      setExcluded(null);
      await changed();
    },
  });
  const include = useMutation({
    mutationFn: (hostId: string) => patchingApi.removeExclusion(policy.id, hostId),
    onSuccess: changed,
    onError: failed('Exclusion not removed'),
  });

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="policy-members-heading">
      <Stack gap="md">
        <Group justify="space-between">
          <div>
            <Title order={3} size="h5" id="policy-members-heading">{policy.name}: applied to</Title>
            <Text size="sm" c="dimmed">{scheduleLabel(policy)}. Changes apply to runs created from now on.</Text>
          </div>
          <Button variant="subtle" size="xs" onClick={onClose}>Close</Button>
        </Group>

        <Stack gap={6}>
          <Text size="sm" fw={600}>Assignments</Text>
          {policy.assignments.length === 0 ? <Text size="sm" c="dimmed">Not assigned: this policy times no run yet.</Text> : (
            <Group gap="xs">
              {policy.assignments.map((a) => {
                const name = a.target_name ?? a.target_id;
                const label = `${a.target_type === 'host' ? 'Host' : 'Group'}: ${name}`;
                return (
                  <Chip key={a.id} label={label} color={a.target_type === 'host' ? 'blue' : 'grape'} removeLabel={`Remove ${label}`}
                    onRemove={canManage ? () => unassign.mutate(a.id) : undefined}
                  />
                );
              })}
            </Group>
          )}
          {canManage ? (
            <Group align="flex-end" gap="sm" wrap="wrap">
              <SegmentedControl aria-label="Assign to" value={targetType} data={[{ value: 'host', label: 'Host' }, { value: 'host_group', label: 'Host group' }]}
                onChange={(value) => {
                  setTargetType(value === 'host_group' ? 'host_group' : 'host');
                  setTarget(null);
                  assign.reset();
                }}
              />
              {targetType === 'host'
                ? <HostPicker label="Host" value={target} onChange={(o) => { setTarget(o); assign.reset(); }} />
                : <GroupPicker value={target} onChange={(o) => { setTarget(o); assign.reset(); }} />}
              <Button onClick={() => assign.mutate()} disabled={!target} loading={assign.isPending}>Add</Button>
            </Group>
          ) : null}
          {assign.error ? <Alert color="red" variant="light" role="alert">{errorMessage(assign.error)}</Alert> : null}
        </Stack>

        <Stack gap={6}>
          <Text size="sm" fw={600}>Exclusions</Text>
          <Text size="xs" c="dimmed">Hosts left out of this policy's group assignments (a host assigned directly cannot be excluded).</Text>
          {policy.exclusions.length === 0 ? <Text size="sm" c="dimmed">No host is excluded.</Text> : (
            <Group gap="xs">
              {policy.exclusions.map((e) => {
                const name = e.host_name ?? e.host_id;
                return (
                  <Chip key={e.host_id} label={`${name} (since ${formatDate(e.created_at)})`} color="orange" removeLabel={`Remove the exclusion of ${name}`}
                    onRemove={canManage ? () => include.mutate(e.host_id) : undefined}
                  />
                );
              })}
            </Group>
          )}
          {canManage ? (
            <Group align="flex-end" gap="sm" wrap="wrap">
              <HostPicker label="Host to exclude" value={excluded} onChange={(o) => { setExcluded(o); exclude.reset(); }} />
              <Button variant="default" onClick={() => exclude.mutate()} disabled={!excluded} loading={exclude.isPending}>Exclude host</Button>
            </Group>
          ) : null}
          {exclude.error ? <Alert color="red" variant="light" role="alert">{errorMessage(exclude.error)}</Alert> : null}
        </Stack>
      </Stack>
    </Paper>
  );
}
