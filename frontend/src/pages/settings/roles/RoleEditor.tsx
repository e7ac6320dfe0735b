/**
 * Create a custom role or edit an editable one (D24.9-D24.11): a name (new roles only), a preset, ticks grouped by
 * tier with Select all / Deselect all, the n/N counter, Save, and Delete for custom roles nobody holds.
 */
import { Alert, Badge, Button, Checkbox, Fieldset, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { errorMessage } from '../../../api/errors';
import { userKeys, usersApi, type PermissionCatalogue, type RoleView } from '../../../api/users';
import { ConfirmDialog, DialogActions } from '../../../components/ConfirmDialog';
import { useToast } from '../../../components/useToast';
import {
  countGranted, describeDiff, diffPermissions, grantedKeys, isUnchanged, matchingPreset, presetKeys, PRESETS, roleNameProblem, setTier,
  TIER_COLORS, tierState, toBody, toggle,
} from './matrix';

export type EditorTarget = { mode: 'create' } | { mode: 'edit'; role: RoleView };

export function RoleEditor({ target, catalogue, roles, onClose }: {
  target: EditorTarget | null; catalogue: PermissionCatalogue; roles: RoleView[]; onClose: () => void;
}) {
  const title = target?.mode === 'edit' ? `Edit role: ${target.role.label}` : 'Add role';
  return (
    <Modal opened={target !== null} onClose={onClose} title={title} size="xl">
      {target ? <Editor key={target.mode === 'edit' ? target.role.role : 'new'} target={target} catalogue={catalogue} roles={roles} onClose={onClose} /> : null}
    </Modal>
  );
}

function Editor({ target, catalogue, roles, onClose }: { target: EditorTarget; catalogue: PermissionCatalogue; roles: RoleView[]; onClose: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const editing = target.mode === 'edit' ? target.role : null;
  const [initial] = useState<ReadonlySet<string>>(() => (editing ? grantedKeys(editing) : new Set<string>()));
  const [selection, setSelection] = useState<Set<string>>(() => new Set(initial));
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  const diff = diffPermissions(initial, selection, catalogue);
  const preset = matchingPreset(selection, catalogue);
  const count = countGranted(selection, catalogue);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: userKeys.roles });
  const save = useMutation({
    mutationFn: () => usersApi.saveRole(editing ? editing.role : name, toBody(selection, catalogue), editing ? undefined : label.trim() || undefined),
    onSuccess: (role) => {
      toast.show({ tone: 'success', message: editing ? `Role ${role.label} saved` : `Role ${role.label} created` });
      onClose();
    },
    onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    onSettled: invalidate,
  });
  const remove = useMutation({
    mutationFn: (role: string) => usersApi.deleteRole(role),
    onSuccess: (_, role) => {
      toast.show({ tone: 'success', message: `Role ${role} deleted` });
      setConfirmingDelete(false);
      onClose();
    },
    onError: (error) => {
      setConfirmingDelete(false);
      toast.show({ tone: 'error', message: errorMessage(error) });
    },
    onSettled: invalidate,
  });

  const submit = () => {
    if (!editing) {
      const problem = roleNameProblem(name, roles);
      setNameError(problem);
      if (problem) return;
    }
    save.mutate();
  };

  return (
    <form onSubmit={(event) => {
      event.preventDefault();
      submit();
    }} noValidate
    >
      <Stack gap="md">
        {editing ? (
          <Text size="sm">
            Changes apply at once: users holding <strong>{editing.label}</strong> get the new permissions on their next request.
          </Text>
        ) : (
          <Group grow align="flex-start">
            <TextInput label="Role name" value={name} onChange={(event) => setName(event.currentTarget.value)} error={nameError}
              description="Lowercase, underscores instead of spaces (noc_operator). The role's key: it cannot be renamed." data-autofocus
              autoComplete="off" spellCheck={false}
            />
            <TextInput label="Display name" description="Optional: shown in the matrix and the role pickers" value={label}
              onChange={(event) => setLabel(event.currentTarget.value)} maxLength={60}
            />
          </Group>
        )}

        <Stack gap={4}>
          <Text size="sm" fw={500} id="role-preset-label">Preset</Text>
          <Group gap="xs" role="group" aria-labelledby="role-preset-label">
            {PRESETS.map((p) => (
              <Button key={p.value} size="xs" variant={preset === p.value ? 'filled' : 'default'} title={p.description}
                aria-pressed={preset === p.value} onClick={() => setSelection(presetKeys(p.value, catalogue))}
              >
                {p.label}
              </Button>
            ))}
          </Group>
        </Stack>

        {catalogue.tiers.map((tier) => {
          const state = tierState(selection, tier);
          return (
            <Fieldset key={tier.tier} variant="filled" legend={(
              <Group gap="xs">
                <Text span size="sm" fw={700}>{tier.label}</Text>
                <Badge size="sm" variant="light" color={TIER_COLORS[tier.tier] ?? 'gray'}>{tier.risk}</Badge>
              </Group>
            )}
            >
              <Stack gap="xs">
                <Group justify="space-between" gap="xs">
                  <Text size="xs" c="dimmed">{tier.description}</Text>
                  <Button size="compact-xs" variant="subtle" onClick={() => setSelection(setTier(selection, tier, state !== 'all'))}
                    aria-label={`${state === 'all' ? 'Deselect all' : 'Select all'} in ${tier.label}`}
                  >
                    {state === 'all' ? 'Deselect all' : 'Select all'}
                  </Button>
                </Group>
                {tier.permissions.map((permission) => (
                  <Checkbox key={permission.key} label={permission.label} description={permission.description}
                    checked={selection.has(permission.key)} onChange={() => setSelection(toggle(selection, permission.key))}
                  />
                ))}
              </Stack>
            </Fieldset>
          );
        })}

        <Text size="sm" fw={500} aria-live="polite">
          {count}/{catalogue.total} permissions selected
        </Text>
        {editing && !isUnchanged(diff) ? <Alert color="blue" variant="light" title="Changes">{describeDiff(diff, catalogue)}</Alert> : null}

        <DialogActions label={editing ? 'Save role' : 'Create role'} loading={save.isPending} disabled={editing !== null && isUnchanged(diff)}
          onCancel={onClose} aside={editing && !editing.builtin ? (
            <Button color="red" variant="outline" onClick={() => setConfirmingDelete(true)}>
              Delete role
            </Button>
          ) : null}
        />
      </Stack>
      {editing ? (
        <ConfirmDialog opened={confirmingDelete} title={`Delete the role ${editing.label}?`} confirmLabel="Delete role"
          onClose={() => setConfirmingDelete(false)} loading={remove.isPending} onConfirm={() => remove.mutate(editing.role)}
        >
          Only a role nobody holds can be deleted: reassign its users first. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </form>
  );
}
