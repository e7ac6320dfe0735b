/** Hooks shared by the Hosts pages. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { hostGroupsQuery, type HostGroup } from '../../api/hostGroups';
import { serverUrlQuery } from '../../api/orgSettings';
import { normaliseServerUrl } from './logic';

/** The tenant's host groups (Settings → Host groups' query: one request, and its changes show here). */
export function useHostGroups() {
  return useQuery({ ...hostGroupsQuery, staleTime: 60_000 });
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

/**
 * The URL agents reach this organisation at: GET /settings/server-url, else the address of this page. The query is
 * Settings → Agent updates' own, so a changed server URL reaches the install commands at once.
 */
export function useServerUrl(): string {
  const query = useQuery({ ...serverUrlQuery, staleTime: 5 * 60_000 });
  return normaliseServerUrl(query.data?.server_url || window.location.origin);
}
