import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it, vi } from 'vitest';

import { renderUi } from '../../test/render';
import { CustomizeDashboard } from './CustomizeDashboard';
import { CARDS } from './cards';
import { defaultLayout } from './layout';

function setup() {
  const onSave = vi.fn();
  renderUi(<CustomizeDashboard opened layout={defaultLayout()} onClose={vi.fn()} onSave={onSave} />);
  return { onSave, user: userEvent.setup() };
}

it('reorders cards from the keyboard, keeping focus on the moved card and announcing its place', async () => {
  const { user, onSave } = setup();
  // The dialog puts focus inside itself when it opens; wait for that, then go to the card's button.
  await waitFor(() => expect(screen.getByRole('dialog')).toContainElement(document.activeElement as HTMLElement));
  screen.getByRole('button', { name: 'Move Security updates up' }).focus();

  await user.keyboard('{Enter}');
  await user.keyboard('{Enter}');

  expect(screen.getByRole('button', { name: 'Move Security updates down' })).toBeEnabled();
  // At the top "up" is disabled, so focus moved to the card's other button.
  expect(screen.getByRole('button', { name: 'Move Security updates up' })).toBeDisabled();
  expect(screen.getByRole('button', { name: 'Move Security updates down' })).toHaveFocus();
  expect(screen.getByText(`Security updates moved to position 1 of ${CARDS.length}.`)).toBeInTheDocument();

  await user.click(screen.getByRole('button', { name: 'Save layout' }));
  expect(onSave).toHaveBeenCalledOnce();
  const saved = onSave.mock.calls[0]?.[0] as { id: string }[];
  expect(saved.map((card) => card.id).slice(0, 3)).toEqual(['security_updates', 'total_hosts', 'hosts_needing_updates']);
});

it('hides a card with its checkbox and can go back to the default', async () => {
  const { user, onSave } = setup();
  const box = screen.getByRole('checkbox', { name: 'OS distribution' });
  const reset = screen.getByRole('button', { name: 'Reset to default' });
  expect(reset).toBeDisabled();

  await user.click(box);
  expect(box).not.toBeChecked();
  expect(reset).toBeEnabled();
  await user.click(reset);
  expect(screen.getByRole('checkbox', { name: 'OS distribution' })).toBeChecked();

  await user.click(screen.getByRole('checkbox', { name: 'OS distribution' }));
  await user.click(screen.getByRole('button', { name: 'Save layout' }));
  expect((onSave.mock.calls[0]?.[0] as { id: string; visible: boolean }[]).find((c) => c.id === 'os_distribution')?.visible).toBe(false);
});

it('lists only the cards the user may see, and moves a card past those it cannot', async () => {
  const onSave = vi.fn();
  const available = (id: string) => !id.startsWith('patch_runs_');
  renderUi(<CustomizeDashboard opened layout={defaultLayout()} onClose={vi.fn()} onSave={onSave} available={available} />);
  const user = userEvent.setup();

  expect(screen.queryByRole('checkbox', { name: 'Patch runs queued' })).not.toBeInTheDocument();
  const listed = CARDS.filter((card) => available(card.id));
  expect(screen.getAllByRole('checkbox')).toHaveLength(listed.length);

  // In the catalogue the patching cards sit between Reboot required and OS distribution: one move down passes them all.
  await user.click(screen.getByRole('button', { name: 'Move Reboot required down' }));
  expect(screen.getByText(`Reboot required moved to position ${listed.findIndex((c) => c.id === 'os_distribution') + 1} of ${listed.length}.`)).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Save layout' }));
  const saved = (onSave.mock.calls[0]?.[0] as { id: string }[]).map((card) => card.id);
  expect(saved).toHaveLength(CARDS.length); // the hidden cards keep their place in the stored layout
  expect(saved.indexOf('reboot_required')).toBe(saved.indexOf('os_distribution') + 1);
});
