import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { vi } from 'vitest';

import { useSessionEndedRedirect } from '../auth/sessionEnded';
import { ToastProvider } from '../components/ToastProvider';
import { theme } from '../theme';

function testQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } } });
}

function Providers({ router, queryClient }: { router: ReturnType<typeof createMemoryRouter>; queryClient: QueryClient }) {
  useSessionEndedRedirect(router, queryClient);
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}

/** Render routes the way the app does (Mantine, TanStack Query, toasts, the session-ended redirect), in memory. */
export function renderRoutes(routes: RouteObject[], path = '/') {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const queryClient = testQueryClient();
  const view = render(<Providers router={router} queryClient={queryClient} />);
  return { ...view, router, queryClient };
}

function MantineOnly({ children }: { children: ReactNode }) {
  return <MantineProvider theme={theme}>{children}</MantineProvider>;
}

/** Render a component inside Mantine (rerender keeps the provider). */
export function renderUi(ui: ReactElement) {
  return render(ui, { wrapper: MantineOnly });
}

type Reply = { status?: number; body?: unknown; setCsrf?: string };

/** Stub window.fetch with answers by "METHOD /path" (under /api/v1); returns the calls made. */
export function stubApi(replies: Record<string, Reply | Reply[] | ((body: unknown) => Reply)>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = (input instanceof Request ? input.url : input.toString()).replace(/^\/api\/v1/, '').split('?')[0] ?? '';
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path, body });
    const entry = replies[`${method} ${path}`];
    const reply = typeof entry === 'function' ? entry(body) : Array.isArray(entry) ? entry.shift() : entry;
    if (!reply) return Promise.reject(new Error(`unexpected ${method} ${path}`));
    if (reply.setCsrf !== undefined) document.cookie = `csrf_token=${reply.setCsrf}; Path=/`;
    return Promise.resolve(new Response(JSON.stringify(reply.body ?? {}), { status: reply.status ?? 200, headers: { 'Content-Type': 'application/json' } }));
  }));
  return calls;
}

export const ME = {
  user: { id: 'u1', username: 'root', email: 'root@example.com', first_name: 'Ada', last_name: 'Admin', role: 'superadmin', is_active: true,
    tfa_enabled: false, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', last_login: null },
  role: 'superadmin',
  permissions: ['can_view_dashboard', 'can_view_hosts', 'can_view_packages', 'can_manage_settings'],
  tenant: { id: 't1', slug: 'default', name: 'Default', status: 'active' },
  plan: 'max', modules: [], host_limit: null,
};

export const STATS = {
  total_hosts: 12, hosts_needing_updates: 5, hosts_with_security_updates: 2, hosts_reboot_required: 1,
  hosts_by_status: { active: 10, offline: 1, pending: 1 }, os_distribution: { Ubuntu: 8, Debian: 4 }, offline_hosts: 1, up_to_date_hosts: 6,
};
