import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { api } from './api/client';
import { createQueryClient } from './api/queryClient';
import { App } from './App';
import { sessionQuery } from './auth/useSession';
import { createAppRouter } from './router';

const container = document.getElementById('root');
if (!container) throw new Error('missing #root');

const queryClient = createQueryClient();
// Ask who is signed in while the first page's code is still loading, rather than after it.
if (api.hasSession()) queryClient.query(sessionQuery).catch(() => undefined);

createRoot(container).render(
  <StrictMode>
    <App router={createAppRouter()} queryClient={queryClient} />
  </StrictMode>,
);
