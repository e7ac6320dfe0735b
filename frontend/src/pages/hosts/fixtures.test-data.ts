/** Answers of the hosts API for the component tests (the server's field names). */
import type { HostGroup } from '../../api/hostGroups';
import type { Host, HostDetail } from '../../api/hosts';
import { ME } from '../../test/render';

export const VIEWER = { ...ME, role: 'readonly', permissions: ['can_view_hosts'] };
export const MANAGER = { ...ME, permissions: ['can_view_hosts', 'can_manage_hosts'] };

export const GROUPS: HostGroup[] = [
  { id: 'g1', name: 'Production', description: null, color: '#E03131', created_at: null, updated_at: null },
  { id: 'g2', name: 'Staging', description: 'Pre-release', color: '#1971C2', created_at: null, updated_at: null },
];

export function host(overrides: Partial<Host> = {}): Host {
  return {
    host_id: 'h1', friendly_name: 'web-01', hostname: 'web-01.internal', api_id: 'patchmon_0123456789abcdef', status: 'active',
    os_type: 'Ubuntu', os_version: '22.04', architecture: 'x86_64', kernel_version: '5.15.0-91-generic', agent_version: '1.5.0',
    ip: '10.0.0.5', group_ids: ['g1'], packages_count: 412, updates_count: 12, security_count: 3, needs_reboot: false, reboot_reason: '',
    docker_enabled: false, compliance_enabled: false, auto_update: true, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z',
    last_report_at: new Date(Date.now() - 5 * 60_000).toISOString(), notes: null, last_seen_at: new Date().toISOString(), connected: true,
    connected_since: '2025-01-01T00:00:00Z', ...overrides,
  };
}

export function detail(overrides: Partial<HostDetail> = {}): HostDetail {
  return {
    ...host(), secure: true, network_interfaces: [{ name: 'eth0', type: 'ethernet', macAddress: 'aa:bb:cc:00:11:22', mtu: 1500, status: 'up',
      addresses: [{ address: '10.0.0.5', family: 'inet', netmask: '/24', gateway: '10.0.0.1' }] }],
    gateway_ip: '10.0.0.1', dns_servers: ['1.1.1.1'], disk_details: null, cpu_model: 'AMD EPYC', cpu_cores: 4, ram_installed: 3.8, swap_size: 1,
    system_uptime: '3 days, 2 hours, 1 minutes', boot_time: null, load_average: [0.1, 0.2, 0.3], machine_id: 'abc123',
    installed_kernel_version: null, selinux_status: null, package_manager: 'apt', repos_count: 2, integration_status: null, ...overrides,
  };
}
