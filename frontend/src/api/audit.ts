/** The audit log (chalicelib/audit): GET /audit-log, newest first, filtered by action, actor, outcome and time. */
import { api } from './client';
import type { CursorPage, User } from './types';

export interface AuditEvent {
  event_id: string;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  action: string;
  /** "success" or "failure". */
  outcome: string;
  /** "user:<id>", "agent:<api id>", "system:<function>", "operator" or "anonymous". */
  actor: string;
  actor_user_id?: string | null;
  target_type?: string | null;
  target_id?: string | null;
  details?: Record<string, unknown>;
  source_ip?: string;
  user_agent?: string;
}

type AuditPage = CursorPage<'events', AuditEvent>;

/** The query GET /audit-log takes (audit/routes.py). */
export interface AuditQuery {
  action?: string | undefined;
  actor_user_id?: string | undefined;
  outcome?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** What the log needs of a user to name an actor (the users are usersApi.list's, for holders of can_view_users). */
export type AuditUser = Pick<User, 'id' | 'username' | 'first_name' | 'last_name'>;

const AUDIT_PAGE_SIZE = 50;
/** At most this many server pages are read for one page of the table (see fetchPage). */
const MAX_READS = 5;

export const auditKeys = {
  all: ['audit'] as const,
  events: (query: AuditQuery) => ['audit', 'events', query] as const,
};

export const auditApi = {
  page: (query: AuditQuery, cursor: string | null, signal?: AbortSignal) =>
    api.get<AuditPage>('/audit-log', { query: { ...query, cursor, limit: AUDIT_PAGE_SIZE }, signal }),

  /**
   * One page of the table. The server applies the action/user/outcome filters after reading a page of events,
   * so a filtered page can come back short or empty with more to follow: read on (at most MAX_READS pages) until
   * the page is full or the log ends, and continue from the last cursor read.
   */
  async fetchPage(query: AuditQuery, cursor: string | null, signal?: AbortSignal): Promise<AuditPage> {
    const events: AuditEvent[] = [];
    let next = cursor;
    for (let read = 0; read < MAX_READS; read += 1) {
      const page = await auditApi.page(query, next, signal);
      events.push(...page.events);
      next = page.next_cursor;
      if (!next || events.length >= AUDIT_PAGE_SIZE) break;
    }
    return { events, next_cursor: next };
  },
};
