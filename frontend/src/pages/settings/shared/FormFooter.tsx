/** The end of a settings form that saves a whole page (Agent updates, Security): its error, "Discard changes" and "Save". */
import { Alert, Button, Group, Stack } from '@mantine/core';

export function FormFooter({ error, dirty, saving, onDiscard }: { error: string | null; dirty: boolean; saving: boolean; onDiscard: () => void }) {
  return (
    <Stack gap="md">
      {error ? <Alert color="red" variant="light" role="alert">{error}</Alert> : null}
      <Group justify="flex-end">
        <Button variant="default" disabled={!dirty || saving} onClick={onDiscard}>Discard changes</Button>
        <Button type="submit" loading={saving} disabled={!dirty}>Save</Button>
      </Group>
    </Stack>
  );
}
