/**
 * A run's live log over the browser WebSocket (docs/patching.md "Live logs"), as a pure reducer: the snapshot
 * replaces the text (and says which chunk it ends with), a chunk is appended only when it is newer than what we
 * hold, status and done messages move the run's status, an error message sends the page back to polling.
 */

export type StreamMessage =
  | { type: 'snapshot'; stage: string; shell_output: string; error_message: string | null; seq: number }
  | { type: 'chunk'; chunk: string; seq: number | null }
  | { type: 'status'; stage: string; started_at: string | null }
  | { type: 'done'; stage: string; error_message: string | null }
  | { type: 'error'; error: string };

export interface StreamState {
  /** A snapshot arrived: `output` is the run's text so far. */
  live: boolean;
  output: string;
  /** The number of the last chunk `output` includes. */
  seq: number;
  /** The run's status as the stream last said it, and when (ms), so the page can tell it from an older poll. */
  stage: string | null;
  stageAt: number;
  errorMessage: string | null;
  done: boolean;
  /** The server refused the subscription (the page falls back to polling). */
  failure: string | null;
}

export const INITIAL_STREAM: StreamState = { live: false, output: '', seq: 0, stage: null, stageAt: 0, errorMessage: null, done: false, failure: null };

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A message from the socket, or null for anything this page does not follow (pongs, other runs). */
export function parseStreamMessage(data: unknown, runId: string): StreamMessage | null {
  let value: unknown;
  try {
    value = typeof data === 'string' ? JSON.parse(data) : null;
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const m = value as Record<string, unknown>;
  if (typeof m.patch_run_id === 'string' && m.patch_run_id !== runId) return null;
  switch (m.type) {
    case 'snapshot':
      return { type: 'snapshot', stage: text(m.stage), shell_output: text(m.shell_output), error_message: text(m.error_message) || null, seq: numberOrNull(m.seq) ?? 0 };
    case 'chunk':
      return { type: 'chunk', chunk: text(m.chunk), seq: numberOrNull(m.seq) };
    case 'status':
      return { type: 'status', stage: text(m.stage), started_at: text(m.started_at) || null };
    case 'done':
      return { type: 'done', stage: text(m.stage), error_message: text(m.error_message) || null };
    case 'error':
      return { type: 'error', error: text(m.error) || 'The live log is not available.' };
    default:
      return null;
  }
}

export function reduceStream(state: StreamState, message: StreamMessage, now: number = Date.now()): StreamState {
  switch (message.type) {
    case 'snapshot':
      return { ...state, live: true, output: message.shell_output, seq: message.seq, stage: message.stage || state.stage, stageAt: now,
        errorMessage: message.error_message, failure: null };
    case 'chunk':
      // Chunks up to the snapshot's seq are already in it; a redelivered or late chunk is not shown twice.
      if (message.seq !== null && message.seq <= state.seq) return state;
      return { ...state, output: state.output + message.chunk, seq: message.seq ?? state.seq };
    case 'status':
      return message.stage ? { ...state, stage: message.stage, stageAt: now } : state;
    case 'done':
      return { ...state, done: true, stage: message.stage || state.stage, stageAt: now, errorMessage: message.error_message ?? state.errorMessage };
    case 'error':
      return { ...state, failure: message.error };
  }
}

/** The terminal's text: carriage returns (progress bars) become new lines. */
export function terminalText(output: string): string {
  return output.replace(/\r\n?/g, '\n');
}

/** Whether a scrolled box is at (within `threshold` px of) its bottom: auto-scroll follows only then. */
export function isNearBottom(box: { scrollHeight: number; scrollTop: number; clientHeight: number }, threshold = 32): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= threshold;
}
