/**
 * Package holds of a host (its own and its groups', GET /patching/holds?host_id=) or of a host group (?group_id=):
 * the patterns every run keeps back, with their reason and where they come from; patch managers add a hold for this
 * target and release holds. A host's Patching tab and Settings → Host groups show it. Holds belong to the
 * `patching_policies` module: without it (or when the server answers 403 module_not_available) nothing is shown.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Code, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod/mini';

import { ApiError, errorMessage } from '../../api/errors';
import { hostGroupsQuery } from '../../api/hostGroups';
import { patchingApi, patchingKeys, type PackageHold } from '../../api/patching';
import { useCan, useHasModule } from '../../auth/useSession';
import { ConfirmDialog } from '../ConfirmDialog';
import { DataTable, type Column } from '../DataTable';
import { formatDate } from '../format';
import { applyServerError } from '../formErrors';
import { useToast } from '../useToast';
import { HOLD_PATTERN, MAX_HOLD_PATTERN_LENGTH, MAX_HOLD_REASON_LENGTH } from './holds';
import { isModuleUnavailable } from './logic';

export interface HoldTarget {
  type: 'host' | 'host_group';
  id: string;
  name: string;
}

const holdSchema = z.object({
  pattern: z.string().check(
    z.trim(), z.minLength(1, 'Enter a package name or pattern'), z.maxLength(MAX_HOLD_PATTERN_LENGTH, `Use at most ${MAX_HOLD_PATTERN_LENGTH} characters`),
    z.regex(HOLD_PATTERN, 'Use a package name with * and ? (letters, digits and . _ + -), e.g. linux-image-*'),
  ),
  reason: z.string().check(z.trim(), z.maxLength(MAX_HOLD_REASON_LENGTH, `Use at most ${MAX_HOLD_REASON_LENGTH} characters`)),
});

type HoldValues = z.infer<typeof holdSchema>;

interface HoldsSectionProps {
  target: HoldTarget;
  /** The heading's level: 2 on a host's tab, 3 inside a settings panel. */
  headingOrder?: 2 | 3;
}

export function HoldsSection({ target, headingOrder = 2 }: HoldsSectionProps) {
  const available = useHasModule('patching_policies');
  return available ? <Holds target={target} headingOrder={headingOrder} /> : null;
}

