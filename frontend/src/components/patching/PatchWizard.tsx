/**
 * The Patch Wizard (C9.2): one modal for every way of starting or approving a patch run. Six fixed steps — Hosts,
 * Packages, Validate, Timing, Approval, Submit — of which those that do not apply are shown muted and skipped.
 * Approve mode (a run's Approve or Skip & patch) has only Timing and Submit. Runs triggered now on several hosts may
 * roll out gradually (Submit's "Roll out gradually", module `patching_policies`): one trigger, then the rollout's page.
 */
import { Alert, Badge, Box, Button, Checkbox, Code, Group, Loader, Modal, Radio, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';

import { errorMessage } from '../../api/errors';
import { hostKeys, hostsApi } from '../../api/hosts';
import { hostLabel, inventoryApi, type PackageHost } from '../../api/inventory';
import { patchingApi, patchingKeys, type PatchRunDetail, type PatchType } from '../../api/patching';
import { useHasModule } from '../../auth/useSession';
import { DebouncedTextInput } from '../DebouncedTextInput';
import { plural } from '../format';
import { useToast } from '../useToast';
import { extraDeps, heldRefusal, previewLabel, statusLabel } from './logic';
import { ExtraDepsPill, RunStatusBadge } from './parts';
import { hasProblems, ROLLOUT_DEFAULTS, rolloutHref, rolloutProblems, toRolloutSpec, type RolloutProblems, type RolloutValues } from './rollout';
import { RolloutFields } from './RolloutFields';
import {
  afterSubmitPath, firstStep, MAX_HOSTS_PER_TRIGGER, nextStep, patchedHostIds, previousStep, rolloutApplies, stepApplies, STEPS, submitPlan,
  type ApprovalChoice, type DryRun, type StepKey, type SubmitPlan, type WizardResult, type WizardSetup,
} from './wizard';

export interface PatchWizardProps {
  opened: boolean;
  onClose: () => void;
  setup: WizardSetup;
  /**
   * Report the outcome instead of going to the runs: the wizard closes after submitting, even when some runs were
   * refused (Runs & History's bulk approve shows "Approved 5, 1 failed").
   */
  onSubmitted?: ((result: WizardResult) => void) | undefined;
}

const DRY_RUN_POLL_MS = 2_000;
const PACKAGE_HOST_PAGES = 10;
const PARALLEL = 5;
const SCROLL = { overflowY: 'auto' } as const;
const UNSETTLED = new Set(['pending_validation', 'queued', 'running', 'scheduled']);

function wizardTitle(setup: WizardSetup): string {
  if (setup.mode === 'approve') {
    const [only] = setup.runs;
    return setup.runs.length === 1 && only ? `Approve patch run on ${only.host_name}` : `Approve ${plural(setup.runs.length, 'patch run')}`;
  }
  if (setup.patchType === 'patch_all') return setup.hosts?.length === 1 && setup.hosts[0] ? `Patch all packages on ${setup.hosts[0].name}` : 'Patch all packages';
  return setup.packages.length === 1 && !setup.choosePackagesOf ? `Patch ${setup.packages[0] ?? ''}` : 'Patch packages';
}

export default function PatchWizard({ opened, onClose, setup, onSubmitted }: PatchWizardProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={wizardTitle(setup)} size="xl" closeButtonProps={{ 'aria-label': 'Close' }}>
      {/* Mounted only while open, so each opening starts again. */}
      {opened ? <WizardBody setup={setup} onClose={onClose} onSubmitted={onSubmitted} /> : null}
    </Modal>
  );
}

function StepList({ setup, current }: { setup: WizardSetup; current: StepKey }) {
  return (
    <Group component="ol" gap="xs" wrap="wrap" aria-label="Steps" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {STEPS.map((step, index) => {
        const applies = stepApplies(setup, step.key);
        const active = step.key === current;
        return (
          <Box component="li" key={step.key} aria-current={active ? 'step' : undefined} data-skipped={applies ? undefined : 'true'}
            px={8} py={2} fz="sm" fw={active ? 700 : 400}
            c={applies ? undefined : 'dimmed'}
            style={{ borderRadius: 4, opacity: applies ? 1 : 0.5, textDecoration: applies ? undefined : 'line-through',
              background: active ? 'var(--mantine-color-blue-light)' : undefined }}
          >
            {index + 1}. {step.label}
            {applies ? null : <span style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clipPath: 'inset(50%)' }}> (skipped)</span>}
          </Box>
        );
      })}
    </Group>
  );
}

interface DryRunResult {
  data: PatchRunDetail | undefined;
  error: unknown;
}

