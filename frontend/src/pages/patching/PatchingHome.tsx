/** /patching: Overview, Runs & History, Rollouts (module `patching_policies`) and Policies, the tab kept in the URL (`?tab=runs`, C11.1). */
import { Button, Tabs, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { patchingKeys } from '../../api/patching';
import { useCan, useHasModule } from '../../auth/useSession';
import { Page } from '../../components/Page';
import { LazyPatchWizard } from '../../components/patching/LazyPatchWizard';
import type { WizardSetup } from '../../components/patching/wizard';
import { RefreshButton } from '../../components/RefreshButton';
import { tabFrom, visibleTabs } from './filters';
import { OverviewTab } from './OverviewTab';
import { PoliciesTab } from './PoliciesTab';
import { RolloutsTab } from './RolloutsTab';
import { RunsTab } from './RunsTab';

const PATCH_HOSTS: WizardSetup = { mode: 'trigger', patchType: 'patch_all', packages: [] };

export function PatchingHome() {
  const canManage = useCan('can_manage_patching');
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [wizard, setWizard] = useState(false);
  const tabs = visibleTabs(useHasModule('patching_policies'));
  const tab = tabFrom(params, tabs);
  // Another tab's filters do not follow: each tab starts from its own URL.
  const select = (value: string | null) => setParams(value && value !== 'overview' ? { tab: value } : {}, { replace: true });
  const openWizard = canManage ? () => setWizard(true) : undefined;

  return (
    <Page title="Patching" description={<Text c="dimmed">Patch runs across your hosts: trigger, approve, follow their output, and the policies that time them.</Text>}
      actions={(
        <>
          {canManage ? <Button onClick={() => setWizard(true)}>Patch hosts</Button> : null}
          <RefreshButton onRefresh={() => queryClient.refetchQueries({ queryKey: patchingKeys.all, type: 'active' })} />
        </>
      )}
    >
      <Tabs value={tab} onChange={select} keepMounted={false}>
        <Tabs.List aria-label="Patching sections">
          {tabs.map(({ value, label }) => <Tabs.Tab key={value} value={value}>{label}</Tabs.Tab>)}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md"><OverviewTab onPatch={openWizard} /></Tabs.Panel>
        <Tabs.Panel value="runs" pt="md"><RunsTab /></Tabs.Panel>
        <Tabs.Panel value="rollouts" pt="md"><RolloutsTab /></Tabs.Panel>
        <Tabs.Panel value="policies" pt="md"><PoliciesTab /></Tabs.Panel>
      </Tabs>
      {canManage ? <LazyPatchWizard opened={wizard} onClose={() => setWizard(false)} setup={PATCH_HOSTS} /> : null}
    </Page>
  );
}
