/**
 * Where I am signed in: trusted devices (browsers that skip the two-factor step, D25.13-D25.15) and sessions
 * (every signed-in browser or client), each revocable, this browser's marked.
 */
import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

import { errorMessage } from '../../../api/errors';
import { profileApi, profileKeys, type TrustedDevice, type UserSession } from '../../../api/profile';
import { EmptyState, ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { ConfirmDialog } from '../users/ConfirmDialog';
import { formatDateTime, NOWRAP } from '../users/format';
import { deviceLabel } from './helpers';

const HIDDEN_CAPTION = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clipPath: 'inset(50%)', whiteSpace: 'nowrap' } as const;

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

function ListTable({ caption, headers, children }: { caption: string; headers: string[]; children: ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="sm" striped>
        <caption style={HIDDEN_CAPTION}>{caption}</caption>
        <Table.Thead>
          <Table.Tr>
            {headers.map((header) => <Table.Th key={header} scope="col" style={NOWRAP}>{header}</Table.Th>)}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function TrustedDevicesSection() {
  const devices = useQuery({ queryKey: profileKeys.trustedDevices, queryFn: ({ signal }) => profileApi.trustedDevices(signal) });
  const [confirm, setConfirm] = useState<TrustedDevice | 'all' | null>(null);
  const close = () => setConfirm(null);
  const revoke = useRevoke(profileKeys.trustedDevices, (d: TrustedDevice) => profileApi.revokeTrustedDevice(d.id),
    (d) => `${d.label} is no longer trusted`, close);
  const revokeAll = useRevoke(profileKeys.trustedDevices, () => profileApi.revokeAllTrustedDevices(), () => 'All trusted devices forgotten', close);

  let body;
  if (devices.error) body = <ErrorState error={devices.error} title="Could not load your trusted devices" onRetry={() => void devices.refetch()} />;
  else if (!devices.data) body = <LoadingState label="Loading trusted devices…" />;
  else if (devices.data.length === 0) {
    body = <EmptyState title="No trusted devices" description="Tick “Remember me” at the two-factor step to skip it on that browser (for 30 days by default)." />;
  } else {
    body = (
      <ListTable caption="Trusted devices" headers={['Device', 'IP address', 'Last used', 'Expires', 'Added', 'Actions']}>
        {devices.data.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                <Text size="sm" fw={500}>{d.label}</Text>
                {d.is_current ? <Badge size="xs" variant="light">This device</Badge> : null}
              </Group>
              <Text size="xs" c="dimmed" lineClamp={1} title={d.user_agent}>{d.user_agent}</Text>
            </Table.Td>
            <Table.Td style={NOWRAP}>{d.ip_address || '—'}</Table.Td>
            <Table.Td style={NOWRAP}>{formatDateTime(d.last_used_at)}</Table.Td>
            <Table.Td style={NOWRAP}>{formatDateTime(d.expires_at)}</Table.Td>
            <Table.Td style={NOWRAP}>{formatDateTime(d.created_at)}</Table.Td>
            <Table.Td>
              <Button size="compact-sm" variant="subtle" color="red" aria-label={`Revoke ${d.label}${d.is_current ? ' (this device)' : ''}`}
                onClick={() => setConfirm(d)}
              >
                Revoke
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
    );
  }

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
      {body}
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

  let body;
  if (sessions.error) body = <ErrorState error={sessions.error} title="Could not load your sessions" onRetry={() => void sessions.refetch()} />;
  else if (!sessions.data) body = <LoadingState label="Loading sessions…" />;
  else if (sessions.data.length === 0) body = <EmptyState title="No active sessions" />;
  else {
    body = (
      <ListTable caption="Sessions" headers={['Device', 'IP address', 'Last active', 'Signed in', 'Actions']}>
        {sessions.data.map((s) => {
          const label = deviceLabel(s.user_agent);
          return (
            <Table.Tr key={s.id}>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={500}>{label}</Text>
                  {s.is_current ? <Badge size="xs" variant="light">This session</Badge> : null}
                  {s.remember_me ? <Badge size="xs" variant="outline" color="gray">Remembered</Badge> : null}
                </Group>
                {s.user_agent ? <Text size="xs" c="dimmed" lineClamp={1} title={s.user_agent}>{s.user_agent}</Text> : null}
              </Table.Td>
              <Table.Td style={NOWRAP}>{s.ip_address || '—'}</Table.Td>
              <Table.Td style={NOWRAP}>{formatDateTime(s.last_activity)}</Table.Td>
              <Table.Td style={NOWRAP}>{formatDateTime(s.created_at)}</Table.Td>
              <Table.Td>
                {s.is_current ? <Text size="xs" c="dimmed">Current</Text> : (
                  <Button size="compact-sm" variant="subtle" color="red" aria-label={`Sign out session on ${label}${s.ip_address ? ` from ${s.ip_address}` : ''}`}
                    onClick={() => setConfirm(s)}
                  >
                    Sign out
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </ListTable>
    );
  }

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
      {body}
      <ConfirmDialog opened={confirm !== null && confirm !== 'others'} title="Sign out this session?" confirmLabel="Sign out session"
        onClose={close} loading={revoke.isPending} onConfirm={() => confirm && confirm !== 'others' && revoke.mutate(confirm)}
      >
        {confirm && confirm !== 'others' ? `The browser on ${deviceLabel(confirm.user_agent)} will have to sign in again.` : ''}
      </ConfirmDialog>
      <ConfirmDialog opened={confirm === 'others'} title="Sign out other sessions?" confirmLabel="Sign out other sessions"
        onClose={close} loading={revokeOthers.isPending} onConfirm={() => revokeOthers.mutate(undefined)}
      >
        {`Every session but this one ends (${others} ${others === 1 ? 'session' : 'sessions'}); they will have to sign in again.`}
      </ConfirmDialog>
    </Stack>
  );
}