interface Outcome {
  hostId: string;
  /** Approving: the run approved (`runId` is the run its approval created). */
  sourceRunId?: string;
  ok: boolean;
  runId?: string;
  status?: string;
  error?: string;
  /** A 409 package_held: the server's sentence and the held names. */
  held?: HeldRefusal | null;
}

type HeldRefusal = NonNullable<ReturnType<typeof heldRefusal>>;

/** Run `work` over `items`, a few at a time, keeping every outcome (a failure does not stop the rest). */
async function inPool<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  for (let start = 0; start < items.length; start += PARALLEL) {
    results.push(...(await Promise.allSettled(items.slice(start, start + PARALLEL).map(work))));
  }
  return results;
}

interface Executed {
  outcomes: Outcome[];
  /** A trigger with a rollout: the rollout its runs belong to. */
  rolloutId: string | null;
}

async function execute(plan: SubmitPlan): Promise<Executed> {
  if (plan.kind === 'leave') return { outcomes: plan.runIds.map((runId) => ({ hostId: '', ok: true, runId, status: 'validated' })), rolloutId: null };
  if (plan.kind === 'approve') {
    const settled = await inPool(plan.items, (item) => patchingApi.approve(item.runId, item.immediate ? 'immediate' : undefined));
    const outcomes = settled.map((result, index): Outcome => {
      const item = plan.items[index];
      const hostId = item?.hostId ?? '';
      const sourceRunId = item?.runId ?? '';
      return result.status === 'fulfilled'
        ? { hostId, sourceRunId, ok: true, runId: result.value.patch_run_id, status: result.value.status }
        : { hostId, sourceRunId, ok: false, error: errorMessage(result.reason), held: heldRefusal(result.reason) };
    });
    return { outcomes, rolloutId: null };
  }
  const outcomes: Outcome[] = [];
  let rolloutId: string | null = null;
  for (const request of plan.requests) {
    try {
      const answer = await patchingApi.trigger(request);
      outcomes.push(...answer.runs.map((r) => ({ hostId: r.host_id, ok: true, runId: r.patch_run_id, status: r.status })));
      rolloutId = answer.rollout_id ?? rolloutId;
    } catch (error) {
      outcomes.push(...request.host_ids.map((hostId) => ({ hostId, ok: false, error: errorMessage(error), held: heldRefusal(error) })));
    }
  }
  return { outcomes, rolloutId };
}

const ROLLOUT_NOTE = 'A rollout starts its runs now: the hosts\' policy delays (and Timing\'s "Run immediately") do not apply. '
  + 'Its runs wait their turn as "Waiting" until a slot frees.';

