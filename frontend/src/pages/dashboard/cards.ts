/**
 * The dashboard's cards: what each shows, computed from GET /dashboard/stats, and the patching cards (C8.13) from
 * GET /patching/dashboard, which need the organisation's `patching` module and `can_view_hosts`.
 */
import type { DashboardStats, MeContext } from '../../api/types';
import { formatCount, plural } from '../../components/format';

export type CardId =
  | 'total_hosts'
  | 'hosts_needing_updates'
  | 'security_updates'
  | 'os_distribution'
  | 'update_status'
  | 'offline_hosts'
  | 'reboot_required'
  | 'packages_needing_updates'
  | 'patch_runs_queued'
  | 'patch_runs_running'
  | 'patch_runs_awaiting_approval';

export interface Slice {
  name: string;
  value: number;
  color: string;
}

interface CardBase {
  id: CardId;
  title: string;
  defaultVisible: boolean;
  /** Shown (and offered in Customize) only when the organisation's plan has this module… */
  module?: string;
  /** …and the user holds this permission (besides the dashboard's own). */
  permission?: string;
}

export interface StatCardDef extends CardBase {
  kind: 'stat';
  value: (stats: DashboardStats) => number;
  detail: (stats: DashboardStats) => string;
  /** The hosts list filtered to what the card counts (GET /hosts filter names). */
  href: string;
  /** Mantine colour of the number when it is not zero. */
  alert?: string;
}

export interface ChartCardDef extends CardBase {
  kind: 'chart';
  slices: (stats: DashboardStats) => Slice[];
  description: string;
}

/** GET /patching/dashboard's `totals`: runs by status, plus `total` and `active`. */
export type PatchTotals = Readonly<Record<string, number>>;

export interface PatchingCardDef extends CardBase {
  kind: 'patching';
  value: (totals: PatchTotals) => number;
  detail: (totals: PatchTotals) => string;
  /** Runs & History filtered to what the card counts (C11.2). */
  href: string;
  alert?: string;
}

type CardDef = StatCardDef | ChartCardDef | PatchingCardDef;

const colour = (name: string) => `var(--mantine-color-${name}-6)`;
const count = (totals: PatchTotals, status: string) => Math.max(0, totals[status] ?? 0);
const OS_COLOURS = ['blue', 'teal', 'grape', 'orange', 'cyan', 'pink', 'lime', 'indigo'];
const MAX_OS_SLICES = 6;

/** OS families by host count, the smallest folded into "Other" so the chart stays readable. */
export function osSlices(stats: DashboardStats): Slice[] {
  const sorted = Object.entries(stats.os_distribution).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.length > MAX_OS_SLICES ? sorted.slice(0, MAX_OS_SLICES - 1) : sorted;
  const rest = sorted.slice(shown.length).reduce((sum, [, n]) => sum + n, 0);
  const slices = shown.map(([name, value], i) => ({ name, value, color: colour(OS_COLOURS[i % OS_COLOURS.length] ?? 'gray') }));
  return rest > 0 ? [...slices, { name: 'Other', value: rest, color: colour('gray') }] : slices;
}

/** Every host in exactly one bucket: up to date, updates, security updates (a subset of updates), awaiting a first report. */
export function updateStatusSlices(stats: DashboardStats): Slice[] {
  const security = Math.max(0, stats.hosts_with_security_updates);
  const otherUpdates = Math.max(0, stats.hosts_needing_updates - security);
  const pending = Math.max(0, stats.hosts_by_status.pending ?? 0);
  return [
    { name: 'Up to date', value: Math.max(0, stats.up_to_date_hosts), color: colour('teal') },
    { name: 'Updates available', value: otherUpdates, color: colour('orange') },
    { name: 'Security updates', value: security, color: colour('red') },
    { name: 'Awaiting first report', value: pending, color: colour('gray') },
  ].filter((slice) => slice.value > 0);
}

