/**
 * The Patching pages (lazy-loaded at /patching/*): the Overview / Runs & History / Policies tabs (/patching) and one
 * run (/patching/runs/:runId). Reading needs `can_view_hosts` and the organisation's `patching` module.
 */
import { Route, Routes } from 'react-router';

import { RequirePermission, UpgradeRequired } from '../../auth/guards';
import { useHasModule } from '../../auth/useSession';
import { Page } from '../../components/Page';
import NotFoundPage from '../NotFoundPage';
import { PatchingHome } from './PatchingHome';
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
