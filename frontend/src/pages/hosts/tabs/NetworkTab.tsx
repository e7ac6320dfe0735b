/** Network: the host's address, gateway, DNS servers and interfaces, as its last report gave them. */
import { Badge, Card, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';

import type { HostDetail, NetworkInterface } from '../../../api/hosts';
import { EmptyState } from '../../../components/states';
import { FactList } from '../parts';

function InterfaceCard({ nic }: { nic: NetworkInterface }) {
  const up = nic.status === 'up';
  const speed = nic.linkSpeed && nic.linkSpeed > 0 ? `${nic.linkSpeed} Mb/s${nic.duplex ? ` ${nic.duplex} duplex` : ''}` : null;
  return (
    <Card withBorder padding="sm" radius="md">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Title order={3} size="h5">{nic.name}</Title>
          <Group gap={4}>
            {nic.type ? <Badge variant="light" color="gray" tt="none">{nic.type}</Badge> : null}
            {nic.status ? <Badge variant="light" color={up ? 'teal' : 'red'}>{up ? 'Up' : 'Down'}</Badge> : null}
          </Group>
        </Group>
        <FactList facts={[
          { label: 'MAC', value: nic.macAddress },
          { label: 'MTU', value: nic.mtu ? String(nic.mtu) : null },
          { label: 'Link', value: speed },
        ]}
        />
        {nic.addresses?.length ? (
          <List size="sm" spacing={2} aria-label={`Addresses of ${nic.name}`}>
            {nic.addresses.map((a) => (
              <List.Item key={`${a.address}${a.netmask ?? ''}`}>
                <Text span size="sm" ff="monospace">{a.address}{a.netmask ?? ''}</Text>
                <Text span size="xs" c="dimmed"> {a.family ?? ''}{a.gateway ? ` via ${a.gateway}` : ''}</Text>
              </List.Item>
            ))}
          </List>
        ) : <Text size="sm" c="dimmed">No addresses</Text>}
      </Stack>
    </Card>
  );
}

export function NetworkTab({ host }: { host: HostDetail }) {
  const nics = host.network_interfaces ?? [];
  if (!host.ip && nics.length === 0 && !host.dns_servers?.length) {
    return <EmptyState title="No network data yet" description="The agent sends the host's interfaces with its reports." />;
  }
  return (
    <Stack gap="lg">
      <FactList facts={[
        { label: 'IP address', value: host.ip },
        { label: 'Gateway', value: host.gateway_ip },
        { label: 'DNS servers', value: host.dns_servers?.length ? host.dns_servers.join(', ') : null },
      ]}
      />
      <Stack gap="sm">
        <Title order={2} size="h4">Interfaces</Title>
        {nics.length ? (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            {nics.map((nic) => <InterfaceCard key={nic.name} nic={nic} />)}
          </SimpleGrid>
        ) : <Text size="sm" c="dimmed">No interfaces reported.</Text>}
      </Stack>
    </Stack>
  );
}
