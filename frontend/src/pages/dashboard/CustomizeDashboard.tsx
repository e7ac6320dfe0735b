/** Show, hide and reorder the dashboard's cards: checkboxes and move buttons, all reachable by keyboard. */
import { ActionIcon, Button, Checkbox, Modal, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useReducer, useRef, useState } from 'react';

import { DialogActions } from '../../components/ConfirmDialog';
import { cardById, type CardId } from './cards';
import classes from './Dashboard.module.css';
import { describePosition, isDefaultLayout, layoutReducer, type Layout } from './layout';

interface CustomizeDashboardProps {
  opened: boolean;
  layout: Layout;
  onClose: () => void;
  /** Called with the new layout; the dialog is closed by its owner (the save is optimistic). */
  onSave: (layout: Layout) => void;
  /** The cards the user may see (all by default); the others are not listed and keep their place. */
  available?: ((id: CardId) => boolean) | undefined;
}

const ALL = () => true;

type Direction = 'up' | 'down';

function Arrow({ direction }: { direction: Direction }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d={direction === 'up' ? 'M6 15l6-6 6 6' : 'M6 9l6 6 6-6'} />
    </svg>
  );
}

export function CustomizeDashboard({ opened, layout, onClose, onSave, available = ALL }: CustomizeDashboardProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Customize dashboard" size="md">
      {/* Mounted only while open, so every opening starts from the saved layout. */}
      {opened ? <Editor layout={layout} onClose={onClose} onSave={onSave} available={available} /> : null}
    </Modal>
  );
}

function Editor({ layout, onClose, onSave, available }: Omit<CustomizeDashboardProps, 'opened' | 'available'> & { available: (id: CardId) => boolean }) {
  const [draft, dispatch] = useReducer(layoutReducer, layout);
  const [announcement, setAnnouncement] = useState('');
  const [focusAfterMove, setFocusAfterMove] = useState<{ id: CardId; direction: Direction } | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement>());

  useEffect(() => {
    if (!focusAfterMove) return;
    // Keep focus on the moved card's button; at the top or bottom that button is disabled, so take the other one.
    const { id, direction } = focusAfterMove;
    const other: Direction = direction === 'up' ? 'down' : 'up';
    const same = buttons.current.get(`${id}:${direction}`);
    (same && !same.disabled ? same : buttons.current.get(`${id}:${other}`))?.focus();
  }, [focusAfterMove, draft]);

  const move = (id: CardId, direction: Direction) => {
    const next = layoutReducer(draft, { type: 'move', id, by: direction === 'up' ? -1 : 1, shown: available });
    dispatch({ type: 'replace', layout: next });
    setAnnouncement(describePosition(next, id, available));
    setFocusAfterMove({ id, direction });
  };

  const shown = draft.filter((card) => available(card.id));
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Choose the cards to show and their order. Changes apply when you save.
      </Text>
      <ol className={classes.customizeList} aria-label="Dashboard cards">
        {shown.map((card, index) => {
          const title = cardById(card.id)?.title ?? card.id;
          return (
            <li key={card.id} className={classes.customizeRow}>
              <Checkbox label={title} checked={card.visible} onChange={() => dispatch({ type: 'toggle', id: card.id })} style={{ flex: 1 }} />
              {(['up', 'down'] as const).map((direction) => (
                <ActionIcon
                  key={direction}
                  variant="default"
                  aria-label={`Move ${title} ${direction}`}
                  disabled={direction === 'up' ? index === 0 : index === shown.length - 1}
                  onClick={() => move(card.id, direction)}
                  ref={(element: HTMLButtonElement | null) => {
                    if (element) buttons.current.set(`${card.id}:${direction}`, element);
                    else buttons.current.delete(`${card.id}:${direction}`);
                  }}
                >
                  <Arrow direction={direction} />
                </ActionIcon>
              ))}
            </li>
          );
        })}
      </ol>
      <VisuallyHidden aria-live="polite">{announcement}</VisuallyHidden>
      <DialogActions label="Save layout" onConfirm={() => onSave(draft)} onCancel={onClose}
        aside={<Button variant="subtle" onClick={() => dispatch({ type: 'reset' })} disabled={isDefaultLayout(draft)}>Reset to default</Button>}
      />
    </Stack>
  );
}
