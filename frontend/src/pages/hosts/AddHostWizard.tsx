/**
 * The Add host wizard (Admin Guide ch. 3): name the host and pick its groups, which creates it (pending) and shows its
 * API credentials and install command once; then wait, polling every 5 s while the dialog is open, for the agent's
 * first report. Closing the dialog does not cancel the host; the API key is forgotten with it.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, Checkbox, Group, Loader, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { Link } from 'react-router';

import { hostKeys, hostsApi, type CreatedHost } from '../../api/hosts';
import { hostHref } from '../../api/inventory';
import { useHasModule } from '../../auth/useSession';
import { plural } from '../../components/format';
import { applyServerError } from '../../components/formErrors';
import { useHostGroups, useServerUrl } from './hooks';
import { installCommand, uninstallCommand } from './logic';
import { CommandBlock, CopyableValue, GroupCheckboxes } from './parts';
import { newHostSchema, type NewHostValues } from './schemas';

const WIZARD_POLL_MS = 5_000;

const DEFAULTS: NewHostValues = { friendly_name: '', groups: [], docker_enabled: false, compliance_enabled: false };

function DetailsStep({ onCreated }: { onCreated: (host: CreatedHost) => void }) {
  const groups = useHostGroups();
  const docker = useHasModule('docker');
  const compliance = useHasModule('compliance');
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<NewHostValues>({
    resolver: zodResolver(newHostSchema),
    defaultValues: DEFAULTS,
  });

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      onCreated(await hostsApi.create({
        friendly_name: values.friendly_name, hostGroupIds: values.groups,
        ...(docker ? { docker_enabled: values.docker_enabled } : {}),
        ...(compliance ? { compliance_enabled: values.compliance_enabled } : {}),
      }));
    } catch (error) {
      setFormError(applyServerError(error, setError, ['friendly_name']));
    }
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed">Step 1 of 2: name the host. PatchMon Cloud's agent runs on Linux (Debian, Ubuntu, RHEL and its rebuilds, Fedora, Alpine…).</Text>
        {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
        <TextInput label="Friendly name" required withAsterisk placeholder="web-01.prod" data-autofocus
          description="How the host is named in PatchMon; its real hostname comes with the agent's first report. You can rename it later."
          {...register('friendly_name')} error={errors.friendly_name?.message}
        />
        <Controller control={control} name="groups" render={({ field }) => (
          <Checkbox.Group label="Host groups" description="Optional: a host can be in several groups." value={field.value} onChange={field.onChange}>
            {groups.data && groups.data.length > 0 ? (
              <GroupCheckboxes groups={groups.data} />
            ) : (
              <Text size="sm" c="dimmed" mt={6}>
                {groups.isPending ? 'Loading groups…' : 'No host groups yet: create them under Settings → Host groups.'}
              </Text>
            )}
          </Checkbox.Group>
        )}
        />
        {docker ? (
          <Controller control={control} name="docker_enabled" render={({ field }) => (
            <Switch label="Docker integration" description="Collect containers, images, volumes and networks."
              checked={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)}
            />
          )}
          />
        ) : null}
        {compliance ? (
          <Controller control={control} name="compliance_enabled" render={({ field }) => (
            <Switch label="Compliance scanning" description="OpenSCAP CIS benchmark scans."
              checked={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)}
            />
          )}
          />
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={isSubmitting}>Create host</Button>
        </Group>
      </Stack>
    </form>
  );
}

function ConnectionProgress({ created, onOpenHost }: { created: CreatedHost; onOpenHost: () => void }) {
  const host = useQuery({
    queryKey: hostKeys.detail(created.hostId),
    queryFn: ({ signal }) => hostsApi.get(created.hostId, signal),
    // Quick polling only while someone is waiting for this host's first report.
    refetchInterval: (query) => (query.state.data && query.state.data.status !== 'pending' ? false : WIZARD_POLL_MS),
  });
  const reported = host.data && host.data.status !== 'pending';
  return (
    <div aria-live="polite">
      {reported ? (
        <Alert color="teal" variant="light" title={`Connected: ${plural(host.data.packages_count, 'package')} reported`}>
          <Anchor component={Link} to={hostHref(created.hostId)} onClick={onOpenHost}>Open the host's page</Anchor>
        </Alert>
      ) : (
        <Group gap="sm">
          <Loader size="xs" aria-hidden="true" />
          <Text size="sm">Waiting for the agent's first report…</Text>
        </Group>
      )}
    </div>
  );
}

function InstallStep({ created, onDone }: { created: CreatedHost; onDone: () => void }) {
  const serverUrl = useServerUrl();
  const intro = useRef<HTMLParagraphElement>(null);
  // The form (and the focused button) is gone: keep focus inside the dialog, on the new step.
  useEffect(() => intro.current?.focus(), []);
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed" ref={intro} tabIndex={-1} style={{ outline: 'none' }}>Step 2 of 2: install the agent on {created.friendlyName}.</Text>
      <Alert color="yellow" variant="light" title="The API key is shown only once">
        Copy the key or the install command now. After this dialog closes the key cannot be shown again: you would have to
        regenerate the host's credentials.
      </Alert>
      <CopyableValue label="API ID" value={created.apiId} testId="api-id" />
      <CopyableValue label="API key" value={created.apiKey} testId="api-key" />
      <CommandBlock label="Install command" copyLabel="Copy install command" command={installCommand(serverUrl, created.apiId, created.apiKey)}
        description="Run it as root on the host (it needs curl and python3). The agent connects and sends its first report within a minute."
      />
      <CommandBlock label="Uninstall command" copyLabel="Copy uninstall command" command={uninstallCommand(serverUrl)}
        description="Takes the agent, its service and /etc/patchmon off the host again; the host stays in PatchMon until you delete it here."
      />
      <ConnectionProgress created={created} onOpenHost={onDone} />
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

export function AddHostWizard({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<CreatedHost | null>(null);
  const close = () => {
    setCreated(null); // the plaintext key goes with the dialog
    void queryClient.invalidateQueries({ queryKey: hostKeys.all });
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Add host" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      {created ? <InstallStep created={created} onDone={close} /> : <DetailsStep onCreated={setCreated} />}
    </Modal>
  );
}
