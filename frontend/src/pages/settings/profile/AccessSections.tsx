/**
 * Where I am signed in: trusted devices (browsers that skip the two-factor step, D25.13-D25.15) and sessions
 * (every signed-in browser or client), each revocable, this browser's marked.
 */
import { Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState } from 'react';

import { errorMessage } from '../../../api/errors';
import { profileApi, profileKeys, type TrustedDevice, type UserSession } from '../../../api/profile';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatDateTime, plural } from '../../../components/format';
import { EmptyState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { deviceLabel } from './deviceLabel';

/** A mutation that toasts its outcome and refreshes the list it changed. */
function useRevoke<T>(key: QueryKey, fn: (arg: T) => Promise<unknown>, success: (arg: T) => string, after?: () => void) {
  const toast = useToast();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (_, arg) => {
      toast.show({ tone: 'success', message: success(arg) });
      after?.();
    },
    onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}

function deviceColumns(onRevoke: (device: TrustedDevice) => void): Column<TrustedDevice>[] {
  return [
    {
      key: 'device', header: 'Device', cell: (d) => (
        <>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={500}>{d.label}</Text>
            {d.is_current ? <Badge size="xs" variant="light">This device</Badge> : null}
          </Group>
          <Text size="xs" c="dimmed" lineClamp={1} title={d.user_agent}>{d.user_agent}</Text>
        </>
      ),
    },
    { key: 'ip_address', header: 'IP address', nowrap: true, cell: (d) => d.ip_address || '—' },
    { key: 'last_used_at', header: 'Last used', nowrap: true, cell: (d) => formatDateTime(d.last_used_at, { missing: 'Never' }) },
    { key: 'expires_at', header: 'Expires', nowrap: true, cell: (d) => formatDateTime(d.expires_at) },
    { key: 'created_at', header: 'Added', nowrap: true, cell: (d) => formatDateTime(d.created_at) },
    {
      key: 'actions', header: 'Actions', nowrap: true, cell: (d) => (
        <Button size="compact-sm" variant="subtle" color="red" aria-label={`Revoke ${d.label}${d.is_current ? ' (this device)' : ''}`}
          onClick={() => onRevoke(d)}
        >
          Revoke
        </Button>
      ),
    },
  ];
}

function sessionColumns(onSignOut: (session: UserSession) => void): Column<UserSession>[] {
  return [
    {
      key: 'device', header: 'Device', cell: (s) => (
        <>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={500}>{deviceLabel(s.user_agent)}</Text>
            {s.is_current ? <Badge size="xs" variant="light">This session</Badge> : null}
            {s.remember_me ? <Badge size="xs" variant="outline" color="gray">Remembered</Badge> : null}
          </Group>
          {s.user_agent ? <Text size="xs" c="dimmed" lineClamp={1} title={s.user_agent}>{s.user_agent}</Text> : null}
        </>
      ),
    },
    { key: 'ip_address', header: 'IP address', nowrap: true, cell: (s) => s.ip_address || '—' },
    { key: 'last_activity', header: 'Last active', nowrap: true, cell: (s) => formatDateTime(s.last_activity, { missing: 'Never' }) },
    { key: 'created_at', header: 'Signed in', nowrap: true, cell: (s) => formatDateTime(s.created_at) },
    {
      key: 'actions', header: 'Actions', nowrap: true, cell: (s) => (s.is_current ? <Text size="xs" c="dimmed">Current</Text> : (
        <Button size="compact-sm" variant="subtle" color="red"
          aria-label={`Sign out session on ${deviceLabel(s.user_agent)}${s.ip_address ? ` from ${s.ip_address}` : ''}`} onClick={() => onSignOut(s)}
        >
          Sign out
        </Button>
      )),
    },
  ];
}

export function TrustedDevicesSection() {
  const devices = useQuery({ queryKey: profileKeys.trustedDevices, queryFn: ({ signal }) => profileApi.trustedDevices(signal) });
  const [confirm, setConfirm] = useState<TrustedDevice | 'all' | null>(null);
  const close = () => setConfirm(null);
  const revoke = useRevoke(profileKeys.trustedDevices, (d: TrustedDevice) => profileApi.revokeTrustedDevice(d.id),
    (d) => `${d.label} is no longer trusted`, close);
  const revokeAll = useRevoke(profileKeys.trustedDevices, () => profileApi.revokeAllTrustedDevices(), () => 'All trusted devices forgotten', close);

  return (
    <Stack gap="sm" component="section" aria-labelledby="profile-devices">
      <Group justify="space-between" align="flex-end">
        <Title order={3} size="h4" id="profile-devices">Trusted devices</Title>
        {devices.data?.length ? (
          <Button variant="default" size="xs" onClick={() => setConfirm('all')}>
            Forget all trusted devices
          </Button>
        ) : null}
      </Group>
      <Text size="sm" c="dimmed">Browsers where you ticked “Remember me”: they skip the two-factor step but still need your password.</Text>
      <DataTable caption="Trusted devices" columns={deviceColumns(setConfirm)} rows={devices.data} rowKey={(d) => d.id} minWidth={640}
        error={devices.error} onRetry={() => void devices.refetch()} loadingLabel="Loading trusted devices…"
        empty={<EmptyState title="No trusted devices" description="Tick “Remember me” at the two-factor step to skip it on that browser (for 30 days by default)." />}
      />
      <ConfirmDialog opened={confirm !== null && confirm !== 'all'} title="Revoke this trusted device?" confirmLabel="Revoke device"
        onClose={close} loading={revoke.isPending} onConfirm={() => confirm && confirm !== 'all' && revoke.mutate(confirm)}
      >
        {confirm && confirm !== 'all'
          ? `${confirm.label}${confirm.is_current ? ' (this browser)' : ''} will ask for a two-factor code at its next sign-in.`
          : ''}
      </ConfirmDialog>
      <ConfirmDialog opened={confirm === 'all'} title="Forget all trusted devices?" confirmLabel="Forget all trusted devices"
        onClose={close} loading={revokeAll.isPending} onConfirm={() => revokeAll.mutate(undefined)}
      >
        Every browser, this one included, will ask for a two-factor code at its next sign-in.
      </ConfirmDialog>
    </Stack>
  );
}

export function SessionsSection() {
  const sessions = useQuery({ queryKey: profileKeys.sessions, queryFn: ({ signal }) => profileApi.sessions(signal) });
  const [confirm, setConfirm] = useState<UserSession | 'others' | null>(null);
  const close = () => setConfirm(null);
  const revoke = useRevoke(profileKeys.sessions, (s: UserSession) => profileApi.revokeSession(s.id), () => 'Session signed out', close);
  const revokeOthers = useRevoke(profileKeys.sessions, () => profileApi.revokeOtherSessions(), () => 'Signed out of your other sessions', close);
  const others = sessions.data?.filter((s) => !s.is_current).length ?? 0;

  return (
    <Stack gap="sm" component="section" aria-labelledby="profile-sessions">
      <Group justify="space-between" align="flex-end">
        <Title order={3} size="h4" id="profile-sessions">Sessions</Title>
        {others > 0 ? (
          <Button variant="default" size="xs" onClick={() => setConfirm('others')}>
            Sign out other sessions
          </Button>
        ) : null}
      </Group>
      <Text size="sm" c="dimmed">Everywhere you are signed in. A session also ends by itself after a while without activity.</Text>
      <DataTable caption="Sessions" columns={sessionColumns(setConfirm)} rows={sessions.data} rowKey={(s) => s.id} minWidth={640}
        error={sessions.error} onRetry={() => void sessions.refetch()} loadingLabel="Loading sessions…" empty="No active sessions"
      />
      <ConfirmDialog opened={confirm !== null && confirm !== 'others'} title="Sign out this session?" confirmLabel="Sign out session"
        onClose={close} loading={revoke.isPending} onConfirm={() => confirm && confirm !== 'others' && revoke.mutate(confirm)}
      >
        {confirm && confirm !== 'others' ? `The browser on ${deviceLabel(confirm.user_agent)} will have to sign in again.` : ''}
      </ConfirmDialog>
      <ConfirmDialog opened={confirm === 'others'} title="Sign out other sessions?" confirmLabel="Sign out other sessions"
        onClose={close} loading={revokeOthers.isPending} onConfirm={() => revokeOthers.mutate(undefined)}
      >
        {`Every session but this one ends (${plural(others, 'session')}); they will have to sign in again.`}
      </ConfirmDialog>
    </Stack>
  );
}
