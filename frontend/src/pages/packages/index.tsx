/** The Packages pages (lazy-loaded at /packages/*): the fleet list and one package's detail. */
import { Route, Routes } from 'react-router';

import NotFoundPage from '../NotFoundPage';
import PackageDetail from './PackageDetail';
import PackagesList from './PackagesList';

export default function PackagesPage() {
  return (
    <Routes>
      <Route index element={<PackagesList />} />
      <Route path=":name" element={<PackageDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
