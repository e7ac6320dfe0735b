import { describe, expect, it } from 'vitest';

import { groupDefaults, groupSchema, toGroupWrite } from './schema';

describe('host group form', () => {
  it('starts a new group blue, as documented', () => {
    expect(groupDefaults()).toEqual({ name: '', description: '', color: '#3B82F6' });
  });

  it('pre-fills an edited group, a missing description as empty', () => {
    const group = { id: 'g1', name: 'Web', description: null, color: '#10b981', created_at: null, updated_at: null };
    expect(groupDefaults(group)).toEqual({ name: 'Web', description: '', color: '#10b981' });
  });

  it('requires a name and a #RRGGBB colour, like the server', () => {
    const fails = (values: object) => !groupSchema.safeParse({ name: 'Web', description: '', color: '#3B82F6', ...values }).success;
    expect(fails({})).toBe(false);
    expect(fails({ name: '   ' })).toBe(true);
    expect(fails({ name: 'x'.repeat(101) })).toBe(true);
    expect(fails({ description: 'x'.repeat(501) })).toBe(true);
    expect(fails({ color: '#3B82F' })).toBe(true);
    expect(fails({ color: 'blue' })).toBe(true);
    expect(fails({ color: 'rgb(0, 0, 255)' })).toBe(true);
  });

  it('sends a blank description as null and the colour in capitals', () => {
    expect(toGroupWrite({ name: ' Web ', description: '  ', color: '#10b981' })).toEqual({ name: 'Web', description: null, color: '#10B981' });
    expect(toGroupWrite({ name: 'DB', description: ' tier 2 ', color: '#3B82F6' })).toEqual({ name: 'DB', description: 'tier 2', color: '#3B82F6' });
  });
});
