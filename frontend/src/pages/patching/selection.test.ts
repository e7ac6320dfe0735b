import { describe, expect, it } from 'vitest';

import { patchRun } from './fixtures.test-data';
import { current, pageTicks, toggled, withPage } from './selection';

const PAGE = [
  patchRun('r1', 'pending_validation'),
  patchRun('r2', 'validated', { host_id: 'h2' }),
  patchRun('r3', 'completed', { host_id: 'h3' }),
  patchRun('r4', 'approved', { host_id: 'h4' }),
];

describe('the selection sets of Runs & History (C11.10)', () => {
  it('ticks every eligible run of the page from the header checkbox, and unticks them', () => {
    const approve = withPage(new Map(), PAGE, 'approve', true);
    expect([...approve.keys()]).toEqual(['r1', 'r2']);
    expect([...withPage(new Map(), PAGE, 'delete', true).keys()]).toEqual(['r1', 'r2', 'r4']);
    expect(withPage(approve, PAGE, 'approve', false).size).toBe(0);
  });

  it('keeps runs ticked on another page when the header checkbox changes this one', () => {
    const elsewhere = patchRun('r9', 'pending_approval', { host_id: 'h9' });
    const selected = withPage(toggled(new Map(), elsewhere, true), PAGE, 'approve', true);
    expect([...selected.keys()]).toEqual(['r9', 'r1', 'r2']);
    expect([...withPage(selected, PAGE, 'approve', false).keys()]).toEqual(['r9']);
  });

  it('says whether none, some or all of the page is ticked', () => {
    expect(pageTicks(new Map(), PAGE, 'approve')).toEqual({ eligible: 2, checked: false, indeterminate: false });
    const one = toggled(new Map(), PAGE[0]!, true);
    expect(pageTicks(one, PAGE, 'approve')).toEqual({ eligible: 2, checked: false, indeterminate: true });
    expect(pageTicks(withPage(one, PAGE, 'approve', true), PAGE, 'approve')).toMatchObject({ checked: true, indeterminate: false });
    expect(pageTicks(new Map(), [PAGE[2]!], 'approve')).toEqual({ eligible: 0, checked: false, indeterminate: false });
  });

  it('acts on the runs as the page now shows them, leaving out those that left the set', () => {
    const selected = withPage(new Map(), PAGE, 'approve', true);
    const polled = [patchRun('r1', 'queued'), PAGE[1]!, PAGE[2]!, PAGE[3]!]; // r1 was approved meanwhile
    expect(current(selected, polled, 'approve').map((r) => r.id)).toEqual(['r2']);
    expect(current(selected, undefined, 'approve').map((r) => r.id)).toEqual(['r1', 'r2']);
  });
});
