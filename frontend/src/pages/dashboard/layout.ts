/**
 * The user's card layout: order and visibility. Pure functions (unit-tested) between what the server stores
 * (`[{id, visible}]`, empty = default) and what the dashboard shows. A layout always holds every card of the
 * catalogue; cards the user may not see (a module outside the plan) keep their place but are left out of what is
 * shown and of the moves made in Customize (`shown`).
 */
import type { CardPreference } from '../../api/types';
import { CARDS, cardById, type CardId } from './cards';

interface LayoutCard {
  id: CardId;
  visible: boolean;
}

export type Layout = LayoutCard[];

type LayoutAction =
  | { type: 'toggle'; id: CardId }
  /** By places among the `shown` cards (all by default): cards the user cannot see are stepped over. */
  | { type: 'move'; id: CardId; by: number; shown?: ((id: CardId) => boolean) | undefined }
  | { type: 'reset' }
  | { type: 'replace'; layout: Layout };

export function defaultLayout(): Layout {
  return CARDS.map((card) => ({ id: card.id, visible: card.defaultVisible }));
}

/**
 * The layout a saved list describes: saved cards in their order (unknown ids dropped, duplicates ignored), then
 * cards added to the app since it was saved, in catalogue order with their default visibility.
 */
export function fromSaved(saved: readonly CardPreference[] | undefined): Layout {
  if (!saved || saved.length === 0) return defaultLayout();
  const seen = new Set<string>();
  const layout: Layout = [];
  for (const pref of saved) {
    const card = cardById(pref.id);
    if (!card || seen.has(card.id)) continue;
    seen.add(card.id);
    layout.push({ id: card.id, visible: pref.visible });
  }
  for (const card of CARDS) {
    if (!seen.has(card.id)) layout.push({ id: card.id, visible: card.defaultVisible });
  }
  return layout;
}

export function isDefaultLayout(layout: Layout): boolean {
  const defaults = defaultLayout();
  return layout.length === defaults.length && layout.every((card, i) => card.id === defaults[i]?.id && card.visible === defaults[i].visible);
}

/** What to store: the default layout is stored as [] so the user keeps getting new cards in their default place. */
export function toSaved(layout: Layout): CardPreference[] {
  return isDefaultLayout(layout) ? [] : layout.map(({ id, visible }) => ({ id, visible }));
}

export function layoutReducer(state: Layout, action: LayoutAction): Layout {
  switch (action.type) {
    case 'toggle':
      return state.map((card) => (card.id === action.id ? { ...card, visible: !card.visible } : card));
    case 'move': {
      const shown = action.shown ?? (() => true);
      const ids = state.filter((card) => card.id === action.id || shown(card.id)).map((card) => card.id);
      const from = ids.indexOf(action.id);
      const to = Math.min(ids.length - 1, Math.max(0, from + action.by));
      const target = ids[to];
      if (from < 0 || from === to || !target) return state;
      const next = state.filter((card) => card.id !== action.id);
      const moved = state.find((card) => card.id === action.id);
      const at = next.findIndex((card) => card.id === target);
      if (moved) next.splice(to < from ? at : at + 1, 0, moved);
      return next;
    }
    case 'reset':
      return defaultLayout();
    case 'replace':
      return action.layout;
  }
}

/** The sentence a screen reader hears after a move: "Security updates moved to position 1 of 7." (among the `shown` cards) */
export function describePosition(layout: Layout, id: CardId, shown: (id: CardId) => boolean = () => true): string {
  const cards = layout.filter((card) => card.id === id || shown(card.id));
  const index = cards.findIndex((card) => card.id === id);
  return `${cardById(id)?.title ?? id} moved to position ${index + 1} of ${cards.length}.`;
}
