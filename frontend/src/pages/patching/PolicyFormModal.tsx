/**
 * "Create policy" / "Edit policy" (C10.6, C10.15): name, description, the delay type and its minutes, time or
 * maintenance window (weekdays and a time, or a cron expression; duration, operation, warning, paused; with the
 * `patching_policies` module's rollouts, "Roll out gradually"), timezone; and for every policy the reboot policy and
 * the pre-patch, post-patch and after-reboot hooks.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Chip, CloseButton, Divider, Group, Input, Modal, NativeSelect, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useFieldArray, useForm, useWatch, type Control, type FieldErrors, type UseFormRegister } from 'react-hook-form';

import { patchingApi, patchingKeys, type PatchPolicy } from '../../api/patching';
import { DialogActions } from '../../components/ConfirmDialog';
import { applyServerError } from '../../components/formErrors';
import { WEEK } from '../../components/patching/logic';
import { RolloutFields } from '../../components/patching/RolloutFields';
import { useToast } from '../../components/useToast';
import {
  DELAY_TYPES, HOOK_LISTS, MAX_HOOKS, OPERATIONS, policyDefaults, policyErrorField, policySchema, REBOOT_POLICIES, timezoneOptions, toPolicyWrite,
  type PolicyValues,
} from './policyForm';

export function PolicyFormModal({ opened, policy, onClose }: { opened: boolean; policy: PatchPolicy | null; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={policy ? 'Edit policy' : 'Create policy'} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      {/* Mounted only while open, so each opening starts from the policy's current values. */}
      {opened ? <PolicyForm policy={policy} onClose={onClose} /> : null}
    </Modal>
  );
}

interface FieldsProps {
  control: Control<PolicyValues>;
  register: UseFormRegister<PolicyValues>;
  errors: FieldErrors<PolicyValues>;
}

function PolicyForm({ policy, onClose }: { policy: PatchPolicy | null; onClose: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, control, setError, getValues, formState: { errors } } = useForm<PolicyValues>({
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
    onError: (error) => setFormError(applyServerError(error, setError, (field) => policyErrorField(field, getValues()))),
  });
  const submit = handleSubmit((values) => {
    setFormError(null);
    save.mutate(values);
  });
  const fields = { control, register, errors };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Name" required data-autofocus maxLength={100} placeholder="Nightly window" {...register('name')} error={errors.name?.message} />
        <Textarea label="Description" autosize minRows={2} maxLength={500} {...register('description')} error={errors.description?.message} />
        <NativeSelect label="Patch delay" data={DELAY_TYPES} {...register('patch_delay_type')} error={errors.patch_delay_type?.message}
          description={kind === 'maintenance_window' ? 'The window patches its hosts by itself when it opens; runs triggered by hand wait for it.' : undefined}
        />
        {kind === 'delayed' ? (
          <TextInput label="Minutes" description="How long after it is triggered (or approved) a run starts" required inputMode="numeric"
            {...register('delay_minutes')} error={errors.delay_minutes?.message}
          />
        ) : null}
        {kind === 'fixed_time' ? (
          <TextInput label="Time (HH:MM)" description="The next occurrence of this time in the timezone below" required placeholder="03:00"
            {...register('fixed_time')} error={errors.fixed_time?.message}
          />
        ) : null}
        {kind === 'maintenance_window' ? <WindowFields {...fields} rolloutUnknown={Boolean(policy?.window && !('rollout' in policy.window))} /> : null}
        {kind === 'fixed_time' || kind === 'maintenance_window' ? (
          <NativeSelect label="Timezone" data={timezoneOptions(policy?.timezone)} {...register('timezone')} error={errors.timezone?.message} />
        ) : null}

        <Divider label="Around each run" labelPosition="left" mt="xs" />
        <NativeSelect label="Reboot" data={REBOOT_POLICIES} {...register('reboot_policy')} error={errors.reboot_policy?.message}
          description="After a successful run: never, when the host says it needs one, or every time. Never after a dry run."
        />
        <Alert color="gray" variant="light" p="xs" role="note">
          <Text size="sm">Hooks run as root on the host, one line of shell each, with their output in the run's log. They are never run in a dry run.</Text>
        </Alert>
        {HOOK_LISTS.map((list) => <HookList key={list.name} {...fields} {...list} />)}
        <DialogActions label={policy ? 'Update policy' : 'Create policy'} loading={save.isPending} onCancel={onClose} />
      </Stack>
    </form>
  );
}

const WINDOW_ROLLOUT_NOTE = 'Each opening starts its runs a few hosts at a time instead of all at once; the others wait their turn as "Waiting". '
  + 'A run not started when the window closes is cancelled.';