function WizardBody({ setup, onClose, onSubmitted }: { setup: WizardSetup; onClose: () => void; onSubmitted: PatchWizardProps['onSubmitted'] }) {
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<StepKey>(() => firstStep(setup));
  const trigger = setup.mode === 'trigger' ? setup : null;
  // Hosts not locked: those that need the package (a package's page), or any the user picks (the Patching page).
  const fromPackage = Boolean(trigger && !trigger.hosts && trigger.patchType === 'patch_package');
  const packageName = trigger?.packages[0] ?? '';
  const packageHosts = useQuery({
    queryKey: patchingKeys.packageHosts(packageName),
    queryFn: ({ signal }) => hostsNeeding(packageName, signal),
    enabled: fromPackage,
    staleTime: 30_000,
  });
  // null: not changed yet, so every host that needs the update is ticked (C9.7 "Select all").
  const [chosenHosts, setChosenHosts] = useState<string[] | null>(null);
  const [picked, setPicked] = useState<Map<string, string>>(() => new Map());
  let hostIds: string[];
  if (trigger?.hosts) hostIds = trigger.hosts.map((h) => h.id);
  else if (fromPackage) hostIds = chosenHosts ?? packageHosts.data?.map((h) => h.host_id) ?? [];
  else hostIds = [...picked.keys()];
  const names = new Map<string, string>([
    ...(setup.mode === 'approve' ? setup.runs.map((r): [string, string] => [r.host_id, r.host_name]) : (setup.hosts ?? []).map((h): [string, string] => [h.id, h.name])),
    ...(packageHosts.data ?? []).map((h): [string, string] => [h.host_id, hostLabel(h)]),
    ...picked,
  ]);
  const nameOf = (id: string) => names.get(id) ?? id;
  const [packages, setPackages] = useState<string[]>(() => (trigger?.choosePackagesOf ? [] : trigger?.packages ?? []));
  const [validation, setValidation] = useState<'dry_run' | 'skip'>('dry_run');
  const [dryRunIds, setDryRunIds] = useState<{ runId: string; hostId: string }[] | null>(null);
  const [dryRunHeld, setDryRunHeld] = useState<HeldRefusal | null>(null);
  const [approval, setApproval] = useState<ApprovalChoice>('approve');
  const [immediate, setImmediate] = useState<Set<string>>(() => new Set());
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const policiesModule = useHasModule('patching_policies');
  const [rollout, setRollout] = useState<RolloutValues>(ROLLOUT_DEFAULTS);
  // As a form: the rollout's problems show once Submit was tried, then follow each change.
  const [showRolloutProblems, setShowRolloutProblems] = useState(false);

  // One request per dry run every 2 s, all in one query, until each has settled (validated, failed…).
  const dryRunIdList = (dryRunIds ?? []).map((d) => d.runId);
  const dryRunQuery = useQuery({
    queryKey: patchingKeys.dryRuns(dryRunIdList),
    queryFn: ({ signal }) => Promise.allSettled(dryRunIdList.map((id) => patchingApi.run(id, signal))),
    enabled: dryRunIdList.length > 0,
    refetchInterval: (q) => (!q.state.data || q.state.data.some((r) => r.status === 'rejected' || UNSETTLED.has(r.value.status)) ? DRY_RUN_POLL_MS : false),
    staleTime: 0,
  });
  const dryRunResults: DryRunResult[] = (dryRunIds ?? []).map((_, index) => {
    const result = dryRunQuery.data?.[index];
    if (!result) return { data: undefined, error: null };
    return result.status === 'fulfilled' ? { data: result.value, error: null } : { data: undefined, error: result.reason as unknown };
  });
  const dryRuns: DryRun[] | null = dryRunIds
    ? dryRunIds.map((d, index) => ({ ...d, status: dryRunResults[index]?.data?.status ?? 'pending_validation' }))
    : null;
  const usedDryRuns = validation === 'dry_run' && stepApplies(setup, 'validate') ? dryRuns : null;
  const patchType: PatchType = setup.mode === 'approve' ? (setup.runs[0]?.patch_type ?? 'patch_all') : setup.patchType;

  const patched = patchedHostIds({ setup, hostIds, packages, dryRuns: usedDryRuns, approval });
  const rolloutOffered = policiesModule && rolloutApplies({ setup, hostIds: patched, dryRuns: usedDryRuns, approval });
  const rolloutOn = rolloutOffered && rollout.enabled;
  const rolloutContext = { hostIds: patched, maxHosts: MAX_HOSTS_PER_TRIGGER };
  const rolloutIssues: RolloutProblems = rolloutOn ? rolloutProblems(rollout, rolloutContext) : {};
  const plan = submitPlan({
    setup, hostIds, packages, dryRuns: usedDryRuns, approval, immediate, rollout: rolloutOn ? toRolloutSpec(rollout, rolloutContext) : null,
  });

  const startDryRun = useMutation({
    mutationFn: async () => {
      const runs: { runId: string; hostId: string }[] = [];
      for (let start = 0; start < hostIds.length; start += 100) {
        const answer = await patchingApi.trigger({ host_ids: hostIds.slice(start, start + 100), patch_type: 'patch_package', package_names: packages, dry_run: true });
        runs.push(...answer.runs.map((r) => ({ runId: r.patch_run_id, hostId: r.host_id })));
      }
      return runs;
    },
    onMutate: () => setDryRunHeld(null),
    onSuccess: (runs) => {
      setDryRunIds(runs);
      void queryClient.invalidateQueries({ queryKey: patchingKeys.runLists });
    },
    onError: (error) => {
      // A held package is a refusal the step explains (and keeps in view), not a passing failure.
      const held = heldRefusal(error);
      if (held) setDryRunHeld(held);
      else toast.show({ tone: 'error', title: 'Dry run not started', message: errorMessage(error) });
    },
  });

  const submit = useMutation({
    mutationFn: () => execute(plan),
    onSuccess: ({ outcomes: done, rolloutId }) => {
      void queryClient.invalidateQueries({ queryKey: patchingKeys.all });
      const failed = done.filter((o) => !o.ok);
      if (onSubmitted) {
        onSubmitted({ done: done.length - failed.length, failed: failed.map((o) => ({ name: nameOf(o.hostId), message: o.error ?? 'Not sent' })) });
        onClose();
        return;
      }
      if (failed.length === 0) {
        toast.show({ tone: 'success', message: submitMessage(plan, done.length) });
        onClose();
        void navigate(rolloutId ? rolloutHref(rolloutId) : afterSubmitPath(done.map((o) => ({ runId: o.runId ?? '', status: o.status ?? '' })), patchType));
        return;
      }
      setOutcomes(done);
      if (!failed.some((o) => o.held)) toast.show({ tone: 'error', title: `${plural(failed.length, 'host')} not patched`, message: failed[0]?.error ?? '' });
    },
    onError: (error) => toast.show({ tone: 'error', title: 'Not submitted', message: errorMessage(error) }),
  });

  const canGoOn = stepReady(step, { hostIds, packages, validation, dryRuns, patched });
  const next = nextStep(setup, step);
  const back = previousStep(setup, step);

  let body: ReactNode;
  switch (step) {
    case 'hosts':
      body = fromPackage
        ? <HostsStep packageName={packageName} query={packageHosts} selected={hostIds} onChange={setChosenHosts} />
        : <HostChooser picked={picked} onChange={setPicked} />;
      break;
    case 'packages':
      body = <PackagesStep setup={setup} selected={packages} onChange={setPackages} />;
      break;
    case 'validate':
      body = (
        <ValidateStep validation={validation} onValidation={setValidation} started={dryRunIds !== null} starting={startDryRun.isPending}
          onStart={() => startDryRun.mutate()} hostCount={hostIds.length} held={dryRunHeld}
          runs={(dryRunIds ?? []).map((d, index) => ({ hostName: nameOf(d.hostId), query: dryRunResults[index] }))} packages={packages}
        />
      );
      break;
    case 'timing':
      body = <TimingStep hostIds={patched} nameOf={nameOf} immediate={immediate} onImmediate={setImmediate} />;
      break;
    case 'approval':
      body = <ApprovalStep value={approval} onChange={setApproval} validated={Boolean(usedDryRuns)} />;
      break;
    case 'submit':
      body = (
        <SubmitStep setup={setup} plan={plan} patched={patched} packages={packages} nameOf={nameOf} immediate={immediate} approval={approval}
          onApproval={setApproval} outcomes={outcomes} dryRuns={usedDryRuns} rolloutOn={rolloutOn}
          rollout={rolloutOffered ? (
            <RolloutFields value={rollout} onChange={setRollout} errors={showRolloutProblems ? rolloutIssues : undefined}
              hosts={patched.map((id) => ({ id, name: nameOf(id) }))} disabled={outcomes !== null || submit.isPending}
              description="Start the runs a few hosts at a time, stop when too many fail, and let a first ring go before the rest."
              note={ROLLOUT_NOTE}
            />
          ) : null}
        />
      );
      break;
  }

  return (
    <Stack gap="md">
      <StepList setup={setup} current={step} />
      <Box mih={160}>{body}</Box>
      <Group justify="space-between">
        <div>
          {back ? <Button variant="default" onClick={() => setStep(back)} disabled={submit.isPending}>Back</Button> : null}
        </div>
        <Group gap="xs">
          <Button variant="default" onClick={onClose} disabled={submit.isPending}>Cancel</Button>
          {next ? (
            <Button data-testid="wizard-next" disabled={!canGoOn} onClick={() => setStep(next)}>Next</Button>
          ) : outcomes ? (
            <Button onClick={() => {
              onClose();
              void navigate(afterSubmitPath(outcomes.filter((o) => o.ok).map((o) => ({ runId: o.runId ?? '', status: o.status ?? '' })), patchType));
            }}
            >
              View runs
            </Button>
          ) : (
            <Button data-testid="wizard-submit" loading={submit.isPending} disabled={!canGoOn}
              onClick={() => {
                if (hasProblems(rolloutIssues)) {
                  setShowRolloutProblems(true);
                  return;
                }
                submit.mutate();
              }}
              color={setup.mode === 'approve' && setup.runs.some((r) => r.status === 'pending_validation') ? 'orange' : undefined}
            >
              {submitLabel(plan)}
            </Button>
          )}
        </Group>
      </Group>
    </Stack>
  );
}

