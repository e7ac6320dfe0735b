/**
 * Enrolling an authenticator app, shared by first-time setup and My profile: scan the QR code (or type the key),
 * confirm with a code, then save the backup codes, which are shown only once. The caller fetches the pending secret
 * (each GET /tfa/setup makes a new one) and says what "Cancel" and "Done" lead to.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Code, CopyButton, Group, List, Stack, Text, TextInput, Title, type TitleOrder } from '@mantine/core';
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod/mini';

import { errorMessage } from '../api/errors';
import { profileApi } from '../api/profile';
import type { TfaSetup } from '../api/types';
import { backupCodesFile, downloadText, groupSecret } from './backupCodes';

/** A heading that takes focus when it appears, so keyboard and screen-reader users land on the new step. */
export function StepHeading({ order, children }: { order: TitleOrder; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Title order={order} size={order >= 4 ? 'h5' : 'h4'} ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
      {children}
    </Title>
  );
}

/** A 6-digit code from the authenticator app (spaces, as some apps show "123 456", are ignored). */
const totpCodeSchema = z.object({
  code: z.string().check(z.overwrite((v) => v.replace(/\s+/g, '')), z.regex(/^\d{6}$/, 'Enter the 6-digit code your app shows')),
});

export function EnrolStep({ setup, headingOrder, cancelLabel, onCancel, onEnabled }: {
  setup: TfaSetup;
  headingOrder: TitleOrder;
  cancelLabel: string;
  onCancel: () => void;
  /** Called with the backup codes once the server accepted a code. */
  onEnabled: (codes: string[]) => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setValue, setFocus, formState: { errors, isSubmitting } } = useForm<z.infer<typeof totpCodeSchema>>({
    resolver: zodResolver(totpCodeSchema),
    defaultValues: { code: '' },
  });
  const submit = handleSubmit(async ({ code }) => {
    setFormError(null);
    try {
      onEnabled((await profileApi.tfaVerifySetup(code)).backup_codes);
    } catch (error) {
      setFormError(errorMessage(error));
      setValue('code', '');
      setFocus('code');
    }
  });
  return (
    <Stack gap="sm">
      <StepHeading order={headingOrder}>Scan the QR code</StepHeading>
      <Text size="sm">Scan this code with your authenticator app, then enter the 6-digit code it shows.</Text>
      <div style={{ background: '#fff', padding: 12, borderRadius: 8, lineHeight: 0, alignSelf: 'flex-start' }}>
        <QRCodeSVG value={setup.otpauth_url} size={176} title="QR code for your authenticator app" marginSize={0} />
      </div>
      <Stack gap={4}>
        <Text size="sm">Cannot scan it? Enter this key in the app instead (manual entry, time-based):</Text>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code data-testid="totp-secret" fz="md" style={{ wordBreak: 'break-all' }}>{groupSecret(setup.secret)}</Code>
          <CopyButton value={setup.secret}>
            {({ copied, copy }) => (
              <Button size="compact-sm" variant="subtle" onClick={copy}>
                {copied ? 'Copied' : 'Copy key'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack gap="sm" maw={360}>
          {formError ? <Alert color="red" variant="light" role="alert">{formError}</Alert> : null}
          <TextInput label="Two-factor code" autoComplete="one-time-code" inputMode="numeric" maxLength={7} {...register('code')}
            error={errors.code?.message}
          />
          <Group gap="xs">
            <Button type="submit" loading={isSubmitting}>
              Verify
            </Button>
            <Button variant="default" onClick={onCancel}>
              {cancelLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

export function BackupCodesStep({ codes, username, headingOrder, doneLabel, onDone }: {
  codes: string[];
  /** Named in the downloaded file. */
  username: string;
  headingOrder: TitleOrder;
  doneLabel: string;
  onDone: () => void;
}) {
  return (
    <Stack gap="sm">
      <StepHeading order={headingOrder}>Save your backup codes</StepHeading>
      <Alert color="yellow" variant="light">
        Store these codes somewhere safe, such as a password manager. Each signs you in once if you lose your authenticator app.
        They are shown only now.
      </Alert>
      <List spacing={4} listStyleType="none" aria-label="Backup codes" style={{ fontFamily: 'var(--mantine-font-family-monospace)', columns: 2, maxWidth: 360 }}>
        {codes.map((code) => (
          <List.Item key={code}>{code}</List.Item>
        ))}
      </List>
      <Group gap="xs">
        <CopyButton value={codes.join('\n')}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy codes'}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" onClick={() => downloadText('patchmon-backup-codes.txt', backupCodesFile(codes, username))}>
          Download codes
        </Button>
        <Button onClick={onDone}>{doneLabel}</Button>
      </Group>
    </Stack>
  );
}
