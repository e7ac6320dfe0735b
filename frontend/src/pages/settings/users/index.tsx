/**
 * Settings → Users (C2.6, D24.12-D24.18): every account of the organisation with its role, status, 2FA and last
 * login. Holders of can_manage_users add users, edit them, reset passwords, deactivate and delete — within the
 * rank rules (../shared/rank.ts); the server's refusals (last superadmin, last admin…) are shown as it words them.
 */
import { ActionIcon, Badge, Button, Group, Menu, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { errorMessage } from '../../../api/errors';
import { userKeys, userListQuery, usersApi, type ManagedUser } from '../../../api/users';
import { useCan } from '../../../auth/useSession';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatDate, formatDateTime, fullName, plural } from '../../../components/format';
import type { SortState } from '../../../components/sorting';
import { useToast } from '../../../components/useToast';
import { useActor, usePasswordPolicy, useRoleLabels, useRoles } from '../shared/hooks';
import { mayAssign, mayManage, rank, roleLabel } from '../shared/rank';
import { SectionHeader } from '../shared/SectionHeader';
import { FULL_BADGE, NOWRAP } from '../shared/styles';
import { filterUsers, readFilters, readSort, sortUsers, writeParams, type StatusFilter } from './filters';
import { AddUserModal, EditUserModal, ResetPasswordModal, type RoleOption } from './UserDialogs';

type Dialog = { kind: 'edit' | 'reset' | 'deactivate' | 'delete'; user: ManagedUser } | null;

const STATUS_OPTIONS = [{ value: 'active', label: 'Active' }, { value: 'inactive', label: 'Inactive' }];

function Dots() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
      <circle cx="5" cy="12" r="2" />
      <circle cx="12" cy="12" r="2" />
      <circle cx="19" cy="12" r="2" />
    </svg>
  );
}

