/** Reports: the host's report history, newest first (GET /hosts/{id}/reports), within the organisation's retention. */
import { Badge, Stack, Text, Title } from '@mantine/core';

import { hostKeys, hostsApi, type HostDetail, type HostReport } from '../../../api/hosts';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatCount } from '../../../components/format';
import { useCursorQuery } from '../../../components/useCursorQuery';
import { RelativeTime } from '../parts';

function sections(report: HostReport): string {
  const sent = report.sections_sent ?? [];
  const unchanged = new Set(report.sections_unchanged ?? []);
  const changed = sent.filter((s) => !unchanged.has(s));
  if (sent.length === 0) return '—';
  if (changed.length === sent.length) return sent.join(', ');
  return changed.length ? `${changed.join(', ')} (unchanged: ${[...unchanged].join(', ')})` : 'nothing changed';
}

function duration(report: HostReport): string {
  if (typeof report.execution_time === 'number') return `${report.execution_time.toFixed(1)} s`;
  if (typeof report.agent_execution_ms === 'number') return `${(report.agent_execution_ms / 1000).toFixed(1)} s`;
  return '—';
}

export function ReportsTab({ host, now }: { host: HostDetail; now: number }) {
  const { query, pagination } = useCursorQuery({
    queryKey: hostKeys.reports(host.host_id, host.last_report_at),
    fetchPage: (cursor, signal) => hostsApi.reports(host.host_id, { cursor }, signal),
  });
  const columns: Column<HostReport>[] = [
    { key: 'at', header: 'Received', cell: (r) => <RelativeTime iso={r.at} now={now} /> },
    { key: 'status', header: 'Outcome', cell: (r) => (
      <Badge color={r.status === 'success' ? 'teal' : 'red'} variant="light" tt="none">{r.status === 'success' ? 'Stored' : 'Rejected'}</Badge>
    ) },
    { key: 'report_type', header: 'Type', cell: (r) => r.report_type },
    { key: 'packages_count', header: 'Packages', align: 'right', cell: (r) => (r.packages_count === undefined ? '—' : formatCount(r.packages_count)) },
    { key: 'sections', header: 'Sections', cell: (r) => sections(r) },
    { key: 'duration', header: 'Agent time', cell: (r) => duration(r) },
    { key: 'error', header: 'Error', cell: (r) => (r.error ? <Text span size="sm" c="red">{r.error}</Text> : null) },
  ];
  return (
    <Stack gap="md">
      <Title order={2} size="h4">Report history</Title>
      <DataTable caption={`Reports of ${host.friendly_name}`} columns={columns} rows={query.data?.reports} rowKey={(r) => r.at}
        pagination={pagination} fetching={query.isPlaceholderData} error={query.error} onRetry={() => void query.refetch()}
        empty="No reports yet" loadingLabel="Loading reports…"
      />
    </Stack>
  );
}
