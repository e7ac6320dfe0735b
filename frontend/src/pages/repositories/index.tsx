/** The Repositories pages (lazy-loaded at /repositories/*): the fleet list and one repository's detail. */
import { Route, Routes } from 'react-router';

import NotFoundPage from '../NotFoundPage';
import RepositoriesList from './RepositoriesList';
import RepositoryDetail from './RepositoryDetail';

export default function RepositoriesPage() {
  return (
    <Routes>
      <Route index element={<RepositoriesList />} />
      <Route path=":repositoryId" element={<RepositoryDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
