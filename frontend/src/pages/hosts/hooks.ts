/** Hooks shared by the Hosts pages. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { hostKeys, hostsApi, type HostGroup } from '../../api/hosts';
import { normaliseServerUrl } from './logic';

/** The tenant's host groups (one request, shared by every Hosts view). */
export function useHostGroups() {
  return useQuery({
    queryKey: hostKeys.groups,
    queryFn: ({ signal }) => hostsApi.groups(signal),
    staleTime: 60_000,
    select: (data) => data.groups,
  });
}

export function groupsById(groups: HostGroup[] | undefined): Map<string, HostGroup> {
  return new Map((groups ?? []).map((group) => [group.id, group]));
}

/** The current time, refreshed every `everyMs`, so relative times keep up without a refetch. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The URL agents reach this organisation at: GET /settings/server-url, else the address of this page. */
export function useServerUrl(enabled = true): string {
  const query = useQuery({
    queryKey: hostKeys.serverUrl,
    queryFn: ({ signal }) => hostsApi.serverUrl(signal),
    staleTime: 5 * 60_000,
    enabled,
  });
  return normaliseServerUrl(query.data?.server_url || window.location.origin);
}