/** `rolloutUnknown`: the policy as the server sent it says nothing of a rollout, so saving keeps only what is set here. */
function WindowFields({ control, register, errors, rolloutUnknown }: FieldsProps & { rolloutUnknown: boolean }) {
  const advanced = useWatch({ control, name: 'window.advanced' });
  const windowErrors = errors.window;
  const rolloutErrors = windowErrors?.rollout;
  return (
    <Stack gap="sm" p="sm" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}>
      <Controller control={control} name="window.advanced" render={({ field }) => (
        <Switch label="Advanced: cron expression" checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} onBlur={field.onBlur}
          name={field.name} ref={field.ref}
        />
      )}
      />
      {advanced ? (
        <TextInput label="Cron expression" required placeholder="cron(0 2 ? * SAT,SUN *)" maxLength={120}
          description="EventBridge: cron(minutes hours day-of-month month day-of-week year), in the policy's timezone"
          {...register('window.cron')} error={windowErrors?.cron?.message}
        />
      ) : (
        <>
          <Controller control={control} name="window.days" render={({ field }) => (
            <Input.Wrapper id="window-days" label="Days" required labelElement="div" error={windowErrors?.days?.message ?? windowErrors?.days?.root?.message}>
              <Group gap={6} mt={4} role="group" aria-labelledby="window-days-label" aria-describedby={windowErrors?.days ? 'window-days-error' : undefined}>
                <Chip.Group multiple value={field.value} onChange={(value) => field.onChange(value)}>
                  {WEEK.map((day) => <Chip key={day.value} value={day.value} size="sm" onBlur={field.onBlur}>{day.label}</Chip>)}
                </Chip.Group>
              </Group>
            </Input.Wrapper>
          )}
          />
          <TextInput label="Opens at (HH:MM)" required placeholder="02:00" {...register('window.time')} error={windowErrors?.time?.message} />
        </>
      )}
      <TextInput label="Duration (minutes)" required inputMode="numeric" description="15 to 1440; a run not started by the window's end is cancelled"
        {...register('window.duration_minutes')} error={windowErrors?.duration_minutes?.message}
      />
      <NativeSelect label="Operation" data={OPERATIONS} {...register('window.operation')} error={windowErrors?.operation?.message} />
      <Controller control={control} name="window.warn_minutes" render={({ field }) => (
        <TextInput label="Warn N minutes before" inputMode="numeric" disabled={advanced} value={field.value} onChange={field.onChange} onBlur={field.onBlur}
          name={field.name} ref={field.ref} error={windowErrors?.warn_minutes?.message}
          description={advanced ? 'Not available with a cron expression' : '0 to 1440; 0: no warning event'}
        />
      )}
      />
      <Controller control={control} name="window.paused" render={({ field }) => (
        <Switch label="Paused" description="A paused window opens no more until it is resumed" checked={field.value}
          onChange={(e) => field.onChange(e.currentTarget.checked)} onBlur={field.onBlur} name={field.name} ref={field.ref}
        />
      )}
      />
      <Controller control={control} name="window.rollout" render={({ field }) => (
        <RolloutFields value={field.value} onChange={field.onChange} onBlur={field.onBlur} note={WINDOW_ROLLOUT_NOTE}
          description="Start each opening's runs a few hosts at a time, stop when too many fail, and let a first ring go before the rest."
          errors={{
            max_concurrency: rolloutErrors?.max_concurrency?.message, max_errors: rolloutErrors?.max_errors?.message,
            first_ring_group_id: rolloutErrors?.first_ring_group_id?.message, first_ring_host_ids: rolloutErrors?.first_ring_host_ids?.message,
            ring_success_threshold: rolloutErrors?.ring_success_threshold?.message,
          }}
        />
      )}
      />
      {rolloutUnknown ? (
        <Text size="xs" c="dimmed" data-testid="rollout-unknown">
          The server did not say whether this window rolls out gradually: saving applies the rollout set here (none while it is off).
        </Text>
      ) : null}
    </Stack>
  );
}

function HookList({ control, register, errors, name, label, one, description }: FieldsProps & (typeof HOOK_LISTS)[number]) {
  const { fields, append, remove } = useFieldArray({ control, name });
  const listErrors = errors[name];
  const id = `hooks-${name}`;
  const full = fields.length >= MAX_HOOKS;
  return (
    <Input.Wrapper id={id} label={label} description={description} labelElement="div" error={listErrors?.message ?? listErrors?.root?.message}>
      <Stack gap={6} mt={6} role="group" aria-labelledby={`${id}-label`}>
        {fields.map((item, index) => (
          <Group key={item.id} gap={6} align="flex-start" wrap="nowrap">
            <TextInput aria-label={`${label}: command ${index + 1}`} placeholder="systemctl stop myapp" style={{ flex: 1 }} ff="monospace"
              {...register(`${name}.${index}.command`)} error={listErrors?.[index]?.command?.message}
            />
            <CloseButton mt={6} aria-label={`Remove ${one} ${index + 1}`} onClick={() => remove(index)} />
          </Group>
        ))}
        <Group gap="xs">
          <Button size="compact-sm" variant="default" disabled={full} onClick={() => append({ command: '' })}>Add {one}</Button>
          {full ? <Text size="xs" c="dimmed">At most {MAX_HOOKS} hooks.</Text> : null}
        </Group>
      </Stack>
    </Input.Wrapper>
  );
}
