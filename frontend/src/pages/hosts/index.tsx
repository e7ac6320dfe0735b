/** The Hosts pages, lazy-loaded at /hosts/*: the list (/hosts) and one host (/hosts/:hostId). */
import { Route, Routes } from 'react-router';

import { RequirePermission } from '../../auth/guards';
import NotFoundPage from '../NotFoundPage';
import { HostDetail } from './HostDetail';
import { HostsList } from './HostsList';

export default function HostsPage() {
  return (
    <RequirePermission permission="can_view_hosts" page="Hosts">
      <Routes>
        <Route index element={<HostsList />} />
        <Route path=":hostId" element={<HostDetail />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </RequirePermission>
  );
}
