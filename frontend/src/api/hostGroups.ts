/** Host groups (chalicelib/host/groups.py, routes.py): list, create, change, delete, and the hosts of a group. */
import { queryOptions } from '@tanstack/react-query';

import { api } from './client';
import type { CursorPage } from './types';

export interface HostGroup {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/** The body of POST /host-groups and PUT /host-groups/{id} (HostGroupWrite): name 1–100, description ≤ 500, color #RRGGBB. */
export interface HostGroupWrite {
  name: string;
  description: string | null;
  color: string;
}

/** The few host fields the group pages show (GET /host-groups/{id}/hosts answers the host list's rows). */
interface GroupHost {
  host_id: string;
  friendly_name: string;
  hostname: string | null;
  status: string | null;
}

type GroupHostPage = CursorPage<'hosts', GroupHost>;

export interface GroupMembers {
  hosts: GroupHost[];
  /** false: the search stopped before the end of the fleet (the list may be longer than shown). */
  complete: boolean;
}

export const hostGroupKeys = {
  all: ['hostGroups'] as const,
  list: ['hostGroups', 'list'] as const,
  members: (groupId: string) => ['hostGroups', groupId, 'members'] as const,
};

/** A page read while looking for a group's hosts; the server's maximum, so the pages are few. */
const MEMBER_PAGE_SIZE = 200;
/** The delete dialog lists this many of a group's hosts at most. */
const MEMBERS_SHOWN = 10;
/** The member search gives up after this many pages (2,000 hosts). */
const MAX_MEMBER_PAGES = 10;

export const hostGroupsApi = {
  list: (signal?: AbortSignal) => api.get<{ groups: HostGroup[] }>('/host-groups', { signal }),
  create: (body: HostGroupWrite) => api.post<HostGroup>('/host-groups', body),
  update: (groupId: string, body: HostGroupWrite) => api.put<HostGroup>(`/host-groups/${encodeURIComponent(groupId)}`, body),
  remove: (groupId: string) => api.delete<{ message: string }>(`/host-groups/${encodeURIComponent(groupId)}`),
  hosts: (groupId: string, cursor: string | null, signal?: AbortSignal) =>
    api.get<GroupHostPage>(`/host-groups/${encodeURIComponent(groupId)}/hosts`, { query: { limit: MEMBER_PAGE_SIZE, cursor }, signal }),

  /**
   * The first MEMBERS_SHOWN hosts of a group, for the delete dialog. The server filters a page of the fleet *after*
   * reading it, so a page can be empty while later ones hold members: follow the cursor until enough hosts are
   * found, the fleet ends, or MAX_MEMBER_PAGES pages were read. The user is waiting on this answer, and the server
   * refuses to delete a populated group anyway.
   */
  async findMembers(groupId: string, signal?: AbortSignal): Promise<GroupMembers> {
    const found: GroupHost[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_MEMBER_PAGES; page += 1) {
      const answer: GroupHostPage = await hostGroupsApi.hosts(groupId, cursor, signal);
      found.push(...answer.hosts);
      cursor = answer.next_cursor;
      if (!cursor) return { hosts: found.slice(0, MEMBERS_SHOWN), complete: found.length <= MEMBERS_SHOWN };
      if (found.length >= MEMBERS_SHOWN) return { hosts: found.slice(0, MEMBERS_SHOWN), complete: false };
    }
    return { hosts: found.slice(0, MEMBERS_SHOWN), complete: false };
  },
};

/**
 * GET /host-groups as a query, `data` being the groups: Settings → Host groups, the Hosts pages, the pickers and the
 * holds' group names share one cache entry, so a group saved in Settings (which invalidates hostGroupKeys.all) shows
 * everywhere at once.
 */
export const hostGroupsQuery = queryOptions({
  queryKey: hostGroupKeys.list,
  queryFn: ({ signal }) => hostGroupsApi.list(signal),
  select: (data) => data.groups,
});
