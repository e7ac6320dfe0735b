/** Agent: its version and connection, automatic updates (per host), "Update agent now", and integration status. */
import { Alert, Badge, Button, Group, Stack, Switch, Text, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { errorMessage } from '../../../api/errors';
import { hostKeys, hostsApi, type HostDetail, type IntegrationStatus } from '../../../api/hosts';
import { agentVersionQuery } from '../../../api/orgSettings';
import { useCan } from '../../../auth/useSession';
import { DataTable, type Column } from '../../../components/DataTable';
import { useToast } from '../../../components/useToast';
import { isNewerVersion } from '../logic';
import { ConnectionBadge, FactList, RelativeTime } from '../parts';

function AutoUpdate({ host, canManage }: { host: HostDetail; canManage: boolean }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const enabled = host.auto_update !== false;
  const change = useMutation({
    mutationFn: (on: boolean) => hostsApi.setAutoUpdate(host.host_id, on),
    onSuccess: (_, on) => {
      toast.show({ tone: 'success', message: `Automatic agent updates ${on ? 'allowed' : 'stopped'} for ${host.friendly_name}` });
      void queryClient.invalidateQueries({ queryKey: hostKeys.detail(host.host_id) });
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Setting not changed', message: errorMessage(error) }),
  });
  if (!canManage) return <Text size="sm">{enabled ? 'On' : 'Off'}</Text>;
  return (
    <Switch label="Update this host's agent automatically" checked={change.isPending ? change.variables : enabled}
      disabled={change.isPending} onChange={(event) => change.mutate(event.currentTarget.checked)}
    />
  );
}

function UpdateNow({ host }: { host: HostDetail }) {
  const toast = useToast();
  const update = useMutation({
    mutationFn: () => hostsApi.forceAgentUpdate(host.host_id),
    onSuccess: () => toast.show({ tone: 'success', message: `Update requested: ${host.friendly_name}'s agent updates itself and reconnects.` }),
    onError: (error) => toast.show({ tone: 'error', title: 'Update not requested', message: errorMessage(error) }),
  });
  if (host.connected) return <Button variant="default" loading={update.isPending} onClick={() => update.mutate()}>Update agent now</Button>;
  return (
    <Tooltip label="The agent is not connected: the request could not reach it" withArrow>
      <Button variant="default" data-disabled aria-disabled="true" onClick={(event) => event.preventDefault()}>Update agent now</Button>
    </Tooltip>
  );
}

interface IntegrationRow {
  name: string;
  label: string;
  /** Turned on for the host in PatchMon. */
  on: boolean;
  /** What the agent last reported about setting it up. */
  status: IntegrationStatus | undefined;
}

const INTEGRATION_COLUMNS: Column<IntegrationRow>[] = [
  { key: 'integration', header: 'Integration', cell: (row) => row.label },
  { key: 'configured', header: 'Configured', cell: (row) => (row.on ? 'On' : 'Off') },
  { key: 'reported', header: 'Agent reports', cell: ({ status }) => (
    status?.status ? <Badge variant="light" tt="none">{status.status}</Badge> : <Text span size="sm" c="dimmed">Nothing yet</Text>
  ) },
  { key: 'details', header: 'Details', cell: ({ status }) => (
    <Text span size="sm">
      {[status?.message, ...Object.entries(status?.components ?? {}).map(([k, v]) => `${k}: ${v}`)].filter(Boolean).join('; ') || '—'}
    </Text>
  ) },
];

function Integrations({ host }: { host: HostDetail }) {
  const reported = host.integration_status ?? {};
  const rows: IntegrationRow[] = [
    { name: 'docker', label: 'Docker', on: Boolean(host.docker_enabled), status: reported.docker },
    { name: 'compliance', label: 'Compliance', on: Boolean(host.compliance_enabled), status: reported.compliance },
  ];
  return <DataTable caption="Integrations" showCaption columns={INTEGRATION_COLUMNS} rows={rows} rowKey={(row) => row.name} />;
}

export function AgentTab({ host, now }: { host: HostDetail; now: number }) {
  const canManage = useCan('can_manage_hosts');
  // The build this deployment serves; a deployment without one answers 404, which only hides the comparison.
  const latest = useQuery(agentVersionQuery);
  const newer = latest.data && isNewerVersion(latest.data.latestVersion, host.agent_version);
  const orgDisabled = latest.data?.autoUpdateDisabled ? latest.data.autoUpdateDisabledReason : null;
  return (
    <Stack gap="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">Agent</Title>
        <FactList facts={[
          { label: 'Version', value: host.agent_version ? (
            <Group gap="xs">
              <Text span size="sm">{host.agent_version}</Text>
              {newer ? <Badge color="blue" variant="light" tt="none">{latest.data.latestVersion} available</Badge> : null}
            </Group>
          ) : null },
          { label: 'Connection', value: (
            <Group gap="xs">
              <ConnectionBadge host={host} />
              <Text span size="sm" c="dimmed">
                {host.connected
                  ? <>connected <RelativeTime iso={host.connected_since} now={now} /></>
                  : <>last seen <RelativeTime iso={host.last_seen_at} now={now} /></>}
              </Text>
            </Group>
          ) },
          { label: 'Automatic updates', value: <AutoUpdate host={host} canManage={canManage} /> },
        ]}
        />
        {orgDisabled ? <Alert color="yellow" variant="light">{orgDisabled}: this host's setting has no effect until they are turned on in Settings → Agent updates.</Alert> : null}
        {canManage ? <Group><UpdateNow host={host} /></Group> : null}
      </Stack>
      <Integrations host={host} />
    </Stack>
  );
}
