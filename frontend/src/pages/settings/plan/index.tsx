/**
 * Settings → Plan and modules (C2.8 "Subscription"): the organisation, its plan and host limit with the current
 * host count, and every module of the catalogue, enabled or locked with the tier that includes it.
 */
import { Badge, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';

import { dashboardStatsQuery } from '../../../api/dashboard';
import { useCan, useSession } from '../../../auth/useSession';
import { DataTable, type Column } from '../../../components/DataTable';
import { LoadingState } from '../../../components/states';
import { SectionHeader } from '../shared/SectionHeader';
import { hostUsage, moduleRows, planLabel, type ModuleRow } from './modules';

const MODULE_COLUMNS: Column<ModuleRow>[] = [
  {
    key: 'module', header: 'Module', cell: (m) => (
      <>
        <Text size="sm" fw={600}>{m.label}</Text>
        {m.description ? <Text size="xs" c="dimmed">{m.description}</Text> : null}
      </>
    ),
  },
  { key: 'tier', header: 'Included from', nowrap: true, cell: (m) => <Text size="sm">{m.tier === 'Free' ? 'Every plan' : `${m.tier} plan`}</Text> },
  {
    key: 'status', header: 'Status', nowrap: true, cell: (m) => (m.enabled ? (
      <Badge color="green" variant="light">Enabled</Badge>
    ) : (
      <Group gap="xs" wrap="nowrap">
        {m.badge ? <Badge color={m.badge === 'Max' ? 'grape' : 'blue'} variant="filled">{m.badge}</Badge> : null}
        <Text size="sm" c="dimmed">Upgrade required</Text>
      </Group>
    )),
  },
];

export default function PlanSettings() {
  const { data: me } = useSession();
  const canSeeStats = useCan('can_view_dashboard');
  const canManageBilling = useCan('can_manage_billing');
  // One read of the tenant's counters (the dashboard's query, so it is often cached already).
  const stats = useQuery({ ...dashboardStatsQuery, enabled: canSeeStats });

  if (!me) return <LoadingState label="Loading your plan…" />;
  const usage = hostUsage(stats.data?.total_hosts, me.host_limit);
  const rows = moduleRows(me.modules);
  return (
    <Stack gap="md">
      <SectionHeader title="Plan and modules" description="Your organisation's subscription and the features it includes." />

      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Card withBorder padding="md">
          <Text size="sm" c="dimmed">Organisation</Text>
          <Text fw={700} size="lg">{me.tenant.name}</Text>
          <Text size="xs" c="dimmed">{me.tenant.slug}</Text>
        </Card>
        <Card withBorder padding="md">
          <Text size="sm" c="dimmed">Plan</Text>
          <Text fw={700} size="lg">{planLabel(me.plan)}</Text>
        </Card>
        <Card withBorder padding="md">
          <Text size="sm" c="dimmed">Hosts</Text>
          <Text fw={700} size="lg">{usage.label}</Text>
          {usage.percent !== null ? (
            <Progress value={usage.percent} color={usage.full ? 'red' : usage.percent >= 80 ? 'yellow' : 'blue'} mt="xs"
              aria-label={`Host limit used: ${usage.percent}%`}
            />
          ) : null}
          {usage.full ? <Text size="xs" c="red" mt={4}>The host limit is reached: new hosts cannot be added.</Text> : null}
        </Card>
      </SimpleGrid>

      {canManageBilling ? (
        <Card withBorder padding="md" component="section" aria-labelledby="plan-upgrade">
          <Title order={3} size="h5" id="plan-upgrade">Changing your plan</Title>
          <Text size="sm" mt={4}>
            There is no self-service billing. To upgrade, add modules or raise the host limit, contact your PatchMon Cloud operator; the change
            applies to your organisation as soon as they make it.
          </Text>
        </Card>
      ) : null}

      <DataTable caption="Modules" showCaption columns={MODULE_COLUMNS} rows={rows} rowKey={(m) => m.key} minWidth={520} />
    </Stack>
  );
}
