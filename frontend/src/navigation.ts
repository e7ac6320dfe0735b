/** The main navigation. A page engineer adding a top-level page adds it here and in router.tsx. */
interface NavItem {
  to: string;
  label: string;
  /** Hidden from users without it (the server refuses them anyway). */
  permission?: string;
  /** Hidden when the organisation's plan lacks it. */
  module?: string;
}

export const NAV_ITEMS: NavItem[] = [
  { to: '/', label: 'Dashboard', permission: 'can_view_dashboard' },
  { to: '/hosts', label: 'Hosts', permission: 'can_view_hosts' },
  { to: '/packages', label: 'Packages', permission: 'can_view_packages' },
  { to: '/repositories', label: 'Repositories', permission: 'can_view_hosts' },
  { to: '/patching', label: 'Patching', permission: 'can_view_hosts', module: 'patching' },
  { to: '/settings', label: 'Settings' },
];
