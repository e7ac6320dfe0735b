import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, it } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import LoginPage from './LoginPage';

const routes = [
  { path: '/login', element: <LoginPage /> },
  { path: '/hosts', element: <h1>Hosts page</h1> },
  { path: '/', element: <h1>Home</h1> },
];
const signedIn = { body: { message: 'Login successful', expires_in: 3600, expires_at: 'x', user: { id: 'u1' } }, setCsrf: 'c1' };

beforeEach(() => {
  stubApi({});
});

function open() {
  return renderRoutes(routes, '/login?next=%2Fhosts');
}

async function fillPassword(user: ReturnType<typeof userEvent.setup>, remember = false) {
  await user.type(await screen.findByLabelText('Username'), 'root');
  await user.type(screen.getByLabelText('Password'), 'Corr3ct-Horse!');
  if (remember) await user.click(screen.getByLabelText('Remember me'));
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

it('signs in and goes back to where the user was', async () => {
  const calls = stubApi({ 'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: false } }, 'POST /auth/login': signedIn });
  const user = userEvent.setup();
  const { router } = open();

  await fillPassword(user, true);

  await waitFor(() => expect(router.state.location.pathname).toBe('/hosts'));
  expect(calls.find((c) => c.path === '/auth/login')?.body).toEqual({ username: 'root', password: 'Corr3ct-Horse!', remember_me: true });
});

it('shows the server message when the credentials are wrong', async () => {
  stubApi({
    'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: false } },
    'POST /auth/login': { status: 401, body: { error: 'Invalid credentials', code: 'unauthenticated' } },
  });
  const user = userEvent.setup();
  open();
  await fillPassword(user);
  expect(await screen.findByRole('alert')).toHaveTextContent('Invalid credentials');
});

it('asks for the two-factor code, reports the attempts left, then signs in', async () => {
  const calls = stubApi({
    'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: false } },
    'POST /auth/login': { body: { message: 'TFA verification required', requiresTfa: true, username: 'root', tfaTicket: 'ticket-0123456789' } },
    'POST /auth/verify-tfa': [
      { status: 401, body: { error: 'Invalid verification code', code: 'invalid_tfa_code', remainingAttempts: 4 } },
      signedIn,
    ],
  });
  const user = userEvent.setup();
  const { router } = open();
  await fillPassword(user);

  expect(await screen.findByRole('heading', { level: 1, name: 'Two-factor authentication' })).toBeInTheDocument();
  const code = screen.getByLabelText('Two-factor code');
  await waitFor(() => expect(code).toHaveFocus());
  await user.type(code, '000000');
  await user.click(screen.getByRole('button', { name: 'Verify' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('Invalid verification code 4 attempts left.');

  await user.type(screen.getByLabelText('Two-factor code'), '123456');
  await user.click(screen.getByLabelText('Remember me'));
  await user.click(screen.getByRole('button', { name: 'Verify' }));

  await waitFor(() => expect(router.state.location.pathname).toBe('/hosts'));
  expect(calls.filter((c) => c.path === '/auth/verify-tfa').at(-1)?.body).toEqual({ tfa_ticket: 'ticket-0123456789', token: '123456', remember_me: true });
});

it('validates the fields before sending', async () => {
  const calls = stubApi({ 'GET /auth/setup-status': { body: { needs_setup: false } }, 'GET /auth/signup-enabled': { body: { signupEnabled: false } } });
  const user = userEvent.setup();
  open();
  await user.click(await screen.findByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('Enter your username or email')).toBeInTheDocument();
  expect(calls.map((c) => c.path)).not.toContain('/auth/login');
});
