/**
 * "Roll out gradually": the rollout fields of the Patch Wizard's Submit step and of a maintenance window's form — at
 * most N (or N%) hosts at once, stop after M (or M%) failures, an optional first ring (a host group, or hosts chosen
 * among the wizard's) and the success rate it must reach before the rest start. A controlled value (RolloutValues);
 * the rules are rollout.ts's.
 */
import { Alert, Box, Checkbox, Group, NativeSelect, Radio, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';

import { errorMessage } from '../../api/errors';
import { hostGroupsQuery } from '../../api/hostGroups';
import { plural } from '../format';
import type { FirstRing, RolloutProblems, RolloutValues } from './rollout';

export interface RolloutFieldsProps {
  value: RolloutValues;
  onChange: (value: RolloutValues) => void;
  onBlur?: (() => void) | undefined;
  errors?: RolloutProblems | undefined;
  /** The wizard's hosts: the first ring may be chosen among them. Absent (a window): a host group only. */
  hosts?: { id: string; name: string }[] | undefined;
  /** Under the switch: what a rollout changes here. */
  description: string;
  /** Shown while the rollout is on: how its runs start. */
  note: ReactNode;
  disabled?: boolean | undefined;
}

const BOX = { border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 } as const;

function GroupSelect({ value, onChange, onBlur, error, disabled }: {
  value: string; onChange: (id: string) => void; onBlur?: (() => void) | undefined; error?: string | undefined; disabled?: boolean | undefined;
}) {
  const groups = useQuery({ ...hostGroupsQuery, staleTime: 60_000 });
  const options = (groups.data ?? []).map((g) => ({ value: g.id, label: g.name }));
  // A group no longer listed (deleted, or not loaded yet) keeps its place rather than reading as another one.
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: groups.data ? '(a deleted group)' : 'Loading…' });
  let placeholder = 'Choose a group';
  if (!groups.data) placeholder = groups.error ? 'Host groups could not be loaded' : 'Loading host groups…';
  else if (groups.data.length === 0) placeholder = 'No host groups yet';
  return (
    <NativeSelect label="First ring host group" data={[{ value: '', label: placeholder }, ...options]} value={value} disabled={disabled}
      onChange={(e) => onChange(e.currentTarget.value)} onBlur={onBlur}
      error={error ?? (groups.error ? errorMessage(groups.error) : undefined)}
      description="Its hosts among this rollout's go first."
    />
  );
}

export function RolloutFields({ value, onChange, onBlur, errors = {}, hosts, description, note, disabled }: RolloutFieldsProps) {
  const set = (changes: Partial<RolloutValues>) => onChange({ ...value, ...changes });
  // A window's rollout set through the API may name hosts: they are kept, not offered to choose.
  const offerHosts = Boolean(hosts) || value.first_ring_host_ids.length > 0;
  const ringHosts = new Set(value.first_ring_host_ids);
  return (
    <Stack gap="sm" p="sm" style={BOX} role="group" aria-label="Rollout">
      <Switch label="Roll out gradually" description={description} checked={value.enabled} disabled={disabled}
        onChange={(e) => set({ enabled: e.currentTarget.checked })} onBlur={onBlur} error={errors.enabled}
      />
      {value.enabled ? (
        <>
          <Alert color="blue" variant="light" p="xs" role="note">
            <Text size="sm">{note}</Text>
          </Alert>
          <Group gap="sm" align="flex-start" grow wrap="wrap">
            <TextInput label="At most N hosts at once" placeholder="e.g. 5 or 25%" value={value.max_concurrency} disabled={disabled} miw={200}
              description="A number of hosts, or a percentage of them. Empty: no limit."
              onChange={(e) => set({ max_concurrency: e.currentTarget.value })} onBlur={onBlur} error={errors.max_concurrency}
            />
            <TextInput label="Stop after M failures" placeholder="e.g. 1 or 10%" value={value.max_errors} disabled={disabled} miw={200}
              description="Failed runs that stop the rollout (runs not started are cancelled). Empty: never stop."
              onChange={(e) => set({ max_errors: e.currentTarget.value })} onBlur={onBlur} error={errors.max_errors}
            />
          </Group>
          <Radio.Group label="First ring" value={value.first_ring} onChange={(ring) => set({ first_ring: ring as FirstRing })}
            description="Hosts that go first: the rest start only when every first-ring run has ended and enough of them succeeded."
            error={errors.first_ring}
          >
            <Group gap="md" mt={6}>
              <Radio value="none" label="None" disabled={disabled} onBlur={onBlur} />
              <Radio value="group" label="A host group" disabled={disabled} onBlur={onBlur} />
              {offerHosts ? (
                <Radio value="hosts" label={hosts ? 'Chosen hosts' : `Chosen hosts (${value.first_ring_host_ids.length})`} disabled={disabled} onBlur={onBlur} />
              ) : null}
            </Group>
          </Radio.Group>
          {value.first_ring === 'group' ? (
            <GroupSelect value={value.first_ring_group_id} onChange={(id) => set({ first_ring_group_id: id })} onBlur={onBlur}
              error={errors.first_ring_group_id} disabled={disabled}
            />
          ) : null}
          {value.first_ring === 'hosts' && hosts ? (
            <Checkbox.Group label="First ring hosts" value={value.first_ring_host_ids} onChange={(ids) => set({ first_ring_host_ids: ids })}
              error={errors.first_ring_host_ids} description={`${plural(hosts.filter((h) => ringHosts.has(h.id)).length, 'host')} of ${hosts.length} chosen`}
            >
              <Box mah={180} mt={6} style={{ overflowY: 'auto' }}>
                <Stack gap={4}>
                  {hosts.map((h) => <Checkbox key={h.id} value={h.id} label={h.name} disabled={disabled} onBlur={onBlur} />)}
                </Stack>
              </Box>
            </Checkbox.Group>
          ) : null}
          {value.first_ring === 'hosts' && !hosts ? (
            <Text size="sm" c={errors.first_ring_host_ids ? 'red' : 'dimmed'}>
              {errors.first_ring_host_ids ?? `${plural(value.first_ring_host_ids.length, 'host')} chosen through the API; they are kept.`}
            </Text>
          ) : null}
          {value.first_ring !== 'none' ? (
            <TextInput label="Go on when the first ring's success rate reaches (%)" inputMode="numeric" value={value.ring_success_threshold} maw={360}
              description="1 to 100: the share of the first ring's hosts whose run succeeded. Below it the rollout stops."
              disabled={disabled} onChange={(e) => set({ ring_success_threshold: e.currentTarget.value })} onBlur={onBlur}
              error={errors.ring_success_threshold}
            />
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}