export default function UsersSettings() {
  const canManage = useCan('can_manage_users');
  const actor = useActor();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const sort = readSort(params);
  const [adding, setAdding] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);

  const users = useQuery(userListQuery);
  const roles = useRoles();
  const labels = useRoleLabels();
  const policy = usePasswordPolicy();

  const assignable: RoleOption[] = useMemo(() => (roles.data ?? [])
    .filter((r) => mayAssign(actor, r.role))
    .sort((a, b) => rank(b.role) - rank(a.role))
    .map((r) => ({ value: r.role, label: r.builtin ? r.label : `${r.label} (custom)` })), [roles.data, actor]);

  const roleFilterOptions = useMemo(() => {
    const keys = new Set([...(roles.data ?? []).map((r) => r.role), ...(users.data ?? []).map((u) => u.role)]);
    return [...keys].sort((a, b) => rank(b) - rank(a) || a.localeCompare(b)).map((key) => ({ value: key, label: roleLabel(key, labels) }));
  }, [roles.data, users.data, labels]);

  // Hundreds of users at most: filtering on each render is cheaper than keeping memo keys right.
  const rows = users.data ? sortUsers(filterUsers(users.data, filters), sort) : undefined;

  const setFilter = (changes: Parameters<typeof writeParams>[1]) => setParams((current) => writeParams(current, changes), { replace: true });
  const close = () => setDialog(null);

  const setActive = useMutation({
    mutationFn: ({ user, active }: { user: ManagedUser; active: boolean }) => usersApi.update(user.id, { is_active: active }),
    onSuccess: (user) => {
      toast.show({ tone: 'success', message: `User ${user.username} ${user.is_active ? 'activated' : 'deactivated'}` });
      close();
    },
    onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });
  const remove = useMutation({
    mutationFn: (user: ManagedUser) => usersApi.remove(user.id),
    onSuccess: (_, user) => {
      toast.show({ tone: 'success', message: `User ${user.username} deleted` });
      close();
    },
    onError: (error) => toast.show({ tone: 'error', message: errorMessage(error) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });

  const columns: Column<ManagedUser>[] = [
    {
      key: 'username', header: 'Username', sortable: true, cell: (u) => (
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={500} style={NOWRAP}>{u.username}</Text>
          {u.id === actor.userId ? <Badge size="xs" variant="outline" style={FULL_BADGE}>You</Badge> : null}
        </Group>
      ),
    },
    { key: 'name', header: 'Name', sortable: true, cell: (u) => fullName(u) ? <Text span size="sm" style={NOWRAP}>{fullName(u)}</Text> : <Text span size="sm" c="dimmed">—</Text> },
    { key: 'email', header: 'Email', sortable: true, cell: (u) => u.email },
    { key: 'role', header: 'Role', sortable: true, cell: (u) => <Badge variant="light" tt="none" style={FULL_BADGE}>{roleLabel(u.role, labels)}</Badge> },
    {
      key: 'status', header: 'Status', sortable: true,
      cell: (u) => <Badge color={u.is_active ? 'green' : 'red'} variant="light" style={FULL_BADGE}>{u.is_active ? 'Active' : 'Inactive'}</Badge>,
    },
    { key: 'tfa', header: '2FA', sortable: true, cell: (u) => <Badge color={u.tfa_enabled ? 'teal' : 'gray'} variant="outline" style={FULL_BADGE}>{u.tfa_enabled ? 'On' : 'Off'}</Badge> },
    { key: 'last_login', header: 'Last login', sortable: true, nowrap: true, cell: (u) => formatDateTime(u.last_login, { missing: 'Never' }) },
    { key: 'created_at', header: 'Created', sortable: true, nowrap: true, cell: (u) => formatDate(u.created_at) },
  ];
  if (canManage) {
    columns.push({ key: 'actions', header: 'Actions', align: 'right', cell: (u) => <UserActions user={u} isSelf={u.id === actor.userId}
      manageable={mayManage(actor, u.role)} onPick={(kind) => {
        if (kind === 'activate') setActive.mutate({ user: u, active: true });
        else setDialog({ kind, user: u });
      }}
    /> });
  }

  const filtered = users.data && rows && rows.length !== users.data.length;
  return (
    <Stack gap="md">
      <SectionHeader title="Users" description="Every account of your organisation, with its role and when it last signed in."
        actions={canManage ? <Button onClick={() => setAdding(true)}>Add user</Button> : null}
      />

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput label="Search" placeholder="Username, name or email" value={filters.q} onChange={(event) => setFilter({ q: event.currentTarget.value })}
          style={{ flex: '1 1 220px' }} type="search"
        />
        <Select label="Role" placeholder="All roles" data={roleFilterOptions} value={filters.role} clearable
          onChange={(value) => setFilter({ role: value })} style={{ flex: '0 1 200px' }}
        />
        <Select label="Status" placeholder="All" data={STATUS_OPTIONS} value={filters.status} clearable
          onChange={(value) => setFilter({ status: value as StatusFilter | null })} style={{ flex: '0 1 160px' }}
        />
      </Group>
      {users.data ? (
        <Text size="sm" c="dimmed" aria-live="polite">
          {filtered ? `${rows.length} of ${users.data.length} users` : plural(users.data.length, 'user')}
        </Text>
      ) : null}

      <DataTable
        caption="Users"
        columns={columns}
        rows={rows}
        rowKey={(u) => u.id}
        sort={sort}
        onSortChange={(next: SortState) => setFilter({ sort: next })}
        error={users.error}
        onRetry={() => void users.refetch()}
        empty={filtered || users.data?.length ? 'No users match these filters' : 'No users yet'}
        loadingLabel="Loading users…"
      />

      {canManage ? (
        <>
          <AddUserModal opened={adding} onClose={() => setAdding(false)} roles={assignable} policy={policy} />
          <EditUserModal user={dialog?.kind === 'edit' ? dialog.user : null} onClose={close} roles={assignable}
            isSelf={dialog?.user.id === actor.userId}
          />
          <ResetPasswordModal user={dialog?.kind === 'reset' ? dialog.user : null} onClose={close} policy={policy} />
          <ConfirmDialog opened={dialog?.kind === 'deactivate'} title={`Deactivate ${dialog?.user.username ?? ''}?`} confirmLabel="Deactivate user"
            onClose={close} loading={setActive.isPending} onConfirm={() => dialog && setActive.mutate({ user: dialog.user, active: false })}
          >
            They can no longer sign in; all their sessions end and their trusted devices are forgotten. Their record and history are kept,
            and you can activate them again later.
          </ConfirmDialog>
          <ConfirmDialog opened={dialog?.kind === 'delete'} title={`Delete ${dialog?.user.username ?? ''}?`} confirmLabel="Delete user"
            onClose={close} loading={remove.isPending} onConfirm={() => dialog && remove.mutate(dialog.user)}
          >
            This permanently removes the account with its sessions, trusted devices and dashboard preferences. It cannot be undone;
            deactivating keeps the record instead.
          </ConfirmDialog>
        </>
      ) : null}
    </Stack>
  );
}

type Action = 'edit' | 'reset' | 'deactivate' | 'activate' | 'delete';

/** The row's actions: only those the caller may take on this user (rank rules; not on yourself where refused). */
function UserActions({ user, isSelf, manageable, onPick }: { user: ManagedUser; isSelf: boolean; manageable: boolean; onPick: (action: Action) => void }) {
  if (!manageable) return <Text size="xs" c="dimmed" style={NOWRAP}>Higher role</Text>;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.username}`}>
          <Dots />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => onPick('edit')}>Edit user</Menu.Item>
        {/* Your own password is changed under My profile (an admin reset would end your own session). */}
        {!isSelf && user.is_active ? <Menu.Item onClick={() => onPick('reset')}>Reset password</Menu.Item> : null}
        {!isSelf ? (
          <Menu.Item onClick={() => onPick(user.is_active ? 'deactivate' : 'activate')}>{user.is_active ? 'Deactivate user' : 'Activate user'}</Menu.Item>
        ) : null}
        {!isSelf ? (
          <Menu.Item color="red" onClick={() => onPick('delete')}>
            Delete user
          </Menu.Item>
        ) : null}
      </Menu.Dropdown>
    </Menu>
  );
}
