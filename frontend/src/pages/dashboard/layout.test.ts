import { describe, expect, it } from 'vitest';

import { CARDS } from './cards';
import { defaultLayout, describePosition, fromSaved, isDefaultLayout, layoutReducer, toSaved, type Layout } from './layout';

const ids = (layout: Layout) => layout.map((card) => card.id);
const ALL = CARDS.map((card) => card.id);

describe('fromSaved', () => {
  it('is the default layout when nothing was saved', () => {
    expect(fromSaved(undefined)).toEqual(defaultLayout());
    expect(fromSaved([])).toEqual(defaultLayout());
  });

  it('keeps the saved order and visibility, then appends cards the app gained since', () => {
    const layout = fromSaved([{ id: 'security_updates', visible: true }, { id: 'total_hosts', visible: false }]);
    expect(ids(layout).slice(0, 2)).toEqual(['security_updates', 'total_hosts']);
    expect(layout[1]).toEqual({ id: 'total_hosts', visible: false });
    expect(ids(layout).slice(2)).toEqual(ALL.filter((id) => id !== 'security_updates' && id !== 'total_hosts'));
  });

  it('drops cards the app no longer has and repeated ids', () => {
    const layout = fromSaved([{ id: 'retired_card', visible: true }, { id: 'offline_hosts', visible: false }, { id: 'offline_hosts', visible: true }]);
    expect(ids(layout)).not.toContain('retired_card');
    expect(layout.filter((card) => card.id === 'offline_hosts')).toEqual([{ id: 'offline_hosts', visible: false }]);
    expect(layout).toHaveLength(CARDS.length);
  });
});

describe('layoutReducer', () => {
  it('shows and hides a card', () => {
    const hidden = layoutReducer(defaultLayout(), { type: 'toggle', id: 'os_distribution' });
    expect(hidden.find((card) => card.id === 'os_distribution')?.visible).toBe(false);
    expect(layoutReducer(hidden, { type: 'toggle', id: 'os_distribution' })).toEqual(defaultLayout());
  });

  it('moves a card up and down by one place', () => {
    const start = defaultLayout();
    const up = layoutReducer(start, { type: 'move', id: 'hosts_needing_updates', by: -1 });
    expect(ids(up).slice(0, 2)).toEqual(['hosts_needing_updates', 'total_hosts']);
    expect(layoutReducer(up, { type: 'move', id: 'hosts_needing_updates', by: 1 })).toEqual(start);
  });

  it('leaves the layout as it is when a card is already at the edge', () => {
    const start = defaultLayout();
    expect(layoutReducer(start, { type: 'move', id: 'total_hosts', by: -1 })).toBe(start);
    const last = start[start.length - 1]!.id;
    expect(layoutReducer(start, { type: 'move', id: last, by: 1 })).toBe(start);
  });

  it('does not lose or duplicate cards however they are moved', () => {
    let layout = defaultLayout();
    for (const [i, id] of ALL.entries()) layout = layoutReducer(layout, { type: 'move', id, by: i % 2 ? 3 : -2 });
    expect([...ids(layout)].sort()).toEqual([...ALL].sort());
  });

  it('goes back to the default layout on reset', () => {
    const changed = layoutReducer(layoutReducer(defaultLayout(), { type: 'toggle', id: 'total_hosts' }), { type: 'move', id: 'update_status', by: -3 });
    expect(layoutReducer(changed, { type: 'reset' })).toEqual(defaultLayout());
  });
});

describe('toSaved', () => {
  it('stores the default layout as an empty list, so new cards keep arriving', () => {
    expect(toSaved(defaultLayout())).toEqual([]);
    expect(isDefaultLayout(defaultLayout())).toBe(true);
  });

  it('stores a changed layout in full, in order', () => {
    const changed = layoutReducer(defaultLayout(), { type: 'move', id: 'security_updates', by: -2 });
    expect(toSaved(changed).map((card) => card.id)).toEqual(ids(changed));
    expect(fromSaved(toSaved(changed))).toEqual(changed);
  });
});

it('describes a card position for screen readers', () => {
  const moved = layoutReducer(defaultLayout(), { type: 'move', id: 'security_updates', by: -2 });
  expect(describePosition(moved, 'security_updates')).toBe(`Security updates moved to position 1 of ${CARDS.length}.`);
});

describe('cards the user cannot see (a module outside the plan)', () => {
  const noPatching = (id: string) => !id.startsWith('patch_runs_');

  it('come with a layout saved before they existed', () => {
    const layout = fromSaved([{ id: 'offline_hosts', visible: true }, { id: 'total_hosts', visible: true }]);
    expect(layout.filter((card) => card.id.startsWith('patch_runs_'))).toEqual([
      { id: 'patch_runs_queued', visible: true }, { id: 'patch_runs_running', visible: true }, { id: 'patch_runs_awaiting_approval', visible: true },
    ]);
  });

  it('are stepped over by a move, keeping their own place', () => {
    const start = defaultLayout();
    const moved = layoutReducer(start, { type: 'move', id: 'reboot_required', by: 1, shown: noPatching });
    expect(ids(moved).filter(noPatching)).toEqual([...ids(start).filter((id) => noPatching(id) && id !== 'reboot_required').slice(0, 6), 'reboot_required', 'update_status']);
    expect(ids(moved).filter((id) => !noPatching(id))).toEqual(ids(start).filter((id) => !noPatching(id)));
    expect(describePosition(moved, 'reboot_required', noPatching)).toBe('Reboot required moved to position 7 of 8.');
    expect(layoutReducer(moved, { type: 'move', id: 'reboot_required', by: -1, shown: noPatching }).filter((c) => noPatching(c.id)))
      .toEqual(start.filter((c) => noPatching(c.id)));
  });
});
