/**
 * Settings → Agent updates (C2.12, C2.16): the report interval, global auto-update, report retention and the
 * server URL agents use, saved with PATCH /settings (only the changed fields), and the agent version served.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Badge, Card, Code, Group, NumberInput, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';

import { ApiError } from '../../../api/errors';
import { agentVersionQuery, orgSettingsApi, orgSettingsKeys, serverUrlQuery, type AgentSettings } from '../../../api/orgSettings';
import { applyServerError } from '../../../components/formErrors';
import { ErrorState, LoadingState } from '../../../components/states';
import { useToast } from '../../../components/useToast';
import { FormFooter } from '../shared/FormFooter';
import { SectionHeader } from '../shared/SectionHeader';
import { agentChanges, agentSchema, toAgentValues, type AgentValues } from './agentForm';

export default function AgentSettingsPage() {
  const settings = useQuery({ queryKey: orgSettingsKeys.agent, queryFn: ({ signal }) => orgSettingsApi.agent(signal) });
  let content;
  if (settings.data) content = <AgentForm settings={settings.data} />;
  else if (settings.error) content = <ErrorState error={settings.error} title="Could not load the agent settings" onRetry={() => void settings.refetch()} />;
  else content = <LoadingState label="Loading agent settings…" />;
  return (
    <Stack gap="md">
      <SectionHeader title="Agent updates" description="How often agents report, whether they update themselves, and where they reach this server." />
      <AgentVersionCard />
      {content}
    </Stack>
  );
}

function AgentVersionCard() {
  const version = useQuery(agentVersionQuery);
  let body;
  if (version.data) {
    body = (
      <Stack gap={4}>
        <Group gap="xs">
          <Text size="sm">Agent version served:</Text>
          <Badge variant="light" size="lg">{version.data.latestVersion}</Badge>
        </Group>
        {version.data.autoUpdateDisabled && version.data.autoUpdateDisabledReason ? (
          <Text size="sm" c="dimmed">Automatic updates are off: {version.data.autoUpdateDisabledReason}</Text>
        ) : (
          <Text size="sm" c="dimmed">Agents with automatic updates on move to this version by themselves.</Text>
        )}
      </Stack>
    );
  } else if (version.error instanceof ApiError && version.error.status === 404) {
    body = <Text size="sm" c="dimmed">This server has no agent build to serve.</Text>;
  } else if (version.error) {
    body = <ErrorState error={version.error} title="Could not load the agent version" onRetry={() => void version.refetch()} />;
  } else {
    body = <LoadingState label="Loading the agent version…" />;
  }
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="agent-version">
      <Stack gap="xs">
        <Title order={3} size="h4" id="agent-version">Agent version</Title>
        {body}
      </Stack>
    </Card>
  );
}

function AgentForm({ settings }: { settings: AgentSettings }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [formError, setFormError] = useState<string | null>(null);
  const serverUrl = useQuery(serverUrlQuery);
  const { control, register, handleSubmit, reset, setError, formState: { errors, isDirty } } = useForm<AgentValues>({
    resolver: zodResolver(agentSchema),
    defaultValues: toAgentValues(settings),
  });

  const save = useMutation({
    mutationFn: (values: AgentValues) => orgSettingsApi.patchAgent(agentChanges(settings, values)),
    onSuccess: (saved) => {
      queryClient.setQueryData(orgSettingsKeys.agent, saved);
      reset(toAgentValues(saved));
      void queryClient.invalidateQueries({ queryKey: orgSettingsKeys.serverUrl });
      void queryClient.invalidateQueries({ queryKey: orgSettingsKeys.security });
      void queryClient.invalidateQueries({ queryKey: orgSettingsKeys.agentVersion });
      toast.show({ tone: 'success', message: 'Agent settings saved' });
    },
    onError: (error) => {
      const message = applyServerError(error, setError, ['update_interval', 'auto_update', 'agent_reports_retention_days', 'server_url']);
      setFormError(message);
      if (message) toast.show({ tone: 'error', message });
    },
  });
  const submit = handleSubmit((values) => {
    setFormError(null);
    if (Object.keys(agentChanges(settings, values)).length === 0) {
      reset(toAgentValues(settings)); // edited back to the saved values: nothing to send
      return;
    }
    save.mutate(values);
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Card withBorder padding="md" component="section" aria-labelledby="agent-reports">
          <Stack gap="sm">
            <Title order={3} size="h4" id="agent-reports">Reports and updates</Title>
            <Controller control={control} name="update_interval" render={({ field }) => (
              <NumberInput label="Update interval (minutes)" maw={360} min={5} max={1440} allowDecimal={false} allowNegative={false} clampBehavior="none"
                description="How often agents send a full report: 5 to 1440 minutes (default 60). Connected agents pick up a change at once; others at their next check-in."
                value={field.value} onChange={field.onChange} onBlur={field.onBlur} name={field.name} ref={field.ref} error={errors.update_interval?.message}
              />
            )}
            />
            <Controller control={control} name="auto_update" render={({ field }) => (
              // The description sits outside the label, so the switch's name stays short.
              <Stack gap={2}>
                <Switch label="Automatic agent updates" checked={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)}
                  onBlur={field.onBlur} name={field.name} ref={field.ref} aria-describedby="agent-auto-update-help"
                />
                <Text size="xs" c="dimmed" id="agent-auto-update-help">
                  Agents update themselves when this server serves a newer version. A host can opt out on its own page.
                </Text>
              </Stack>
            )}
            />
            <Controller control={control} name="agent_reports_retention_days" render={({ field }) => (
              <NumberInput label="Report retention (days)" maw={360} min={7} max={365} allowDecimal={false} allowNegative={false} clampBehavior="none"
                description="How long each host's report history is kept: 7 to 365 days (default 30)."
                value={field.value} onChange={field.onChange} onBlur={field.onBlur} name={field.name} ref={field.ref}
                error={errors.agent_reports_retention_days?.message}
              />
            )}
            />
          </Stack>
        </Card>

        <Card withBorder padding="md" component="section" aria-labelledby="agent-server-url">
          <Stack gap="sm">
            <Title order={3} size="h4" id="agent-server-url">Server URL</Title>
            <TextInput label="Server URL" placeholder="https://patchmon.example.com" maxLength={255} autoComplete="url" {...register('server_url')}
              description="The address install commands give new agents. Leave it empty to use the address this app is opened at."
              error={errors.server_url?.message}
            />
            {serverUrl.data ? (
              <Text size="sm" c="dimmed">Install commands currently use <Code>{serverUrl.data.server_url}</Code>.</Text>
            ) : null}
            <Text size="sm" c="dimmed">
              A change does not move agents already installed: they keep the address they were installed with. Rerun the install command on hosts
              that should use the new one.
            </Text>
          </Stack>
        </Card>

        <FormFooter error={formError} dirty={isDirty} saving={save.isPending} onDiscard={() => reset()} />
      </Stack>
    </form>
  );
}
