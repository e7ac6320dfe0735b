import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';

import { renderRoutes, stubApi } from '../../test/render';
import SignupPage from './SignupPage';

const routes = [
  { path: '/signup', element: <SignupPage /> },
  { path: '/login', element: <h1>Sign in</h1> },
  { path: '/hosts', element: <h1>Hosts</h1> },
];

it("puts the organisation's password rule, which only the server knows, under the password field", async () => {
  const calls = stubApi({
    'GET /auth/signup-enabled': { body: { signupEnabled: true } },
    'POST /auth/signup': [
      { status: 400, body: { error: 'Password must contain at least 12 characters', code: 'invalid_input' } },
      { status: 201, body: { expires_in: 3600, expires_at: 'x', user: { id: 'u2' } }, setCsrf: 'c1' },
    ],
  });
  const user = userEvent.setup();
  const { router } = renderRoutes(routes, '/signup?next=%2Fhosts');

  await user.type(await screen.findByLabelText('Username'), 'new.user');
  await user.type(screen.getByLabelText('Email'), 'new@example.com');
  await user.type(screen.getByLabelText('Password'), 'lowercase');
  await user.type(screen.getByLabelText('Confirm'), 'lowercase');
  await user.click(screen.getByRole('button', { name: 'Create account' }));

  const password = screen.getByLabelText('Password');
  await waitFor(() => expect(password).toHaveAttribute('aria-invalid', 'true'));
  expect(screen.getByText('Password must contain at least 12 characters')).toBeInTheDocument();
  expect(screen.queryByRole('alert')).not.toBeInTheDocument();

  await user.click(screen.getByRole('button', { name: 'Create account' }));
  await waitFor(() => expect(router.state.location.pathname).toBe('/hosts'));
  expect(calls.filter((c) => c.path === '/auth/signup').at(-1)?.body).toEqual({
    username: 'new.user', email: 'new@example.com', password: 'lowercase',
  });
});
