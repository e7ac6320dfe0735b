/** Overview: package counts (each opens the filtered Packages or Repositories tab), identity, groups and system facts. */
import { Anchor, Badge, Card, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

import type { HostDetail } from '../../../api/hosts';
import { useCan } from '../../../auth/useSession';
import { formatCount, formatDateTime } from '../../../components/format';
import { GroupsMultiSelect } from '../GroupsEditor';
import { groupsById, useHostGroups } from '../hooks';
import { formatGiB, osLabel } from '../logic';
import { FactList, GroupChips, RelativeTime } from '../parts';

function StatCard({ label, value, to, tone }: { label: string; value: number | null; to: string; tone?: string }) {
  return (
    <Card withBorder padding="sm" radius="md">
      <Anchor component={Link} to={to} underline="hover" c="inherit">
        <Text size="sm" c="dimmed">{label}</Text>
        <Text size="xl" fw={700} c={tone && value ? tone : undefined}>{formatCount(value)}</Text>
      </Anchor>
    </Card>
  );
}

export function OverviewTab({ host, now }: { host: HostDetail; now: number }) {
  const canManage = useCan('can_manage_hosts');
  const groups = useHostGroups();
  const kernel = host.installed_kernel_version && host.installed_kernel_version !== host.kernel_version
    ? `${host.kernel_version ?? ''} (installed: ${host.installed_kernel_version})` : host.kernel_version;
  const cpu = [host.cpu_model, host.cpu_cores ? `${host.cpu_cores} cores` : ''].filter(Boolean).join(', ');
  const disks = (host.disk_details ?? []).filter((d) => d.name || d.mountpoint);
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <StatCard label="Installed packages" value={host.packages_count} to="?tab=packages" />
        <StatCard label="Outdated packages" value={host.updates_count} to="?tab=packages&pkg=needs_updates" tone="orange" />
        <StatCard label="Security updates" value={host.security_count} to="?tab=packages&pkg=security" tone="red" />
        <StatCard label="Repositories" value={host.repos_count} to="?tab=repositories" />
      </SimpleGrid>
      <Stack gap="sm">
        <Title order={2} size="h4">Host information</Title>
        <FactList facts={[
          { label: 'Friendly name', value: host.friendly_name },
          { label: 'Hostname', value: host.hostname },
          { label: 'IP address', value: host.ip },
          { label: 'Machine ID', value: host.machine_id },
          ...(canManage ? [] : [{ label: 'Host groups', value: <GroupChips ids={host.group_ids} groups={groupsById(groups.data)} /> }]),
          { label: 'Operating system', value: osLabel(host) },
          { label: 'Reboot required', value: host.needs_reboot
            ? <Badge color="orange" variant="light" tt="none">Yes{host.reboot_reason ? `: ${host.reboot_reason}` : ''}</Badge>
            : host.last_report_at ? 'No' : null },
          { label: 'Added', value: host.created_at ? <RelativeTime iso={host.created_at} now={now} /> : null },
          { label: 'Last report', value: <RelativeTime iso={host.last_report_at} now={now} /> },
        ]}
        />
        {canManage ? <GroupsMultiSelect hostId={host.host_id} current={host.group_ids ?? []} groups={groups.data} /> : null}
      </Stack>
      <Stack gap="sm">
        <Title order={2} size="h4">System</Title>
        <FactList facts={[
          { label: 'Kernel', value: kernel },
          { label: 'Architecture', value: host.architecture },
          { label: 'Package manager', value: host.package_manager },
          { label: 'SELinux', value: host.selinux_status },
          { label: 'Uptime', value: host.system_uptime },
          { label: 'Boot time', value: formatDateTime(host.boot_time) },
          { label: 'Load average', value: host.load_average?.length ? host.load_average.map((n) => n.toFixed(2)).join(' / ') : null },
          { label: 'CPU', value: cpu },
          { label: 'Memory', value: formatGiB(host.ram_installed) },
          { label: 'Swap', value: formatGiB(host.swap_size) },
          { label: 'Disks', value: disks.length ? (
            <List size="sm" spacing={2}>
              {disks.map((d) => <List.Item key={`${d.name ?? ''}${d.mountpoint ?? ''}`}>{[d.mountpoint, d.name, d.size].filter(Boolean).join(' · ')}</List.Item>)}
            </List>
          ) : null },
        ]}
        />
      </Stack>
    </Stack>
  );
}