function stepReady(step: StepKey, s: { hostIds: string[]; packages: string[]; validation: string; dryRuns: DryRun[] | null; patched: string[] }): boolean {
  switch (step) {
    case 'hosts':
      return s.hostIds.length > 0;
    case 'packages':
      return s.packages.length > 0 && s.packages.length <= 100;
    case 'validate':
      return s.validation === 'skip' || Boolean(s.dryRuns?.some((d) => d.status === 'validated'));
    case 'timing':
    case 'approval':
      return true;
    case 'submit':
      return s.patched.length > 0;
  }
}

function isRollout(plan: SubmitPlan): boolean {
  return plan.kind === 'trigger' && plan.requests.some((r) => r.rollout);
}

function submitLabel(plan: SubmitPlan): string {
  if (plan.kind === 'leave') return 'Leave for approval';
  if (isRollout(plan)) return 'Start rollout';
  if (plan.kind === 'trigger' && plan.requests.some((r) => r.pending_approval)) return 'Submit for approval';
  return 'Queue & patch';
}

function submitMessage(plan: SubmitPlan, count: number): string {
  if (plan.kind === 'leave') return `${plural(count, 'validated run')} left for approval`;
  if (plan.kind === 'approve') return `Approved ${plural(count, 'patch run')}`;
  if (isRollout(plan)) return `Rollout of ${plural(count, 'host')} started`;
  if (plan.requests.some((r) => r.pending_approval)) return `${plural(count, 'patch run')} submitted for approval`;
  return `${plural(count, 'patch run')} queued`;
}

