import { expect, it } from 'vitest';

import { parsePageSize } from './pageSize';

it('accepts only the offered page sizes', () => {
  expect(parsePageSize('100')).toBe(100);
  expect(parsePageSize('33')).toBe(50);
  expect(parsePageSize(null)).toBe(50);
});
