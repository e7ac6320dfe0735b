/** The host page's header actions for host managers: fetch a report now, rename, delete. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Modal, Stack, TextInput, Tooltip } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';

import { errorMessage } from '../../api/errors';
import { hostKeys, hostsApi, type HostDetail } from '../../api/hosts';
import { ConfirmDialog, DialogActions } from '../../components/ConfirmDialog';
import { applyServerError } from '../../components/formErrors';
import { useToast } from '../../components/useToast';
import { renameSchema, type RenameValues } from './schemas';

/** "Fetch report": the agent gets the request over its WebSocket, so it needs to be connected. */
export function FetchReportButton({ host }: { host: HostDetail }) {
  const toast = useToast();
  const fetch = useMutation({
    mutationFn: () => hostsApi.fetchReport(host.host_id),
    onSuccess: () => toast.show({ tone: 'success', message: `Report requested from ${host.friendly_name}; it shows here once it arrives.` }),
    onError: (error) => toast.show({ tone: 'error', title: 'Report not requested', message: errorMessage(error) }),
  });
  if (host.connected) {
    return <Button variant="default" loading={fetch.isPending} onClick={() => fetch.mutate()}>Fetch report</Button>;
  }
  // Looks disabled but stays focusable, so keyboard and pointer users both get the reason.
  return (
    <Tooltip label="The agent is not connected: it reports on its own schedule" withArrow>
      <Button variant="default" data-disabled aria-disabled="true" onClick={(event) => event.preventDefault()}>Fetch report</Button>
    </Tooltip>
  );
}

export function RenameHostModal({ host, opened, onClose }: { host: HostDetail; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Rename host" closeButtonProps={{ 'aria-label': 'Close' }}>
      {/* Mounted only while open, so each opening starts from the current name. */}
      {opened ? <RenameForm host={host} onDone={onClose} /> : null}
    </Modal>
  );
}

function RenameForm({ host, onDone }: { host: HostDetail; onDone: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<RenameValues>({
    resolver: zodResolver(renameSchema),
    defaultValues: { friendly_name: host.friendly_name },
  });
  const submit = handleSubmit(async ({ friendly_name }) => {
    setFormError(null);
    try {
      await hostsApi.rename(host.host_id, friendly_name);
      await queryClient.invalidateQueries({ queryKey: hostKeys.all });
      toast.show({ tone: 'success', message: `Renamed to ${friendly_name}` });
      onDone();
    } catch (error) {
      setFormError(applyServerError(error, setError, ['friendly_name']));
    }
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Friendly name" required withAsterisk data-autofocus {...register('friendly_name')} error={errors.friendly_name?.message} />
        <DialogActions label="Save name" onCancel={onDone} loading={isSubmitting} />
      </Stack>
    </form>
  );
}

export function DeleteHostModal({ host, opened, onClose }: { host: HostDetail; opened: boolean; onClose: () => void }) {
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => hostsApi.remove(host.host_id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: hostKeys.detail(host.host_id) });
      void queryClient.invalidateQueries({ queryKey: hostKeys.all });
      toast.show({ tone: 'success', message: `${host.friendly_name} deleted` });
      void navigate('/hosts');
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Host not deleted', message: errorMessage(error) }),
  });
  return (
    <ConfirmDialog opened={opened} onClose={onClose} title={`Delete ${host.friendly_name}?`} confirmLabel="Delete host" loading={remove.isPending}
      onConfirm={() => remove.mutate()}
    >
      The host, its packages, repositories and report history are deleted, and its agent's credentials stop working.
      The agent stays installed on the machine until you run the uninstall command there. This cannot be undone.
    </ConfirmDialog>
  );
}
