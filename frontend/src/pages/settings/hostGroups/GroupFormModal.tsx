/** "Create host group" / "Edit host group": name, description and colour (C5.3, C5.6). */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, ColorInput, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';

import { ApiError } from '../../../api/errors';
import { hostGroupKeys, hostGroupsApi, type HostGroup } from '../../../api/hostGroups';
import { hostKeys } from '../../../api/hosts';
import { DialogActions } from '../../../components/ConfirmDialog';
import { applyServerError } from '../../../components/formErrors';
import { useToast } from '../../../components/useToast';
import { groupDefaults, groupSchema, toGroupWrite, type GroupValues } from './schema';

const SWATCHES = ['#3B82F6', '#10B981', '#F59E0B', '#EF4444', '#8B5CF6', '#EC4899', '#14B8A6', '#6B7280'];

export function GroupFormModal({ opened, group, onClose }: {
  opened: boolean;
  /** null: create a new group. */
  group: HostGroup | null;
  onClose: () => void;
}) {
  const editing = group !== null;
  return (
    <Modal opened={opened} onClose={onClose} title={editing ? 'Edit host group' : 'Create host group'} centered>
      {/* Mounted while open only, so each opening starts from the group's current values. */}
      {opened ? <GroupForm group={group} onClose={onClose} /> : null}
    </Modal>
  );
}

function GroupForm({ group, onClose }: { group: HostGroup | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, setFocus, formState: { errors } } = useForm<GroupValues>({
    resolver: zodResolver(groupSchema),
    defaultValues: groupDefaults(group),
  });
  useEffect(() => setFocus('name'), [setFocus]);

  const save = useMutation({
    mutationFn: (values: GroupValues) => (group ? hostGroupsApi.update(group.id, toGroupWrite(values)) : hostGroupsApi.create(toGroupWrite(values))),
    onSuccess: async (saved) => {
      toast.show({ tone: 'success', message: group ? `Host group "${saved.name}" updated` : `Host group "${saved.name}" created` });
      // Group names and colours show on the hosts pages too.
      await Promise.all([queryClient.invalidateQueries({ queryKey: hostGroupKeys.all }), queryClient.invalidateQueries({ queryKey: hostKeys.all })]);
      onClose();
    },
    onError: (error) => {
      // A duplicate name is a 409 about the name: show the server's words under it.
      if (error instanceof ApiError && error.status === 409) {
        setError('name', { type: 'server', message: error.message }, { shouldFocus: true });
        return;
      }
      setFormError(applyServerError(error, setError, ['name', 'description', 'color']));
    },
  });

  const submit = handleSubmit((values) => {
    setFormError(null);
    save.mutate(values);
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Name" required placeholder="Production" maxLength={100} {...register('name')} error={errors.name?.message} />
        <Textarea label="Description" description="Optional; shown in tooltips and beside the group" autosize minRows={2} maxLength={500}
          {...register('description')} error={errors.description?.message}
        />
        <Controller control={control} name="color" render={({ field }) => (
          <ColorInput label="Color" required description="The dot shown beside the group's name" format="hex" swatches={SWATCHES}
            value={field.value} onChange={field.onChange} onBlur={field.onBlur} name={field.name} ref={field.ref}
            error={errors.color?.message} withEyeDropper={false}
          />
        )}
        />
        <DialogActions label={group ? 'Update group' : 'Create group'} loading={save.isPending} onCancel={onClose} />
      </Stack>
    </form>
  );
}
