/** The Users page's forms: add a user, edit one (details, role, active), and set a new password for one. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Checkbox, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Controller, useForm } from 'react-hook-form';

import type { PasswordPolicy } from '../../../api/orgSettings';
import { queryKeys } from '../../../api/queryClient';
import { userKeys, usersApi, type ManagedUser } from '../../../api/users';
import { NewPasswordFields } from '../../../auth/NewPasswordFields';
import { DialogActions } from '../../../components/ConfirmDialog';
import { LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { useServerErrors } from '../shared/hooks';
import {
  createUserSchema, editChanges, editUserSchema, newPasswordSchema, type CreateUserValues, type EditUserValues, type NewPasswordValues,
} from './schemas';

export interface RoleOption {
  value: string;
  label: string;
}

const CREATE_FIELDS = ['username', 'email', 'first_name', 'last_name', 'role', 'password', 'confirm'] as const;

export function AddUserModal({ opened, onClose, roles, policy }: { opened: boolean; onClose: () => void; roles: RoleOption[]; policy: PasswordPolicy | null }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add user" size="lg">
      {/* Mounted only while open (and once the roles are known), so every opening starts empty with a default role. */}
      {opened && roles.length > 0 ? <AddUserForm onClose={onClose} roles={roles} policy={policy} /> : null}
      {opened && roles.length === 0 ? <LoadingState label="Loading roles…" /> : null}
    </Modal>
  );
}