function Holds({ target, headingOrder }: Required<HoldsSectionProps>) {
  const canManage = useCan('can_manage_patching');
  const toast = useToast();
  const queryClient = useQueryClient();
  const [releasing, setReleasing] = useState<PackageHold | null>(null);
  const query = target.type === 'host' ? { host_id: target.id } : { group_id: target.id };
  const holds = useQuery({ queryKey: patchingKeys.holds(query), queryFn: ({ signal }) => patchingApi.holds(query, signal) });
  // On a host, a group's hold names the group it comes from.
  const groups = useQuery({
    ...hostGroupsQuery, staleTime: 60_000,
    enabled: target.type === 'host' && Boolean(holds.data?.items.some((h) => h.target_type === 'host_group')),
  });
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? 'a host group';
  const release = useMutation({
    mutationFn: (hold: PackageHold) => patchingApi.removeHold(hold.id),
    onSuccess: (_, hold) => {
      toast.show({ tone: 'success', message: `Hold on ${hold.pattern} released` });
      setReleasing(null);
      void queryClient.invalidateQueries({ queryKey: patchingKeys.allHolds });
    },
  });

  if (isModuleUnavailable(holds.error)) return null;

  const here = target.type === 'host' ? 'this host' : "this group's hosts";
  const source = (hold: PackageHold) => (hold.target_type === 'host' ? (hold.target_id === target.id ? 'This host' : 'A host') : `Group: ${groupName(hold.target_id)}`);
  const columns: Column<PackageHold>[] = [
    { key: 'pattern', header: 'Pattern', cell: (h) => <Code fz="sm" style={{ overflowWrap: 'anywhere' }}>{h.pattern}</Code> },
    { key: 'reason', header: 'Reason', cell: (h) => (h.reason ? <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{h.reason}</Text> : <Text span size="sm" c="dimmed">—</Text>) },
    ...(target.type === 'host' ? [{ key: 'source', header: 'Applies through', nowrap: true, cell: source }] : []),
    { key: 'created_at', header: 'Added', nowrap: true, cell: (h) => formatDate(h.created_at, { missing: '—' }) },
    ...(canManage ? [{
      key: 'actions', header: 'Actions', cell: (h: PackageHold) => (
        <Button size="compact-sm" variant="subtle" color="orange" aria-label={`Release ${h.pattern}`} onClick={() => setReleasing(h)}>Release</Button>
      ),
    }] : []),
  ];

  const releasedWhere = releasing?.target_type === 'host_group' ? `every host of ${target.type === 'host_group' ? target.name : groupName(releasing.target_id)}` : target.name;
  return (
    <Stack gap="sm" component="section" aria-label={`Package holds of ${target.name}`}>
      <div>
        <Title order={headingOrder} size="h4">Package holds</Title>
        <Text size="sm" c="dimmed" maw={720}>
          Packages matching a hold are kept back by every run on {here} (patch all and maintenance windows); a run that names a held package is
          refused. <Code>*</Code> matches any characters, <Code>?</Code> one; names are case-sensitive.
        </Text>
      </div>
      <DataTable caption={`Package holds of ${target.name}`} columns={columns} rows={holds.data?.items} rowKey={(h) => h.id} error={holds.error}
        onRetry={() => void holds.refetch()} loadingLabel="Loading holds…" minWidth={480}
        empty={`No package is held on ${here}`}
      />
      {canManage ? <AddHold target={target} /> : null}
      {canManage ? (
        <ConfirmDialog opened={releasing !== null} onClose={() => { setReleasing(null); release.reset(); }} title={`Release the hold on ${releasing?.pattern ?? ''}?`}
          confirmLabel="Release hold" color="orange" loading={release.isPending} onConfirm={() => { if (releasing) release.mutate(releasing); }}
          error={release.error ? errorMessage(release.error) : null}
        >
          {`Packages matching ${releasing?.pattern ?? ''} are patched again on ${releasedWhere} by the runs created from now on.`}
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}

function AddHold({ target }: { target: HoldTarget }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState: { errors } } = useForm<HoldValues>({
    resolver: zodResolver(holdSchema),
    defaultValues: { pattern: '', reason: '' },
  });
  const add = useMutation({
    mutationFn: (values: HoldValues) => patchingApi.createHold({
      target_type: target.type, target_id: target.id, pattern: values.pattern.trim(), reason: values.reason.trim() || null,
    }),
    onSuccess: async (hold) => {
      toast.show({ tone: 'success', message: `${hold.pattern} held on ${target.name}` });
      reset();
      await queryClient.invalidateQueries({ queryKey: patchingKeys.allHolds });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'hold_exists') {
        setError('pattern', { type: 'server', message: error.message }, { shouldFocus: true });
        return;
      }
      setFormError(applyServerError(error, setError, ['pattern', 'reason']));
    },
  });
  const submit = handleSubmit((values) => {
    setFormError(null);
    add.mutate(values);
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={`Hold packages on ${target.name}`}>
      <Stack gap="xs">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput label="Pattern" required placeholder="linux-image-*" maxLength={MAX_HOLD_PATTERN_LENGTH} w={{ base: '100%', xs: 220 }}
            {...register('pattern')} error={errors.pattern?.message}
          />
          <TextInput label="Reason" placeholder="Kernel upgrades need a change window" maxLength={MAX_HOLD_REASON_LENGTH} w={{ base: '100%', xs: 320 }}
            {...register('reason')} error={errors.reason?.message}
          />
          <Button type="submit" mt={{ base: 0, xs: 25 }} loading={add.isPending}>Add hold</Button>
        </Group>
      </Stack>
    </form>
  );
}
