import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';

import { renderUi } from '../test/render';
import { RefreshButton } from './RefreshButton';

it('is busy while the refresh it started runs, and usable again after', async () => {
  let finish = () => {};
  renderUi(<RefreshButton onRefresh={() => new Promise<void>((resolve) => { finish = resolve; })} />);
  const button = screen.getByRole('button', { name: 'Refresh' });

  await userEvent.click(button);
  expect(button).toBeDisabled();

  finish();
  await expect.poll(() => button.hasAttribute('disabled')).toBe(false);
});