function AddUserForm({ onClose, roles, policy }: { onClose: () => void; roles: RoleOption[]; policy: PasswordPolicy | null }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const serverErrors = useServerErrors();
  const defaultRole = roles.find((r) => r.value === 'user')?.value ?? roles.at(-1)?.value ?? '';
  // The policy may arrive after the form opened: react-hook-form reads the latest resolver on each validation.
  const resolver = useMemo(() => zodResolver(createUserSchema(policy)), [policy]);
  const { register, control, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<CreateUserValues>({
    resolver,
    defaultValues: { username: '', email: '', first_name: '', last_name: '', role: defaultRole, password: '', confirm: '' },
  });
  const submit = handleSubmit(async (values) => {
    try {
      const user = await usersApi.create({
        username: values.username, email: values.email, password: values.password, role: values.role,
        first_name: values.first_name || null, last_name: values.last_name || null,
      });
      await queryClient.invalidateQueries({ queryKey: userKeys.all });
      toast.show({ tone: 'success', message: `User ${user.username} added` });
      onClose();
    } catch (error) {
      serverErrors(error, setError, CREATE_FIELDS);
    }
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        <TextInput label="Username" autoComplete="off" description="At least 3 characters; lowercase recommended" {...register('username')}
          error={errors.username?.message} data-autofocus
        />
        <TextInput label="Email" type="email" autoComplete="off" description="Used for email alerts" {...register('email')}
          error={errors.email?.message}
        />
        <Group grow align="flex-start">
          <TextInput label="First name" description="Optional" {...register('first_name')} error={errors.first_name?.message} />
          <TextInput label="Last name" description="Optional" {...register('last_name')} error={errors.last_name?.message} />
        </Group>
        <Controller control={control} name="role" render={({ field }) => (
          <Select label="Role" data={roles} value={field.value} onChange={(value) => field.onChange(value ?? '')} onBlur={field.onBlur}
            allowDeselect={false} error={errors.role?.message} description="Roles above your own are not offered"
          />
        )}
        />
        <NewPasswordFields password={register('password')} confirm={register('confirm')} passwordError={errors.password?.message}
          confirmError={errors.confirm?.message} policy={policy}
        />
        <Text size="sm" c="dimmed">The account is active at once and can sign in straight away.</Text>
        <DialogActions label="Add user" loading={isSubmitting} onCancel={onClose} />
      </Stack>
    </form>
  );
}

const EDIT_FIELDS = ['email', 'first_name', 'last_name', 'role', 'is_active'] as const;

export function EditUserModal({ user, onClose, roles, isSelf }: { user: ManagedUser | null; onClose: () => void; roles: RoleOption[]; isSelf: boolean }) {
  return (
    <Modal opened={user !== null} onClose={onClose} title={user ? `Edit ${user.username}` : 'Edit user'} size="lg">
      {user ? <EditUserForm user={user} onClose={onClose} roles={roles} isSelf={isSelf} /> : null}
    </Modal>
  );
}

function EditUserForm({ user, onClose, roles, isSelf }: { user: ManagedUser; onClose: () => void; roles: RoleOption[]; isSelf: boolean }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const serverErrors = useServerErrors();
  // The user's current role is listed even when the editor may not give it (an admin editing an admin).
  const options = roles.some((r) => r.value === user.role) ? roles : [...roles, { value: user.role, label: user.role }];
  const { register, control, handleSubmit, setError, watch, formState: { errors, isSubmitting } } = useForm<EditUserValues>({
    resolver: zodResolver(editUserSchema),
    defaultValues: { email: user.email, first_name: user.first_name ?? '', last_name: user.last_name ?? '', role: user.role, is_active: user.is_active },
  });
  // eslint-disable-next-line react-hooks/incompatible-library -- watch() re-renders this form only
  const role = watch('role');
  const active = watch('is_active');
  const submit = handleSubmit(async (values) => {
    const changes = editChanges(user, values);
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    try {
      await usersApi.update(user.id, changes);
      await queryClient.invalidateQueries({ queryKey: userKeys.all });
      if (isSelf) await queryClient.invalidateQueries({ queryKey: queryKeys.session });
      toast.show({ tone: 'success', message: `User ${user.username} saved` });
      onClose();
    } catch (error) {
      serverErrors(error, setError, EDIT_FIELDS);
    }
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        <Text size="sm">
          Username: <strong>{user.username}</strong>
        </Text>
        <TextInput label="Email" type="email" {...register('email')} error={errors.email?.message} data-autofocus />
        <Group grow align="flex-start">
          <TextInput label="First name" {...register('first_name')} error={errors.first_name?.message} />
          <TextInput label="Last name" {...register('last_name')} error={errors.last_name?.message} />
        </Group>
        <Controller control={control} name="role" render={({ field }) => (
          <Select label="Role" data={options} value={field.value} onChange={(value) => field.onChange(value ?? user.role)} onBlur={field.onBlur}
            allowDeselect={false} disabled={isSelf} error={errors.role?.message}
            description={isSelf ? 'You cannot change your own role' : 'Roles above your own are not offered'}
          />
        )}
        />
        {role !== user.role ? (
          <Alert color="yellow" variant="light">Changing the role signs {user.username} out of every session.</Alert>
        ) : null}
        {isSelf ? null : (
          <Checkbox label="Active" description="An inactive user cannot sign in; their record and history are kept" {...register('is_active')} />
        )}
        {user.is_active && !active ? (
          <Alert color="yellow" variant="light">Deactivating ends all of {user.username}’s sessions and forgets their trusted devices.</Alert>
        ) : null}
        <DialogActions label="Save user" loading={isSubmitting} onCancel={onClose} />
      </Stack>
    </form>
  );
}

export function ResetPasswordModal({ user, onClose, policy }: { user: ManagedUser | null; onClose: () => void; policy: PasswordPolicy | null }) {
  return (
    <Modal opened={user !== null} onClose={onClose} title={user ? `Reset the password of ${user.username}` : 'Reset password'} size="md">
      {user ? <ResetPasswordForm user={user} onClose={onClose} policy={policy} /> : null}
    </Modal>
  );
}

function ResetPasswordForm({ user, onClose, policy }: { user: ManagedUser; onClose: () => void; policy: PasswordPolicy | null }) {
  const toast = useToast();
  const serverErrors = useServerErrors();
  const resolver = useMemo(() => zodResolver(newPasswordSchema(policy)), [policy]);
  const { register, handleSubmit, setError, formState: { errors, isSubmitting } } = useForm<NewPasswordValues>({
    resolver,
    defaultValues: { password: '', confirm: '' },
  });
  const submit = handleSubmit(async ({ password }) => {
    try {
      await usersApi.resetPassword(user.id, password);
      toast.show({ tone: 'success', message: `Password of ${user.username} reset` });
      onClose();
    } catch (error) {
      serverErrors(error, setError, ['password', 'confirm']);
    }
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        <Text size="sm">
          Give the new password to {user.username} over a secure channel. All their sessions and trusted devices end;
          two-factor authentication stays on.
        </Text>
        <NewPasswordFields label="New password" password={register('password')} confirm={register('confirm')}
          passwordError={errors.password?.message} confirmError={errors.confirm?.message} policy={policy}
        />
        <DialogActions label="Reset password" loading={isSubmitting} onCancel={onClose} />
      </Stack>
    </form>
  );
}
