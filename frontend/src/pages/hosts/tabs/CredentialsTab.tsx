/**
 * Credentials and install (Admin Guide C4.27): the API ID, the install and uninstall commands, and — for host managers —
 * "Regenerate credentials", which shows a new key once. The stored key is only a hash, so the command cannot carry it.
 */
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { errorMessage } from '../../../api/errors';
import { hostKeys, hostsApi, type Credentials, type HostDetail } from '../../../api/hosts';
import { useCan } from '../../../auth/useSession';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useToast } from '../../../components/useToast';
import { useServerUrl } from '../hooks';
import { installCommand, uninstallCommand } from '../logic';
import { CommandBlock, CopyableValue } from '../parts';

const KEY_PLACEHOLDER = '<API key>';

function Regenerate({ host, onIssued }: { host: HostDetail; onIssued: (credentials: Credentials) => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const regenerate = useMutation({
    mutationFn: () => hostsApi.regenerateCredentials(host.host_id),
    onSuccess: (credentials) => {
      setConfirming(false);
      onIssued(credentials);
      void queryClient.invalidateQueries({ queryKey: hostKeys.all });
      toast.show({ tone: 'success', message: 'New credentials issued: copy the key now' });
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Credentials not regenerated', message: errorMessage(error) }),
  });
  return (
    <>
      <Group><Button variant="default" onClick={() => setConfirming(true)}>Regenerate credentials</Button></Group>
      <ConfirmDialog opened={confirming} onClose={() => setConfirming(false)} title="Regenerate credentials?" confirmLabel="Regenerate credentials"
        color="orange" loading={regenerate.isPending} onConfirm={() => regenerate.mutate()}
      >
        <Text size="sm">
          A new API ID and key are issued and the current ones stop working at once: the agent on {host.friendly_name} can no
          longer report until you run the new install command on it. The new key is shown once.
        </Text>
      </ConfirmDialog>
    </>
  );
}

export function CredentialsTab({ host }: { host: HostDetail }) {
  const canManage = useCan('can_manage_hosts');
  const serverUrl = useServerUrl();
  // Held only while this page is open: leaving it forgets the key, as the server keeps only its hash.
  const [issued, setIssued] = useState<Credentials | null>(null);
  return (
    <Stack gap="lg">
      {issued ? (
        <Stack gap="sm">
          <Alert color="yellow" variant="light" title="New credentials: the API key is shown only once">
            Copy the key or the install command now and run the command on the host; the previous credentials no longer work.
          </Alert>
          <CopyableValue label="API ID" value={issued.apiId} testId="api-id" />
          <CopyableValue label="API key" value={issued.apiKey} testId="api-key" />
          <CommandBlock label="Install command" copyLabel="Copy install command" command={installCommand(serverUrl, issued.apiId, issued.apiKey)}
            description="Run it as root on the host; it replaces the agent's old credentials."
          />
        </Stack>
      ) : (
        <Stack gap="sm">
          <Title order={2} size="h4">API credentials</Title>
          <CopyableValue label="API ID" value={host.api_id} />
          <Text size="sm">
            <Text span fw={600}>API key: </Text>
            stored only as a hash, so it cannot be shown. It was shown once when the host was added{canManage ? '; if it is lost, regenerate the credentials' : ''}.
          </Text>
          <CommandBlock label="Install command" copyLabel="Copy install command" command={installCommand(serverUrl, host.api_id, KEY_PLACEHOLDER)}
            description={`Replace ${KEY_PLACEHOLDER} with the host's API key, then run it as root on the host (it needs curl and python3).`}
          />
          {canManage ? <Regenerate host={host} onIssued={setIssued} /> : null}
        </Stack>
      )}
      <CommandBlock label="Uninstall command" copyLabel="Copy uninstall command" command={uninstallCommand(serverUrl)}
        description="Run it as root on the host to take the agent, its service and /etc/patchmon off it. The host stays here until it is deleted."
      />
    </Stack>
  );
}