// --- 1. Hosts -------------------------------------------------------------------------------------------------
/** Every host that has the package and needs its update (the package's host pages, a few at most). */
async function hostsNeeding(name: string, signal: AbortSignal): Promise<PackageHost[]> {
  const found: PackageHost[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < PACKAGE_HOST_PAGES; page += 1) {
    const answer = await inventoryApi.packageHosts(name, { cursor, limit: 200, signal });
    found.push(...answer.hosts.filter((h) => h.needs_update));
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return found;
}

function HostsStep({ packageName, query: hosts, selected, onChange }: {
  packageName: string; query: { data?: PackageHost[] | undefined; error: unknown }; selected: string[]; onChange: (ids: string[]) => void;
}) {
  if (hosts.error) return <Alert color="red" variant="light" role="alert">{errorMessage(hosts.error)}</Alert>;
  if (!hosts.data) return <Group gap="xs" aria-busy="true"><Loader size="sm" /><Text c="dimmed">Finding the hosts that need {packageName}…</Text></Group>;
  if (hosts.data.length === 0) return <Text>No host needs an update of {packageName}.</Text>;
  const all = hosts.data.map((h) => h.host_id);
  return (
    <Stack gap="xs">
      <Text size="sm">Hosts that have {packageName} out of date:</Text>
      <Checkbox label={`Select all (${all.length})`} checked={selected.length === all.length} indeterminate={selected.length > 0 && selected.length < all.length}
        onChange={(e) => onChange(e.currentTarget.checked ? all : [])}
      />
      <Box mah={320} style={SCROLL}>
        <Checkbox.Group value={selected} onChange={onChange} label="Hosts">
          <Stack gap={6} mt={6}>
            {hosts.data.map((h) => (
              <Checkbox key={h.host_id} value={h.host_id} label={(
                <Group gap={6} component="span" wrap="nowrap">
                  {hostLabel(h)}
                  <Text span size="xs" c="dimmed">{h.current_version} → {h.available_version}</Text>
                  {h.is_security_update ? <Badge size="xs" color="red" variant="light">Security</Badge> : null}
                </Group>
              )}
              />
            ))}
          </Stack>
        </Checkbox.Group>
      </Box>
    </Stack>
  );
}

const CHOOSER_PAGE = 50;

/** Any of the fleet's hosts, found by name (the server searches; the first matches are listed). */
function HostChooser({ picked, onChange }: { picked: Map<string, string>; onChange: (picked: Map<string, string>) => void }) {
  const [search, setSearch] = useState('');
  const query = { search: search || undefined, limit: CHOOSER_PAGE, sort: 'friendly_name', order: 'asc' };
  const hosts = useQuery({ queryKey: hostKeys.list(query), queryFn: ({ signal }) => hostsApi.list(query, signal), staleTime: 30_000 });
  const toggle = (id: string, name: string, on: boolean) => {
    const next = new Map(picked);
    if (on) next.set(id, name);
    else next.delete(id);
    onChange(next);
  };
  const shown = hosts.data?.hosts ?? [];
  return (
    <Stack gap="xs">
      <DebouncedTextInput label="Find hosts" type="search" placeholder="Host name" value={search} onCommit={setSearch} />
      <Text size="sm">{plural(picked.size, 'host')} chosen{picked.size > 0 ? `: ${[...picked.values()].slice(0, 5).join(', ')}${picked.size > 5 ? '…' : ''}` : ''}</Text>
      {hosts.error ? <Alert color="red" variant="light" role="alert">{errorMessage(hosts.error)}</Alert> : null}
      {!hosts.data && !hosts.error ? <Group gap="xs" aria-busy="true"><Loader size="sm" /><Text c="dimmed">Loading hosts…</Text></Group> : null}
      {hosts.data && shown.length === 0 ? <Text size="sm" c="dimmed">No host matches.</Text> : null}
      <Box mah={300} style={SCROLL}>
        <Stack gap={6}>
          {shown.map((h) => (
            <Checkbox key={h.host_id} checked={picked.has(h.host_id)} onChange={(e) => toggle(h.host_id, h.friendly_name, e.currentTarget.checked)}
              label={(
                <Group gap={6} component="span" wrap="nowrap">
                  {h.friendly_name}
                  <Text span size="xs" c="dimmed">{plural(h.updates_count, 'update')}{h.connected ? '' : ' · offline'}</Text>
                </Group>
              )}
            />
          ))}
        </Stack>
      </Box>
      {hosts.data?.next_cursor ? <Text size="xs" c="dimmed">More hosts match: narrow the search to find them.</Text> : null}
    </Stack>
  );
}

// --- 2. Packages ----------------------------------------------------------------------------------------------
function PackagesStep({ setup, selected, onChange }: { setup: WizardSetup; selected: string[]; onChange: (names: string[]) => void }) {
  const hostId = setup.mode === 'trigger' ? setup.choosePackagesOf : undefined;
  const outdated = useQuery({
    queryKey: hostKeys.packages(hostId ?? '', { needs_updates: 'true', limit: 200 }, null),
    queryFn: ({ signal }) => hostsApi.packages(hostId ?? '', { needs_updates: 'true', limit: 200 }, signal),
    enabled: Boolean(hostId),
  });
  let choices: { name: string; detail?: string; security?: boolean }[];
  if (hostId) {
    if (outdated.error) return <Alert color="red" variant="light" role="alert">{errorMessage(outdated.error)}</Alert>;
    if (!outdated.data) return <Group gap="xs" aria-busy="true"><Loader size="sm" /><Text c="dimmed">Loading the packages that need an update…</Text></Group>;
    choices = outdated.data.packages.map((p) => ({ name: p.name, detail: `${p.current_version} → ${p.available_version}`, security: p.is_security_update }));
    if (choices.length === 0) return <Text>Every package on this host is up to date.</Text>;
  } else {
    choices = (setup.mode === 'trigger' ? setup.packages : []).map((name) => ({ name }));
  }
  const all = choices.map((c) => c.name);
  return (
    <Stack gap="xs">
      <Text size="sm">{hostId ? 'Choose the packages to update (at most 100).' : 'Untick the packages to leave out.'}</Text>
      <Checkbox label={`Select all (${all.length})`} checked={selected.length === all.length} indeterminate={selected.length > 0 && selected.length < all.length}
        onChange={(e) => onChange(e.currentTarget.checked ? all : [])}
      />
      <Box mah={320} style={SCROLL}>
        <Checkbox.Group value={selected} onChange={onChange} label="Packages">
          <Stack gap={6} mt={6}>
            {choices.map((c) => (
              <Checkbox key={c.name} value={c.name} label={(
                <Group gap={6} component="span" wrap="nowrap">
                  {c.name}
                  {c.detail ? <Text span size="xs" c="dimmed">{c.detail}</Text> : null}
                  {c.security ? <Badge size="xs" color="red" variant="light">Security</Badge> : null}
                </Group>
              )}
              />
            ))}
          </Stack>
        </Checkbox.Group>
      </Box>
      {selected.length > 100 ? <Text size="sm" c="red">Choose at most 100 packages.</Text> : null}
    </Stack>
  );
}

// --- 3. Validate ----------------------------------------------------------------------------------------------
function lastLines(text: string, count: number): string {
  return text.replace(/\r\n?/g, '\n').trimEnd().split('\n').slice(-count).join('\n');
}

/** The server's 409 package_held, in the step: its sentence, the held names, and what to do. */
function HeldAlert({ held }: { held: HeldRefusal }) {
  return (
    <Alert color="orange" variant="light" role="alert" title="A package is held">
      <Stack gap={4}>
        <Text size="sm">{held.message}</Text>
        {held.held.length > 0 ? <Text size="sm">Held: {held.held.join(', ')}</Text> : null}
        <Text size="xs" c="dimmed">Leave the held packages out, or release the hold on the host's Patching tab (or its group's, in Settings → Host groups).</Text>
      </Stack>
    </Alert>
  );
}

