/** Bulk requests of the Hosts list. */
import { errorMessage } from '../../api/errors';
import { hostsApi } from '../../api/hosts';
import { plural } from '../../components/format';

interface SelectedHost {
  name: string;
  /** The agent held its WebSocket when the list was read: commands reach only connected agents. */
  connected: boolean;
}

/** The hosts ticked, by id (names for the confirmations and the failure report). */
export type Selection = Map<string, SelectedHost>;

const NOT_CONNECTED = 'agent not connected';
const PARALLEL = 5;

interface FetchOutcome {
  requested: number;
  failed: { name: string; message: string }[];
}

/**
 * Ask each host's agent for a report, a few requests at a time, and collect the failures. An agent without its
 * WebSocket would never receive the request (the server drops it), so such hosts are reported as failed at once.
 */
export async function fetchReports(selection: Selection): Promise<FetchOutcome> {
  const failed: FetchOutcome['failed'] = [];
  const reachable: [string, SelectedHost][] = [];
  for (const [id, host] of selection) {
    if (host.connected) reachable.push([id, host]);
    else failed.push({ name: host.name, message: NOT_CONNECTED });
  }
  let requested = 0;
  for (let start = 0; start < reachable.length; start += PARALLEL) {
    const batch = reachable.slice(start, start + PARALLEL);
    const results = await Promise.allSettled(batch.map(([id]) => hostsApi.fetchReport(id)));
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') requested += 1;
      else failed.push({ name: batch[index]?.[1].name ?? '', message: errorMessage(result.reason) });
    });
  }
  return { requested, failed };
}

/** One toast's wording for a bulk fetch. */
export function fetchOutcomeMessage(outcome: FetchOutcome, total: number): { tone: 'success' | 'error'; title?: string; message: string } {
  if (outcome.failed.length === 0) return { tone: 'success', message: `Report requested from ${plural(total, 'host')}` };
  const shown = outcome.failed.slice(0, 5).map((f) => `${f.name} (${f.message})`).join(', ');
  const more = outcome.failed.length > 5 ? ` and ${outcome.failed.length - 5} more` : '';
  return { tone: 'error', title: `Report requested from ${outcome.requested} of ${total} hosts`, message: `Not requested: ${shown}${more}.` };
}
