import { act, renderHook } from '@testing-library/react';
import { expect, it } from 'vitest';

import { useCursorStack } from './useCursorQuery';

it('walks forward and back through cursors, and starts over when the filters change', () => {
  const { result, rerender } = renderHook(({ filters }) => useCursorStack(filters), { initialProps: { filters: { status: 'active' } } });
  expect(result.current).toMatchObject({ cursor: null, pageIndex: 0 });

  act(() => result.current.next('c2'));
  act(() => result.current.next('c3'));
  expect(result.current).toMatchObject({ cursor: 'c3', pageIndex: 2 });
  act(() => result.current.previous());
  expect(result.current).toMatchObject({ cursor: 'c2', pageIndex: 1 });

  rerender({ filters: { status: 'offline' } });
  expect(result.current).toMatchObject({ cursor: null, pageIndex: 0 });
  act(() => result.current.previous());
  expect(result.current.pageIndex).toBe(0);
});
