/** The permission matrix (D24.7): permissions by risk tier as rows, roles as columns, a tick where granted. */
import { ActionIcon, Badge, Group, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { Fragment } from 'react';

import type { PermissionCatalogue, RoleView } from '../../../api/users';
import { TIER_COLORS } from './matrix';

function Tick() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="3" aria-hidden="true">
      <path d="M5 12l5 5L20 7" />
    </svg>
  );
}

function Pencil() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4" />
    </svg>
  );
}

function Lock() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <rect x="5" y="11" width="14" height="9" rx="2" />
      <path d="M8 11V8a4 4 0 018 0v3" />
    </svg>
  );
}

export function RoleMatrix({ catalogue, roles, canEdit, onEdit }: {
  catalogue: PermissionCatalogue;
  roles: RoleView[];
  /** Whether the caller may edit roles; the locked built-ins (superadmin, admin, user) never change. */
  canEdit: boolean;
  onEdit: (role: RoleView) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={240 + roles.length * 110}>
      <Table withTableBorder withColumnBorders verticalSpacing="xs" highlightOnHover>
        <caption style={{ textAlign: 'left', captionSide: 'top', fontWeight: 600, paddingBottom: 8 }}>Permissions by role</caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Permission</Table.Th>
            {roles.map((role) => (
              <Table.Th key={role.role} scope="col" style={{ textAlign: 'center', verticalAlign: 'bottom' }}>
                <Stack gap={2} align="center">
                  <Group gap={4} wrap="nowrap" justify="center">
                    <Text size="sm" fw={700}>{role.label}</Text>
                    {role.locked ? (
                      <Tooltip label="Built in and locked: its permissions cannot be changed">
                        <Text span c="dimmed" style={{ lineHeight: 0 }}>
                          <Lock />
                          <VisuallyHidden>(locked)</VisuallyHidden>
                        </Text>
                      </Tooltip>
                    ) : null}
                    {canEdit && !role.locked ? (
                      <ActionIcon variant="subtle" size="sm" aria-label={`Edit role ${role.label}`} onClick={() => onEdit(role)}>
                        <Pencil />
                      </ActionIcon>
                    ) : null}
                  </Group>
                  {role.label !== role.role ? <Text size="xs" c="dimmed" ff="monospace">{role.role}</Text> : null}
                  <Text size="xs" c="dimmed">
                    {role.granted}/{role.total}
                    <VisuallyHidden> permissions</VisuallyHidden>
                  </Text>
                  {!role.builtin ? <Badge size="xs" variant="outline">Custom</Badge> : null}
                </Stack>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {catalogue.tiers.map((tier) => (
            <Fragment key={tier.tier}>
              <Table.Tr>
                <Table.Th scope="colgroup" colSpan={roles.length + 1} bg="var(--mantine-color-default-hover)">
                  <Group gap="xs">
                    <Text size="sm" fw={700}>{tier.label}</Text>
                    <Badge size="sm" variant="light" color={TIER_COLORS[tier.tier] ?? 'gray'}>{tier.risk}</Badge>
                    <Text size="xs" c="dimmed">{tier.description}</Text>
                  </Group>
                </Table.Th>
              </Table.Tr>
              {tier.permissions.map((permission) => (
                <Table.Tr key={permission.key}>
                  <Table.Th scope="row" fw={400}>
                    <Text size="sm" fw={500}>{permission.label}</Text>
                    <Text size="xs" c="dimmed">{permission.description}</Text>
                  </Table.Th>
                  {roles.map((role) => (
                    <Table.Td key={role.role} style={{ textAlign: 'center' }}>
                      {role.permissions[permission.key] ? (
                        <Text span c={TIER_COLORS[tier.tier] ?? 'green'} style={{ lineHeight: 0 }}>
                          <Tick />
                          <VisuallyHidden>Granted</VisuallyHidden>
                        </Text>
                      ) : (
                        <Text span c="dimmed" size="sm">
                          <span aria-hidden="true">–</span>
                          <VisuallyHidden>Not granted</VisuallyHidden>
                        </Text>
                      )}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
