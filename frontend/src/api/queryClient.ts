import { QueryClient } from '@tanstack/react-query';

import { shouldRetry } from './errors';

/** The app's query defaults: no retries for refused (4xx) requests, short staleness, refetch on focus. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 15_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

/** Query keys shared between pages (so one page can invalidate another's data). */
export const queryKeys = {
  session: ['session'] as const,
  setupStatus: ['auth', 'setup-status'] as const,
  signupEnabled: ['auth', 'signup-enabled'] as const,
  dashboardStats: ['dashboard', 'stats'] as const,
  dashboardPreferences: ['dashboard', 'preferences'] as const,
};
