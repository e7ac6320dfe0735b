/** "Create policy" / "Edit policy" (C10.6, C10.15): name, description, the delay type and its minutes or time, timezone. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Modal, NativeSelect, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';

import { patchingApi, patchingKeys, type PatchPolicy } from '../../api/patching';
import { DialogActions } from '../../components/ConfirmDialog';
import { applyServerError } from '../../components/formErrors';
import { useToast } from '../../components/useToast';
import { DELAY_TYPES, policyDefaults, policySchema, timezoneOptions, toPolicyWrite, type PolicyValues } from './policyForm';

export function PolicyFormModal({ opened, policy, onClose }: { opened: boolean; policy: PatchPolicy | null; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={policy ? 'Edit policy' : 'Create policy'} closeButtonProps={{ 'aria-label': 'Close' }}>
      {/* Mounted only while open, so each opening starts from the policy's current values. */}
      {opened ? <PolicyForm policy={policy} onClose={onClose} /> : null}
    </Modal>
  );
}

const FIELDS = ['name', 'description', 'patch_delay_type', 'delay_minutes', 'fixed_time', 'timezone'] as const;

function PolicyForm({ policy, onClose }: { policy: PatchPolicy | null; onClose: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, control, setError, formState: { errors } } = useForm<PolicyValues>({
    resolver: zodResolver(policySchema),
    defaultValues: policyDefaults(policy),
  });
  const kind = useWatch({ control, name: 'patch_delay_type' });
  const save = useMutation({
    mutationFn: (values: PolicyValues) => (policy ? patchingApi.updatePolicy(policy.id, toPolicyWrite(values)) : patchingApi.createPolicy(toPolicyWrite(values))),
    onSuccess: async (saved) => {
      toast.show({ tone: 'success', message: policy ? `Policy "${saved.name}" updated` : `Policy "${saved.name}" created` });
      await queryClient.invalidateQueries({ queryKey: patchingKeys.policies });
      onClose();
    },
    onError: (error) => setFormError(applyServerError(error, setError, FIELDS)),
  });
  const submit = handleSubmit((values) => {
    setFormError(null);
    save.mutate(values);
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Name" required data-autofocus maxLength={100} placeholder="Nightly window" {...register('name')} error={errors.name?.message} />
        <Textarea label="Description" autosize minRows={2} maxLength={500} {...register('description')} error={errors.description?.message} />
        <NativeSelect label="Patch delay" data={DELAY_TYPES} {...register('patch_delay_type')} error={errors.patch_delay_type?.message} />
        {kind === 'delayed' ? (
          <TextInput label="Minutes" description="How long after it is triggered (or approved) a run starts" required inputMode="numeric"
            {...register('delay_minutes')} error={errors.delay_minutes?.message}
          />
        ) : null}
        {kind === 'fixed_time' ? (
          <>
            <TextInput label="Time (HH:MM)" description="The next occurrence of this time in the timezone below" required placeholder="03:00"
              {...register('fixed_time')} error={errors.fixed_time?.message}
            />
            <NativeSelect label="Timezone" data={timezoneOptions(policy?.timezone)} {...register('timezone')} error={errors.timezone?.message} />
          </>
        ) : null}
        <DialogActions label={policy ? 'Update policy' : 'Create policy'} loading={save.isPending} onCancel={onClose} />
      </Stack>
    </form>
  );
}
