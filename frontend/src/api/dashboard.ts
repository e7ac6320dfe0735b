import { queryOptions } from '@tanstack/react-query';

import { api } from './client';
import { queryKeys } from './queryClient';
import type { CardPreference, DashboardPreferences, DashboardStats } from './types';

export const dashboardApi = {
  stats: (signal?: AbortSignal) => api.get<DashboardStats>('/dashboard/stats', { signal }),
  preferences: () => api.get<DashboardPreferences>('/dashboard/preferences'),
  savePreferences: (cards: CardPreference[]) => api.put<DashboardPreferences>('/dashboard/preferences', { cards }),
};

/** GET /dashboard/stats as a query: the dashboard (which polls it), the Packages summary and the plan's host count share it. */
export const dashboardStatsQuery = queryOptions({ queryKey: queryKeys.dashboardStats, queryFn: ({ signal }) => dashboardApi.stats(signal) });
