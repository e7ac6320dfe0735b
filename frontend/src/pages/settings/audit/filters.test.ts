import { describe, expect, it } from 'vitest';

import type { AuditEvent, AuditUser } from '../../../api/audit';
import {
  actionLabel, actionOptions, actorLabel, filtersFromParams, hasFilters, invalidRange, NO_FILTERS, paramsWithFilters, targetLabel, toAuditQuery,
} from './filters';

const ADA: AuditUser = { id: 'u1', username: 'ada', first_name: 'Ada', last_name: 'Lovelace' };
const USERS = new Map([[ADA.id, ADA]]);

describe('audit log filters', () => {
  it('reads the filters from the URL, ignoring malformed dates', () => {
    expect(filtersFromParams(new URLSearchParams('action=login&outcome=failure&user=u1&from=2025-03-01&to=yesterday')))
      .toEqual({ action: 'login', outcome: 'failure', user: 'u1', from: '2025-03-01', to: '' });
    expect(hasFilters(filtersFromParams(new URLSearchParams('tab=x')))).toBe(false);
  });

  it('writes the filters to the URL, dropping empty ones and keeping other params', () => {
    const params = paramsWithFilters(new URLSearchParams('tab=x&action=login'), { ...NO_FILTERS, outcome: 'success' });
    expect(params.toString()).toBe('tab=x&outcome=success');
  });

  it('maps the filters to the server query, dates as whole local days', () => {
    expect(toAuditQuery(NO_FILTERS)).toEqual({ action: undefined, outcome: undefined, actor_user_id: undefined, since: undefined, until: undefined });
    const query = toAuditQuery({ action: 'login', outcome: 'failure', user: 'u1', from: '2025-03-01', to: '2025-03-31' });
    expect(query).toMatchObject({ action: 'login', outcome: 'failure', actor_user_id: 'u1' });
    expect(query.since).toBe(new Date(2025, 2, 1).toISOString());
    expect(query.until).toBe(new Date(2025, 3, 1).toISOString()); // the start of the day after "to"
    expect(query.since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/); // the server's timestamp format
  });

  it('spots a date range that ends before it starts', () => {
    expect(invalidRange({ ...NO_FILTERS, from: '2025-03-02', to: '2025-03-01' })).toBe(true);
    expect(invalidRange({ ...NO_FILTERS, from: '2025-03-01', to: '2025-03-01' })).toBe(false);
    expect(invalidRange({ ...NO_FILTERS, to: '2025-03-01' })).toBe(false);
  });

  it('labels actions, including ones this app does not know', () => {
    expect(actionLabel('login')).toBe('Sign-in');
    expect(actionLabel('host_group_created')).toBe('Host group created');
    const options = actionOptions('new_action');
    expect(options).toContainEqual({ value: 'new_action', label: 'New action' });
    expect(options.map((o) => o.label)).toEqual([...options.map((o) => o.label)].sort((a, b) => a.localeCompare(b)));
  });

  it('names actors and targets', () => {
    expect(actorLabel('user:u1', USERS)).toBe('Ada Lovelace (ada)');
    expect(actorLabel('user:u9', USERS)).toBe('User u9');
    expect(actorLabel('operator', USERS)).toBe('Operator');
    expect(actorLabel('anonymous', USERS)).toBe('Anonymous');
    expect(actorLabel('system:report_cleanup', USERS)).toBe('System (report cleanup)');
    const event: AuditEvent = { event_id: 'e1', at: '2025-03-01T10:00:00.000Z', action: 'user_updated', outcome: 'success', actor: 'user:u1',
      target_type: 'user', target_id: 'u1' };
    expect(targetLabel(event, USERS)).toBe('User ada');
    expect(targetLabel({ ...event, target_type: 'host', target_id: 'h1', details: { friendly_name: 'web-01' } }, USERS)).toBe('Host web-01');
    expect(targetLabel({ ...event, target_type: null, target_id: null }, USERS)).toBe('—');
  });
});
