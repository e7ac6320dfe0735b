/**
 * Settings → Security: the organisation's password policy, login lockout, sessions, two-factor, sign-up, rate
 * limits and host offline grace, as GET/PUT /settings/security expose them, with the server's bounds.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Card, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm, type Control, type FieldErrors } from 'react-hook-form';

import { orgSettingsApi, orgSettingsKeys, type SecuritySettings } from '../../../api/orgSettings';
import { queryKeys } from '../../../api/queryClient';
import { applyServerError } from '../../../components/formErrors';
import { ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { FormFooter } from '../shared/FormFooter';
import { useRoles } from '../shared/hooks';
import { SectionHeader } from '../shared/SectionHeader';
import {
  NUMBER_SECTIONS, PASSWORD_MIN_LENGTH, PASSWORD_RULES, SECURITY_FIELDS, securitySchema, signupRoleOptions,
  toSecurityPut, toSecurityValues, type NumberField, type SecurityValues,
} from './fields';

export default function SecuritySettingsPage() {
  const settings = useQuery({ queryKey: orgSettingsKeys.security, queryFn: ({ signal }) => orgSettingsApi.security(signal) });
  let content;
  if (settings.data) content = <SecurityForm settings={settings.data} />;
  else if (settings.error) content = <ErrorState error={settings.error} title="Could not load the security settings" onRetry={() => void settings.refetch()} />;
  else content = <LoadingState label="Loading security settings…" />;
  return (
    <Stack gap="md">
      <SectionHeader title="Security"
        description="Password rules, lockouts and sessions for everyone in your organisation. Changes apply to the next sign-in or request."
      />
      {content}
    </Stack>
  );
}

function numberError(errors: FieldErrors<SecurityValues>, name: NumberField['name']): string | undefined {
  if (name === 'password_policy.min_length') return errors.password_policy?.min_length?.message;
  return errors[name]?.message;
}

function NumberSetting({ field, control, errors }: { field: NumberField; control: Control<SecurityValues>; errors: FieldErrors<SecurityValues> }) {
  return (
    <Controller control={control} name={field.name} render={({ field: input }) => (
      <NumberInput label={field.label} description={field.description} min={field.min} max={field.max} allowDecimal={false}
        allowNegative={false} clampBehavior="none" value={input.value} onChange={input.onChange} onBlur={input.onBlur} name={input.name}
        ref={input.ref} error={numberError(errors, field.name)}
      />
    )}
    />
  );
}

function SecurityForm({ settings }: { settings: SecuritySettings }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const roles = useRoles();
  const [formError, setFormError] = useState<string | null>(null);
  const { control, handleSubmit, reset, setError, formState: { errors, isDirty } } = useForm<SecurityValues>({
    resolver: zodResolver(securitySchema),
    defaultValues: toSecurityValues(settings),
  });

  const save = useMutation({
    mutationFn: async (values: SecurityValues) => orgSettingsApi.putSecurity(toSecurityPut(settings, values, await orgSettingsApi.agent())),
    onSuccess: (saved) => {
      queryClient.setQueryData(orgSettingsKeys.security, saved);
      reset(toSecurityValues(saved));
      void queryClient.invalidateQueries({ queryKey: orgSettingsKeys.agent });
      void queryClient.invalidateQueries({ queryKey: queryKeys.signupEnabled });
      toast.show({ tone: 'success', message: 'Security settings saved' });
    },
    onError: (error) => {
      const message = applyServerError(error, setError, SECURITY_FIELDS);
      setFormError(message);
      if (message) toast.show({ tone: 'error', message });
    },
  });
  const submit = handleSubmit((values) => {
    setFormError(null);
    save.mutate(values);
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Card withBorder padding="md" component="section" aria-labelledby="security-password">
          <Stack gap="sm">
            <Title order={3} size="h4" id="security-password">Password policy</Title>
            <Text size="sm" c="dimmed">Checked when a password is set or changed (new users, resets and changes), for accounts that sign in with a password.</Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberSetting field={PASSWORD_MIN_LENGTH} control={control} errors={errors} />
            </SimpleGrid>
            {PASSWORD_RULES.map((rule) => (
              <Controller key={rule.name} control={control} name={rule.name} render={({ field }) => (
                <Switch label={rule.label} checked={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)} onBlur={field.onBlur}
                  name={field.name} ref={field.ref}
                />
              )}
              />
            ))}
          </Stack>
        </Card>

        {NUMBER_SECTIONS.map((section, index) => (
          <Card key={section.title} withBorder padding="md" component="section" aria-labelledby={`security-section-${index}`}>
            <Stack gap="sm">
              <Title order={3} size="h4" id={`security-section-${index}`}>{section.title}</Title>
              <Text size="sm" c="dimmed">{section.description}</Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                {section.fields.map((field) => <NumberSetting key={field.name} field={field} control={control} errors={errors} />)}
              </SimpleGrid>
            </Stack>
          </Card>
        ))}

        <Card withBorder padding="md" component="section" aria-labelledby="security-signup">
          <Stack gap="sm">
            <Title order={3} size="h4" id="security-signup">Sign-up</Title>
            <Text size="sm" c="dimmed">Whether people can create their own account on your organisation's sign-in page, and the role they get.</Text>
            <Controller control={control} name="signup_enabled" render={({ field }) => (
              <Switch label="Allow sign-up" checked={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)} onBlur={field.onBlur}
                name={field.name} ref={field.ref}
              />
            )}
            />
            <Controller control={control} name="default_user_role" render={({ field }) => (
              <Select label="Role of new sign-ups" description="Never admin or superadmin." data={signupRoleOptions(roles.data, field.value)}
                value={field.value} onChange={(value) => field.onChange(value ?? '')} onBlur={field.onBlur} name={field.name} ref={field.ref}
                allowDeselect={false} error={errors.default_user_role?.message} maw={360}
              />
            )}
            />
          </Stack>
        </Card>

        <FormFooter error={formError} dirty={isDirty} saving={save.isPending} onDiscard={() => reset()} />
      </Stack>
    </form>
  );
}
