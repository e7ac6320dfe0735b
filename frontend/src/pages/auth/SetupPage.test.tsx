import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import SetupPage from './SetupPage';

const routes = [
  { path: '/setup', element: <SetupPage /> },
  { path: '/login', element: <h1>Sign in</h1> },
  { path: '/', element: <h1>Dashboard</h1> },
];
const signedIn = { status: 201, body: { expires_in: 3600, expires_at: 'x', user: { id: 'u1' } }, setCsrf: 'c1' };
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const CODES = ['a1b2c3d4', 'e5f6g7h8'];

async function createAdmin(user: ReturnType<typeof userEvent.setup>, password: string) {
  await user.type(await screen.findByLabelText('Username'), 'ops');
  await user.type(screen.getByLabelText('Email'), 'ops@example.com');
  await user.type(screen.getByLabelText('Password'), password);
  await user.type(screen.getByLabelText('Confirm'), password);
  await user.click(screen.getByRole('button', { name: 'Create admin account' }));
}

it('creates the admin, checking the new organisation’s password policy first, then enrols an authenticator app', async () => {
  const calls = stubApi({
    'GET /auth/setup-status': { body: { needs_setup: true } },
    'POST /auth/setup-admin': signedIn,
    'GET /tfa/setup': { body: { secret: SECRET, otpauth_url: `otpauth://totp/PatchMon:ops?secret=${SECRET}`, qr_code: '' } },
    'POST /tfa/verify-setup': { body: { backup_codes: CODES } },
  });
  const user = userEvent.setup();
  const { router } = renderRoutes(routes, '/setup');

  expect(await screen.findByText('At least 8 characters, with an uppercase letter, a lowercase letter, a number and a special character.'))
    .toBeInTheDocument();
  await createAdmin(user, 'alllowercase');
  expect(await screen.findByText('Password must contain an uppercase letter, a number, a special character')).toBeInTheDocument();
  expect(calls.some((c) => c.path === '/auth/setup-admin')).toBe(false);

  await user.clear(screen.getByLabelText('Password'));
  await user.type(screen.getByLabelText('Password'), 'Corr3ct-Horse!');
  await user.clear(screen.getByLabelText('Confirm'));
  await user.type(screen.getByLabelText('Confirm'), 'Corr3ct-Horse!');
  await user.click(screen.getByRole('button', { name: 'Create admin account' }));
  await user.click(await screen.findByRole('button', { name: 'Set up two-factor now' }));

  expect(await screen.findByTestId('totp-secret')).toHaveTextContent('JBSW Y3DP EHPK 3PXP JBSW Y3DP');
  await user.type(screen.getByLabelText('Two-factor code'), '123 456');
  await user.click(screen.getByRole('button', { name: 'Verify' }));
  const codes = await screen.findByRole('list', { name: 'Backup codes' });
  expect(within(codes).getAllByRole('listitem').map((item) => item.textContent)).toEqual(CODES);
  expect(calls.find((c) => c.path === '/tfa/verify-setup')?.body).toEqual({ token: '123456' });
  expect(calls.filter((c) => c.path === '/tfa/setup')).toHaveLength(1);

  await user.click(screen.getByRole('button', { name: 'Continue to dashboard' }));
  await waitFor(() => expect(router.state.location.pathname).toBe('/'));
});

it('lets the admin skip two-factor', async () => {
  const calls = stubApi({ 'GET /auth/setup-status': { body: { needs_setup: true } }, 'POST /auth/setup-admin': signedIn });
  const user = userEvent.setup();
  const { router } = renderRoutes(routes, '/setup');

  await createAdmin(user, 'Corr3ct-Horse!');
  await user.click(await screen.findByRole('button', { name: 'Skip for now' }));
  await waitFor(() => expect(router.state.location.pathname).toBe('/'));
  expect(calls.some((c) => c.path.startsWith('/tfa/'))).toBe(false);
});

it('sends the setup link’s token with the account', async () => {
  const calls = stubApi({
    'GET /auth/setup-status': { body: { needs_setup: true, setup_link_required: true } }, 'POST /auth/setup-admin': signedIn,
  });
  const user = userEvent.setup();
  const { router } = renderRoutes(routes, '/setup?token=k3y%2B1');

  await createAdmin(user, 'Corr3ct-Horse!');
  expect(await screen.findByRole('button', { name: 'Skip for now' })).toBeInTheDocument();
  expect(calls.find((c) => c.path === '/auth/setup-admin')?.body).toEqual({
    username: 'ops', email: 'ops@example.com', password: 'Corr3ct-Horse!', setupToken: 'k3y+1',
  });
  expect(router.state.location.search).toBe('?token=k3y%2B1');
});

it('sends no setup token when the address has none', async () => {
  const calls = stubApi({ 'GET /auth/setup-status': { body: { needs_setup: true } }, 'POST /auth/setup-admin': signedIn });
  const user = userEvent.setup();
  renderRoutes(routes, '/setup');

  await createAdmin(user, 'Corr3ct-Horse!');
  expect(await screen.findByRole('button', { name: 'Skip for now' })).toBeInTheDocument();
  const body = calls.find((c) => c.path === '/auth/setup-admin')?.body;
  expect(body).toEqual({ username: 'ops', email: 'ops@example.com', password: 'Corr3ct-Horse!' });
  expect(body).not.toHaveProperty('setupToken');
});

it('explains the setup link, with no form, when the organisation needs one and the address has none', async () => {
  const calls = stubApi({ 'GET /auth/setup-status': { body: { needs_setup: true, setup_link_required: true } } });
  renderRoutes(routes, '/setup');

  expect(await screen.findByText('This organisation is set up through the setup link its provider sent. Open that link, or ask them for a new one.'))
    .toBeInTheDocument();
  expect(screen.getByRole('heading', { level: 1, name: 'Set up PatchMon Cloud' })).toBeInTheDocument();
  expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
  expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Create admin account' })).not.toBeInTheDocument();
  expect(calls.some((c) => c.path === '/auth/setup-admin')).toBe(false);
});

it.each([
  'This organisation is set up through the setup link its provider sent; open that link, or ask them for a new one',
  'This setup link has expired; ask your provider for a new one',
])('shows the refusal of a wrong or expired setup link: %s', async (error) => {
  stubApi({
    'GET /auth/setup-status': { body: { needs_setup: true, setup_link_required: true } },
    'POST /auth/setup-admin': { status: 403, body: { error } },
  });
  const user = userEvent.setup();
  const { router } = renderRoutes(routes, '/setup?token=old');

  await createAdmin(user, 'Corr3ct-Horse!');
  expect(await screen.findByRole('alert')).toHaveTextContent(error);
  expect(screen.getByRole('button', { name: 'Create admin account' })).toBeInTheDocument();
  expect(router.state.location.pathname).toBe('/setup');
});
