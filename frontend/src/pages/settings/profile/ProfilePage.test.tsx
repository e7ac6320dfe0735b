import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import type { TrustedDevice, UserSession } from '../../../api/profile';
import { routes } from '../../../router';
import { ME, renderRoutes, stubApi } from '../../../test/render';

const READONLY = { ...ME, user: { ...ME.user, id: 'u3', username: 'viewer', first_name: 'Vera', last_name: null, role: 'readonly' }, role: 'readonly',
  permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages', 'can_view_reports', 'can_view_notification_logs'] };
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const SESSIONS: UserSession[] = [
  { id: 's1', created_at: '2025-03-01T10:00:00Z', last_activity: '2025-03-01T11:00:00Z', ip_address: '10.0.0.1', user_agent: CHROME, remember_me: false, is_current: true },
  { id: 's2', created_at: '2025-02-01T10:00:00Z', last_activity: '2025-02-02T11:00:00Z', ip_address: '10.0.0.2', user_agent: 'Mozilla/5.0 (Windows NT 10.0) Firefox/128.0',
    remember_me: true, is_current: false },
];
const DEVICE: TrustedDevice = { id: 'abcdef0123456789', label: 'Chrome on Linux', user_agent: CHROME, ip_address: '10.0.0.1', created_at: '2025-03-01T10:00:00Z',
  last_used_at: '2025-03-01T10:00:00Z', expires_at: '2025-03-31T10:00:00Z', is_current: true };
const OFF = { enabled: false, backup_codes_remaining: 0 };
const CODES = ['a1b2c3d4', 'e5f6g7h8', 'i9j0k1l2', 'm3n4o5p6', 'q7r8s9t0', 'u1v2w3x4', 'y5z6a7b8', 'c9d0e1f2', 'g3h4i5j6', 'k7l8m9n0'];

function stub(extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    'GET /me/context': { body: READONLY }, 'GET /tfa/status': { body: OFF },
    'GET /auth/trusted-devices': { body: { devices: [] } }, 'GET /auth/sessions': { body: { sessions: SESSIONS.slice(0, 1) } }, ...extra,
  });
}

beforeEach(() => {
  document.cookie = 'csrf_token=c1; Path=/';
});

describe('Settings → My profile', () => {
  it('is where a read-only user lands, with no write-looking buttons until they change their details', async () => {
    const calls = stub({ 'PUT /auth/profile': { body: { message: 'Profile updated successfully', user: { ...READONLY.user, last_name: 'Viewer' } } } });
    renderRoutes(routes, '/settings');

    expect(await screen.findByRole('heading', { level: 2, name: 'My profile' })).toBeInTheDocument();
    await screen.findByRole('button', { name: 'Enable two-factor authentication' });
    await screen.findByRole('table', { name: 'Sessions' });
    const main = screen.getByRole('main');
    expect(within(main).queryAllByRole('button', { name: /^(save|add|create|delete|remove)\b/i })).toEqual([]);
    expect(screen.getByRole('link', { name: 'My profile' })).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Last name'), 'Viewer');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Profile saved');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ first_name: 'Vera', last_name: 'Viewer', email: 'root@example.com' });
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Save profile' })).not.toBeInTheDocument());
  });

  it('enables two-factor authentication: QR code, key, code, then the backup codes once', async () => {
    const calls = stub({
      'GET /tfa/status': [{ body: OFF }, { body: { enabled: true, backup_codes_remaining: 10 } }],
      'GET /tfa/setup': { body: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DP', otpauth_url: 'otpauth://totp/PatchMon:viewer?secret=JBSWY3DPEHPK3PXPJBSWY3DP', qr_code: '' } },
      'POST /tfa/verify-setup': [{ status: 400, body: { error: 'Invalid verification code', code: 'invalid_input' } }, { body: { backup_codes: CODES } }],
    });
    renderRoutes(routes, '/settings/profile');

    await userEvent.click(await screen.findByRole('button', { name: /enable (two-factor|2fa)/i }));
    expect(await screen.findByTestId('totp-secret')).toHaveTextContent('JBSW Y3DP EHPK 3PXP JBSW Y3DP');
    expect(screen.getByTitle('QR code for your authenticator app')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Two-factor code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid verification code');

    await userEvent.type(screen.getByLabelText('Two-factor code'), '654 321');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('status')).toHaveTextContent(/enabled/);
    expect(calls.filter((c) => c.path === '/tfa/verify-setup').at(-1)?.body).toEqual({ token: '654321' });
    const list = await screen.findByRole('list', { name: 'Backup codes' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(screen.getByRole('button', { name: 'Download codes' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy codes' })).toBeInTheDocument();
    expect(await screen.findByText('10 backup codes left. Each signs you in once if you lose your phone.')).toBeInTheDocument();
  });

  it('keeps the user signed in when the current password is wrong', async () => {
    const calls = stub({
      'PUT /auth/change-password': { status: 401, body: { error: 'Current password is incorrect', code: 'invalid_password' } },
    });
    renderRoutes(routes, '/settings/profile');
    await userEvent.type(await screen.findByLabelText('Current password'), 'wrong-one');
    await userEvent.type(screen.getByLabelText('New password'), 'N3w-passw0rd!');
    await userEvent.type(screen.getByLabelText('Confirm'), 'N3w-passw0rd!');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));

    const current = screen.getByLabelText('Current password');
    await waitFor(() => expect(current).toHaveAttribute('aria-invalid', 'true'));
    expect(current).toHaveAccessibleDescription('Current password is incorrect');
    expect(screen.queryByRole('status')).not.toBeInTheDocument(); // under the field, not in a toast
    expect(calls.some((c) => c.path === '/auth/refresh')).toBe(false);
    expect(calls.filter((c) => c.path === '/auth/change-password')).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 2, name: 'My profile' })).toBeInTheDocument();
  });

  it('lists sessions and trusted devices and signs out the other sessions', async () => {
    const calls = stub({
      'GET /auth/sessions': [{ body: { sessions: SESSIONS } }, { body: { sessions: SESSIONS.slice(0, 1) } }],
      'GET /auth/trusted-devices': { body: { devices: [DEVICE] } },
      'DELETE /auth/sessions': { body: { message: 'Other sessions revoked', revoked: 1 } },
    });
    renderRoutes(routes, '/settings/profile');

    const sessions = await screen.findByRole('table', { name: 'Sessions' });
    expect(within(sessions).getByText('This session')).toBeInTheDocument();
    expect(within(sessions).getByText('Firefox on Windows')).toBeInTheDocument();
    const devices = await screen.findByRole('table', { name: 'Trusted devices' });
    expect(within(devices).getByText('This device')).toBeInTheDocument();
    expect(within(devices).getByRole('button', { name: 'Revoke Chrome on Linux (this device)' })).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Sign out other sessions' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sign out other sessions?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign out other sessions' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Signed out of your other sessions');
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/auth/sessions')).toBe(true);
    await waitFor(() => expect(screen.queryByText('Firefox on Windows')).not.toBeInTheDocument());
  });
});