export const CARDS: readonly CardDef[] = [
  {
    id: 'total_hosts', kind: 'stat', title: 'Total hosts', defaultVisible: true, href: '/hosts',
    value: (s) => s.total_hosts, detail: (s) => `${formatCount(s.up_to_date_hosts)} up to date`,
  },
  {
    id: 'hosts_needing_updates', kind: 'stat', title: 'Hosts needing updates', defaultVisible: true, href: '/hosts?needs_updates=true',
    alert: 'orange', value: (s) => s.hosts_needing_updates, detail: (s) => `of ${plural(s.total_hosts, 'host')}`,
  },
  {
    id: 'security_updates', kind: 'stat', title: 'Security updates', defaultVisible: true, href: '/hosts?security=true', alert: 'red',
    value: (s) => s.hosts_with_security_updates, detail: (s) => `${s.hosts_with_security_updates === 1 ? 'host has' : 'hosts have'} security updates`,
  },
  {
    id: 'packages_needing_updates', kind: 'stat', title: 'Packages needing updates', defaultVisible: true, href: '/packages?filter=outdated',
    alert: 'orange', value: (s) => s.packages_needing_updates ?? 0,
    detail: (s) => `${formatCount(s.packages_with_security_updates)} with security updates`,
  },
  {
    id: 'offline_hosts', kind: 'stat', title: 'Offline hosts', defaultVisible: true, href: '/hosts?status=offline', alert: 'red',
    value: (s) => s.offline_hosts, detail: () => 'not reporting',
  },
  {
    id: 'reboot_required', kind: 'stat', title: 'Reboot required', defaultVisible: true, href: '/hosts?reboot_required=true',
    alert: 'yellow', value: (s) => s.hosts_reboot_required, detail: (s) => `${s.hosts_reboot_required === 1 ? 'host needs' : 'hosts need'} a restart`,
  },
  {
    id: 'patch_runs_queued', kind: 'patching', title: 'Patch runs queued', defaultVisible: true, module: 'patching', permission: 'can_view_hosts',
    href: '/patching?tab=runs&status=queued', value: (t) => count(t, 'queued'),
    detail: (t) => (count(t, 'scheduled') > 0 ? `${formatCount(count(t, 'scheduled'))} more scheduled` : 'waiting to start'),
  },
  {
    id: 'patch_runs_running', kind: 'patching', title: 'Patch runs running', defaultVisible: true, module: 'patching', permission: 'can_view_hosts',
    href: '/patching?tab=runs&status=running', alert: 'blue', value: (t) => count(t, 'running'), detail: () => 'on their hosts now',
  },
  {
    id: 'patch_runs_awaiting_approval', kind: 'patching', title: 'Awaiting approval', defaultVisible: true, module: 'patching',
    permission: 'can_view_hosts', href: '/patching?tab=runs&status=awaiting_approval', alert: 'grape',
    value: (t) => count(t, 'pending_approval') + count(t, 'validated'),
    detail: (t) => `${formatCount(count(t, 'pending_approval'))} pending approval, ${formatCount(count(t, 'validated'))} validated`,
  },
  {
    id: 'os_distribution', kind: 'chart', title: 'OS distribution', defaultVisible: true, slices: osSlices,
    description: 'Hosts by operating system',
  },
  {
    id: 'update_status', kind: 'chart', title: 'Update status', defaultVisible: true, slices: updateStatusSlices,
    description: 'Hosts by update status',
  },
];

const BY_ID = new Map<string, CardDef>(CARDS.map((card) => [card.id, card]));

export function cardById(id: string): CardDef | undefined {
  return BY_ID.get(id);
}

/** What decides whether a card is shown: the signed-in user's permissions and the organisation's modules. */
export type CardAccess = Pick<MeContext, 'permissions' | 'modules'>;

/** Whether the user may see a card at all (hidden ones are neither shown nor offered in Customize, but keep their place). */
export function cardAvailable(card: Pick<CardBase, 'module' | 'permission'> | undefined, access: CardAccess | undefined): boolean {
  if (!card) return false;
  if (card.module && !access?.modules.includes(card.module)) return false;
  if (card.permission && !access?.permissions.includes(card.permission)) return false;
  return true;
}
