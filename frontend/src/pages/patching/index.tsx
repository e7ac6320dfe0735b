/**
 * The Patching pages (lazy-loaded at /patching/*): the Overview / Runs & History / Rollouts / Policies tabs (/patching),
 * one run (/patching/runs/:runId) and one rollout (/patching/rollouts/:rolloutId, module `patching_policies`). Reading
 * needs `can_view_hosts` and the organisation's `patching` module.
 */
import { Route, Routes } from 'react-router';

import { RequirePermission, UpgradeRequired } from '../../auth/guards';
import { useHasModule } from '../../auth/useSession';
import { Page } from '../../components/Page';
import NotFoundPage from '../NotFoundPage';
import { PatchingHome } from './PatchingHome';
import { RolloutDetail } from './RolloutDetail';
import { RunDetail } from './RunDetail';

function PatchingRoutes() {
  const available = useHasModule('patching');
  if (!available) {
    return (
      <Page title="Patching">
        <UpgradeRequired module="patching" feature="Patching" />
      </Page>
    );
  }
  return (
    <Routes>
      <Route index element={<PatchingHome />} />
      <Route path="runs/:runId" element={<RunDetail />} />
      <Route path="rollouts/:rolloutId" element={<RolloutDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

export default function PatchingPage() {
  return (
    <RequirePermission permission="can_view_hosts" page="Patching">
      <PatchingRoutes />
    </RequirePermission>
  );
}
