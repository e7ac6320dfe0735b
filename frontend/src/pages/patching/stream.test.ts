import { describe, expect, it } from 'vitest';

import { INITIAL_STREAM, isNearBottom, parseStreamMessage, reduceStream, terminalText, type StreamMessage } from './stream';

function play(messages: StreamMessage[]) {
  return messages.reduce((state, message, index) => reduceStream(state, message, index + 1), INITIAL_STREAM);
}

describe('the live log', () => {
  it('replaces the text with the snapshot and appends newer chunks only', () => {
    const state = play([
      { type: 'snapshot', stage: 'running', shell_output: 'line 1\nline 2\n', error_message: null, seq: 2 },
      { type: 'chunk', chunk: 'line 2\n', seq: 2 }, // already in the snapshot
      { type: 'chunk', chunk: 'line 3\n', seq: 3 },
      { type: 'chunk', chunk: 'line 1\n', seq: 1 }, // late
      { type: 'chunk', chunk: 'line 3\n', seq: 3 }, // redelivered
      { type: 'chunk', chunk: 'line 4\n', seq: 4 },
    ]);
    expect(state.output).toBe('line 1\nline 2\nline 3\nline 4\n');
    expect(state.seq).toBe(4);
    expect(state.live).toBe(true);
  });

  it('starts again from a new snapshot (a reconnect replays everything)', () => {
    const state = play([
      { type: 'snapshot', stage: 'running', shell_output: 'a\n', error_message: null, seq: 1 },
      { type: 'chunk', chunk: 'b\n', seq: 2 },
      { type: 'snapshot', stage: 'running', shell_output: 'a\nb\nc\n', error_message: null, seq: 3 },
      { type: 'chunk', chunk: 'c\n', seq: 3 },
    ]);
    expect(state.output).toBe('a\nb\nc\n');
  });

  it('follows status and done, and keeps an error for the polling fallback', () => {
    let state = play([{ type: 'snapshot', stage: 'queued', shell_output: '', error_message: null, seq: 0 }, { type: 'status', stage: 'running', started_at: 'x' }]);
    expect(state.stage).toBe('running');
    state = reduceStream(state, { type: 'done', stage: 'failed', error_message: 'apt-get exited 100' }, 9);
    expect(state).toMatchObject({ done: true, stage: 'failed', errorMessage: 'apt-get exited 100', stageAt: 9 });
    expect(reduceStream(INITIAL_STREAM, { type: 'error', error: 'Patch run not found' }).failure).toBe('Patch run not found');
  });

  it('reads only this run\'s messages', () => {
    expect(parseStreamMessage(JSON.stringify({ type: 'chunk', patch_run_id: 'r1', chunk: 'x', seq: 5 }), 'r1')).toEqual({ type: 'chunk', chunk: 'x', seq: 5 });
    expect(parseStreamMessage(JSON.stringify({ type: 'chunk', patch_run_id: 'r2', chunk: 'x', seq: 5 }), 'r1')).toBeNull();
    expect(parseStreamMessage(JSON.stringify({ type: 'pong' }), 'r1')).toBeNull();
    expect(parseStreamMessage('not json', 'r1')).toBeNull();
  });

  it('turns carriage returns into new lines and follows the bottom within 32 px', () => {
    expect(terminalText('a\r\nb\rc')).toBe('a\nb\nc');
    expect(isNearBottom({ scrollHeight: 1000, scrollTop: 548, clientHeight: 420 })).toBe(true);
    expect(isNearBottom({ scrollHeight: 1000, scrollTop: 500, clientHeight: 420 })).toBe(false);
  });
});
