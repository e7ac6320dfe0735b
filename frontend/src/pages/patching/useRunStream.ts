/**
 * Follow a run's live log while it can still change: a one-time ticket (POST /ws/tickets), the browser WebSocket
 * at /api/v1/ws, `subscribe_patch_run`, then snapshot/chunk/status/done messages (stream.ts). A socket that drops
 * while the run goes on is opened again with a fresh ticket (the snapshot replays the whole output); after a few
 * failures in a row, or when the server refuses the subscription, the page's polling carries on alone.
 */
import { useEffect, useReducer, useRef, useState } from 'react';

import { patchingApi, webSocketUrl } from '../../api/patching';
import { INITIAL_STREAM, parseStreamMessage, reduceStream, type StreamMessage, type StreamState } from './stream';

const MAX_FAILURES = 5;
const MAX_BACKOFF_MS = 30_000;

function reducer(state: StreamState, message: StreamMessage): StreamState {
  return reduceStream(state, message);
}

export function useRunStream(runId: string, enabled: boolean, onDone: () => void): { state: StreamState; open: boolean } {
  const [state, dispatch] = useReducer(reducer, INITIAL_STREAM);
  const [openSocket, setOpenSocket] = useState<WebSocket | null>(null);
  const doneRef = useRef(onDone);
  useEffect(() => {
    doneRef.current = onDone;
  });

  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return undefined;
    let stopped = false;
    let finished = false;
    let failures = 0;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const retryLater = () => {
      failures += 1;
      if (stopped || finished || failures > MAX_FAILURES) return;
      timer = setTimeout(() => void connect(), Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1)));
    };

    const connect = async () => {
      let ticket: string;
      try {
        ticket = (await patchingApi.wsTicket()).ticket;
      } catch {
        retryLater();
        return;
      }
      if (stopped) return;
      const ws = new WebSocket(webSocketUrl(ticket));
      socket = ws;
      ws.onopen = () => {
        setOpenSocket(ws);
        ws.send(JSON.stringify({ action: 'subscribe_patch_run', patch_run_id: runId }));
      };
      ws.onmessage = (event: MessageEvent) => {
        const message = parseStreamMessage(event.data, runId);
        if (!message) return;
        if (message.type === 'snapshot') failures = 0;
        dispatch(message);
        if (message.type === 'done' || message.type === 'error') {
          finished = true;
          ws.close();
          if (message.type === 'done') doneRef.current();
        }
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        setOpenSocket((current) => (current === ws ? null : current));
        retryLater();
      };
    };

    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      const ws = socket;
      if (!ws) return;
      // Closing a socket that is still connecting makes browsers log an error: close it once it opens instead.
      if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close();
      else ws.close();
    };
  }, [runId, enabled]);

  return { state, open: enabled && openSocket !== null && openSocket.readyState === WebSocket.OPEN };
}