function ValidateStep({ validation, onValidation, started, starting, onStart, hostCount, runs, packages, held }: {
  validation: 'dry_run' | 'skip'; onValidation: (value: 'dry_run' | 'skip') => void; started: boolean; starting: boolean; onStart: () => void;
  hostCount: number; runs: { hostName: string; query: DryRunResult | undefined }[]; packages: string[]; held: HeldRefusal | null;
}) {
  return (
    <Stack gap="sm">
      {held ? <HeldAlert held={held} /> : null}
      <Radio.Group label="Validation" description="A dry run asks each host's package manager what it would install, without changing anything."
        value={validation} onChange={(value) => onValidation(value === 'skip' ? 'skip' : 'dry_run')}
      >
        <Stack gap={6} mt={6}>
          <Radio value="dry_run" label="Run a dry run first (recommended)" disabled={started} />
          <Radio value="skip" label="Skip validation" disabled={started} />
        </Stack>
      </Radio.Group>
      {validation === 'dry_run' && !started ? (
        <div>
          <Button data-testid="wizard-dry-run" loading={starting} onClick={onStart}>Run dry-run</Button>
          <Text size="xs" c="dimmed" mt={4}>On {plural(hostCount, 'host')}; an offline host runs it when its agent connects.</Text>
        </div>
      ) : null}
      {started ? (
        <Stack gap="sm">
          {runs.map(({ hostName, query }) => {
            const run = query?.data;
            const extra = extraDeps(packages, run?.packages_affected);
            return (
              <Box key={hostName} p="sm" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}>
                <Group gap="xs" justify="space-between">
                  <Text fw={600} size="sm">{hostName}</Text>
                  <Group gap={6}>
                    {run ? <RunStatusBadge status={run.status} /> : <Loader size="xs" aria-label="Loading" />}
                    {run ? <ExtraDepsPill count={run.extra_deps_count || extra.size} /> : null}
                  </Group>
                </Group>
                {query?.error ? <Text size="sm" c="red">{errorMessage(query.error)}</Text> : null}
                {run?.status === 'pending_validation' ? <Text size="xs" c="dimmed">Waiting for the host's agent (it may be offline).</Text> : null}
                {run?.error_message ? <Text size="sm" c="red">{run.error_message}</Text> : null}
                {run?.packages_affected && run.packages_affected.length > 0 ? (
                  <Box mt={4}>
                    <Text size="xs" fw={600}>Would install</Text>
                    <Group gap={4}>
                      {run.packages_affected.map((p) => (
                        <Badge key={p.name} size="sm" variant={extra.has(p.name) ? 'outline' : 'light'} color={extra.has(p.name) ? 'orange' : 'blue'} tt="none">
                          {p.name}{p.version ? ` ${p.version}` : ''}{extra.has(p.name) ? ' (extra dep)' : ''}
                        </Badge>
                      ))}
                    </Group>
                  </Box>
                ) : null}
                {run?.shell_output ? <Code block mt={4} fz="xs" style={{ whiteSpace: 'pre-wrap', maxHeight: 160, overflow: 'auto' }}>{lastLines(run.shell_output, 12)}</Code> : null}
              </Box>
            );
          })}
        </Stack>
      ) : null}
    </Stack>
  );
}

