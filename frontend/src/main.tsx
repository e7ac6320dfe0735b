import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { authApi } from './api/auth';
import { api } from './api/client';
import { createQueryClient, queryKeys } from './api/queryClient';
import { App } from './App';
import { createAppRouter } from './router';

const container = document.getElementById('root');
if (!container) throw new Error('missing #root');

const queryClient = createQueryClient();
// Ask who is signed in while the first page's code is still loading, rather than after it.
if (api.hasSession()) queryClient.query({ queryKey: queryKeys.session, queryFn: authApi.me }).catch(() => undefined);

createRoot(container).render(
  <StrictMode>
    <App router={createAppRouter()} queryClient={queryClient} />
  </StrictMode>,
);
