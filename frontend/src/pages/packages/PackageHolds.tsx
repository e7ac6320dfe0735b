/**
 * A package's holds: the organisation's holds (GET /patching/holds) whose pattern matches the package's name, matched
 * here as the server does (components/patching/holds.ts), each with where it applies and why. Shown only with the
 * `patching_policies` module and can_view_hosts (the route's rules); nothing when no hold matches.
 */
import { Alert, Anchor, Code, List, Text } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { hostGroupsQuery } from '../../api/hostGroups';
import { hostKeys, hostsApi } from '../../api/hosts';
import { hostHref } from '../../api/inventory';
import { patchingApi, patchingKeys, type PackageHold } from '../../api/patching';
import { useCan, useHasModule } from '../../auth/useSession';
import { holdsMatching } from '../../components/patching/holds';

/** Host names are looked up for this many held hosts at most (the rest show their id). */
const NAMED_HOSTS = 20;

export function PackageHolds({ name }: { name: string }) {
  const withHolds = useHasModule('patching_policies');
  const canView = useCan('can_view_hosts');
  return withHolds && canView ? <Matching name={name} /> : null;
}

function Matching({ name }: { name: string }) {
  const holds = useQuery({ queryKey: patchingKeys.holds({}), queryFn: ({ signal }) => patchingApi.holds({}, signal), staleTime: 30_000 });
  const matching = holdsMatching(name, holds.data?.items ?? []);
  const hostIds = [...new Set(matching.filter((h) => h.target_type === 'host').map((h) => h.target_id))].slice(0, NAMED_HOSTS);
  const hosts = useQueries({
    queries: hostIds.map((id) => ({ queryKey: hostKeys.detail(id), queryFn: ({ signal }: { signal: AbortSignal }) => hostsApi.get(id, signal), staleTime: 60_000 })),
  });
  const groups = useQuery({ ...hostGroupsQuery, staleTime: 60_000, enabled: matching.some((h) => h.target_type === 'host_group') });
  if (matching.length === 0) return null; // also while loading, and when the holds cannot be read: the note is extra

  const hostName = (id: string) => hosts[hostIds.indexOf(id)]?.data?.friendly_name ?? id;
  const where = (hold: PackageHold) => (hold.target_type === 'host'
    ? <>on <Anchor component={Link} to={hostHref(hold.target_id)} inherit>{hostName(hold.target_id)}</Anchor></>
    : <>on every host of {groups.data?.find((g) => g.id === hold.target_id)?.name ?? 'a host group'}</>);
  return (
    <Alert color="yellow" variant="light" title={`${name} is held back`} role="region">
      <Text size="sm" mb={6}>Runs keep it back where these holds apply, and a run that names it there is refused:</Text>
      <List size="sm" spacing={4}>
        {matching.map((hold) => (
          <List.Item key={hold.id}>
            <Code>{hold.pattern}</Code> {where(hold)}
            {hold.reason ? <Text span size="sm" c="dimmed"> — {hold.reason}</Text> : null}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
