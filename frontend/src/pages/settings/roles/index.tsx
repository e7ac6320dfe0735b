/**
 * Settings → Roles (C2.7, D24.2-D24.11): the permission matrix of every role. Super Admin, Admin and User are
 * locked; Host Manager, Readonly and custom roles can be edited, and custom roles created and deleted, by holders of
 * can_manage_settings when the plan includes the rbac_custom module (the server gates every role write with it).
 */
import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { userKeys, usersApi } from '../../../api/users';
import { UpgradeRequired } from '../../../auth/guards';
import { useCan, useHasModule } from '../../../auth/useSession';
import { ErrorState, LoadingState } from '../../../components/states';
import { useRoles } from '../shared/hooks';
import { SectionHeader } from '../shared/SectionHeader';
import { RoleEditor, type EditorTarget } from './RoleEditor';
import { RoleMatrix } from './RoleMatrix';

export default function RolesSettings() {
  const canManageSettings = useCan('can_manage_settings');
  const canListRoles = useCan('can_manage_users');
  const hasModule = useHasModule('rbac_custom');
  // The server gates PUT/DELETE /permissions/roles/{role} with both, the editable built-ins included.
  const canEdit = canManageSettings && hasModule;
  const [editor, setEditor] = useState<EditorTarget | null>(null);

  const catalogue = useQuery({ queryKey: userKeys.catalogue, queryFn: ({ signal }) => usersApi.catalogue(signal), staleTime: Infinity });
  const roles = useRoles();

  let matrix;
  if (!canListRoles) {
    // GET /permissions/roles needs can_manage_users (chalicelib/rbac/routes.py).
    matrix = <Alert color="yellow" variant="light" title="The role matrix needs the Manage Users permission">Ask an administrator of your organisation for access.</Alert>;
  } else if (catalogue.error || roles.error) {
    matrix = <ErrorState error={catalogue.error ?? roles.error} title="Could not load the roles"
      onRetry={() => void Promise.all([catalogue.refetch(), roles.refetch()])}
    />;
  } else if (!catalogue.data || !roles.data) {
    matrix = <LoadingState label="Loading roles…" />;
  } else {
    matrix = <RoleMatrix catalogue={catalogue.data} roles={roles.data} canEdit={canEdit} onEdit={(role) => setEditor({ mode: 'edit', role })} />;
  }

  return (
    <Stack gap="md">
      <SectionHeader title="Roles" description="A role is a named set of permissions; every user holds exactly one."
        actions={canEdit && catalogue.data && roles.data ? <Button onClick={() => setEditor({ mode: 'create' })}>Add role</Button> : null}
      />
      <Text size="sm">
        Super Admin, Admin and User are built in and locked: their permissions cannot be changed, and Super Admin and Admin always
        hold every permission. {canEdit ? 'Host Manager, Readonly and custom roles can be edited with the pencil in their column.' : ''}
      </Text>
      {matrix}
      {!hasModule ? (
        <Stack gap="xs">
          <Title order={3} size="h4">Custom roles</Title>
          <UpgradeRequired module="rbac_custom" feature="Custom roles (and editing Host Manager and Readonly)" />
        </Stack>
      ) : null}
      {hasModule && !canManageSettings ? (
        <Text size="sm" c="dimmed">Only users with the Manage Settings permission create and edit roles.</Text>
      ) : null}
      {canEdit && catalogue.data && roles.data ? (
        <RoleEditor target={editor} catalogue={catalogue.data} roles={roles.data} onClose={() => setEditor(null)} />
      ) : null}
    </Stack>
  );
}