// --- 4. Timing ------------------------------------------------------------------------------------------------
function TimingStep({ hostIds, nameOf, immediate, onImmediate }: {
  hostIds: string[]; nameOf: (id: string) => string; immediate: Set<string>; onImmediate: (ids: Set<string>) => void;
}) {
  const previews = useQuery({
    queryKey: patchingKeys.previews(hostIds),
    queryFn: ({ signal }) => Promise.allSettled(hostIds.map((id) => patchingApi.preview(id, signal))),
    staleTime: 0,
  });
  const toggle = (id: string, on: boolean) => {
    const next = new Set(immediate);
    if (on) next.add(id);
    else next.delete(id);
    onImmediate(next);
  };
  const allNow = hostIds.length > 0 && hostIds.every((id) => immediate.has(id));
  return (
    <Stack gap="sm">
      <Text size="sm">When each run starts, by the host's patch policy. "Run immediately" ignores the policy for this run.</Text>
      <Checkbox label={hostIds.length === 1 ? 'Run immediately' : 'Run immediately on every host'} checked={allNow}
        indeterminate={!allNow && hostIds.some((id) => immediate.has(id))}
        onChange={(e) => onImmediate(e.currentTarget.checked ? new Set(hostIds) : new Set())}
      />
      <Box mah={360} style={SCROLL}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Host</Table.Th>
              <Table.Th scope="col">When</Table.Th>
              {hostIds.length > 1 ? <Table.Th scope="col">Override</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {hostIds.map((id, index) => {
              const preview = previews.data?.[index];
              let when: ReactNode;
              if (immediate.has(id)) when = 'Runs immediately (override)';
              else if (preview?.status === 'fulfilled') when = previewLabel(preview.value);
              else if (preview?.status === 'rejected') when = <Text span size="sm" c="red">{errorMessage(preview.reason)}</Text>;
              else if (previews.error) when = <Text span size="sm" c="red">{errorMessage(previews.error)}</Text>;
              else when = <Text span size="sm" c="dimmed">Working out…</Text>;
              return (
                <Table.Tr key={id}>
                  <Table.Td>{nameOf(id)}</Table.Td>
                  <Table.Td data-testid="timing-when">{when}</Table.Td>
                  {hostIds.length > 1 ? (
                    <Table.Td>
                      <Checkbox aria-label={`Run immediately on ${nameOf(id)}`} checked={immediate.has(id)} onChange={(e) => toggle(id, e.currentTarget.checked)} />
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Box>
    </Stack>
  );
}

// --- 5. Approval ----------------------------------------------------------------------------------------------
function ApprovalStep({ value, onChange, validated }: { value: ApprovalChoice; onChange: (value: ApprovalChoice) => void; validated: boolean }) {
  return (
    <Radio.Group label="Approval" value={value} onChange={(v) => onChange(v === 'request' ? 'request' : 'approve')}
      description={validated ? 'The validated dry runs can be approved now, or left for another person to approve.' : undefined}
    >
      <Stack gap={6} mt={6}>
        <Radio value="approve" label="Approve & patch now" description="The runs are queued (or scheduled by the policy) as soon as you submit." />
        <Radio value="request" label="Submit for approval" description="Another person with patching rights approves them in Runs & History." />
      </Stack>
    </Radio.Group>
  );
}

// --- 6. Submit ------------------------------------------------------------------------------------------------
function SubmitStep({ setup, plan, patched, packages, nameOf, immediate, approval, onApproval, outcomes, dryRuns, rollout, rolloutOn }: {
  setup: WizardSetup; plan: SubmitPlan; patched: string[]; packages: string[]; nameOf: (id: string) => string; immediate: Set<string>;
  approval: ApprovalChoice; onApproval: (value: ApprovalChoice) => void; outcomes: Outcome[] | null; dryRuns: DryRun[] | null;
  /** The "Roll out gradually" section, where a rollout is offered. */
  rollout: ReactNode; rolloutOn: boolean;
}) {
  // One row per run approved (a host may have several), else one per host.
  const rows: { key: string; hostId: string; what: string; outcome: Outcome | undefined }[] = setup.mode === 'approve'
    ? setup.runs.map((r) => ({
      key: r.id, hostId: r.host_id, what: r.patch_type === 'patch_package' ? r.package_names.join(', ') : 'Patch all',
      outcome: outcomes?.find((o) => o.sourceRunId === r.id),
    }))
    : patched.map((id) => ({
      key: id, hostId: id, what: setup.patchType === 'patch_all' ? 'Patch all' : packages.join(', '), outcome: outcomes?.find((o) => o.hostId === id),
    }));
  const when = (hostId: string): string => {
    if (plan.kind === 'leave' || (plan.kind === 'trigger' && plan.requests.some((r) => r.pending_approval))) return 'Waits for approval';
    if (rolloutOn) return 'Now, in its turn (rollout)';
    return immediate.has(hostId) ? 'Immediately (override)' : 'As the policy says (see Timing)';
  };
  const skipped = plan.kind === 'approve' ? plan.skipped : [];
  const held = outcomes?.find((o) => o.held)?.held;
  return (
    <Stack gap="sm">
      {held ? <HeldAlert held={held} /> : null}
      {setup.mode === 'trigger' && setup.patchType === 'patch_all' ? (
        <Checkbox label="Submit for approval: another person approves before it runs" checked={approval === 'request'}
          onChange={(e) => onApproval(e.currentTarget.checked ? 'request' : 'approve')} disabled={outcomes !== null}
        />
      ) : null}
      {plan.kind === 'leave' ? (
        <Alert color="blue" variant="light">The validated dry runs stay in Runs &amp; History, where a reviewer approves them.</Alert>
      ) : null}
      {rollout}
      <Box mah={360} style={SCROLL}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Host</Table.Th>
              <Table.Th scope="col">Patch</Table.Th>
              <Table.Th scope="col">When</Table.Th>
              {outcomes ? <Table.Th scope="col">Result</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(({ key, hostId, what, outcome }) => (
              <Table.Tr key={key}>
                <Table.Td>{nameOf(hostId)}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{what}</Table.Td>
                <Table.Td>{when(hostId)}</Table.Td>
                {outcomes ? (
                  <Table.Td>{outcome?.ok ? <RunStatusBadge status={outcome.status ?? ''} /> : <Text span size="sm" c="red">{outcome?.error ?? 'Not sent'}</Text>}</Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Box>
      {skipped.length > 0 ? (
        <Alert color="yellow" variant="light" title={`${plural(skipped.length, 'host')} will not be patched`}>
          {skipped.map((d) => `${nameOf(d.hostId)} (dry run ${statusLabel(d.status).toLowerCase()})`).join(', ')}. Their runs stay in Runs &amp; History.
        </Alert>
      ) : null}
      {dryRuns === null && setup.mode === 'trigger' && setup.patchType === 'patch_package' && approval === 'approve' ? (
        <Text size="xs" c="dimmed">Validation skipped: the packages are installed without a dry run.</Text>
      ) : null}
    </Stack>
  );
}
