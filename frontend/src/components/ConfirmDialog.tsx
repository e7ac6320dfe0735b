/**
 * The dialogs' pieces: the "Cancel" + action button row every dialog ends with, and a confirmation for a
 * destructive or disruptive action (says what happens, an optional refusal from the server, then the buttons).
 */
import { Alert, Button, Group, Modal, Stack, Text, type MantineSize } from '@mantine/core';
import type { ReactNode } from 'react';

interface DialogActionsProps {
  /** The action's button, naming it ("Delete user", "Save role"). */
  label: string;
  /** Absent: a submit button of the surrounding form. */
  onConfirm?: () => void;
  onCancel: () => void;
  loading?: boolean;
  disabled?: boolean;
  color?: string;
  /** The buttons' size: 'xs' in a popover (Mantine's default otherwise). */
  size?: MantineSize;
  /** Shown on the left (e.g. "Delete role" beside the editor's buttons). */
  aside?: ReactNode;
}

/** "Cancel" and the action, right-aligned; Cancel waits while the action runs. */
export function DialogActions({ label, onConfirm, onCancel, loading = false, disabled = false, color, size, aside }: DialogActionsProps) {
  const buttons = (
    <Group justify="flex-end" gap="xs">
      <Button size={size} variant="default" onClick={onCancel} disabled={loading}>
        Cancel
      </Button>
      <Button size={size} type={onConfirm ? 'button' : 'submit'} color={color} onClick={onConfirm} loading={loading} disabled={disabled}>
        {label}
      </Button>
    </Group>
  );
  if (!aside) return buttons;
  return (
    <Group justify="space-between" gap="xs">
      {aside}
      {buttons}
    </Group>
  );
}

interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  /** What happens; a string is set as a paragraph. */
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  loading?: boolean;
  /** The action cannot be taken yet (e.g. a check is still running). */
  confirmDisabled?: boolean;
  /** The server's refusal, kept in the dialog (role="alert"). */
  error?: string | null;
  /** The action button's colour: red (default) for what destroys, orange for what disrupts. */
  color?: string;
}

export function ConfirmDialog({
  opened, title, children, confirmLabel, onConfirm, onClose, loading = false, confirmDisabled = false, error = null, color = 'red',
}: ConfirmDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="md" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack gap="md">
        {typeof children === 'string' ? <Text size="sm">{children}</Text> : children}
        {error ? <Alert color="red" variant="light" role="alert">{error}</Alert> : null}
        <DialogActions label={confirmLabel} color={color} onConfirm={onConfirm} onCancel={onClose} loading={loading} disabled={confirmDisabled} />
      </Stack>
    </Modal>
  );
}
