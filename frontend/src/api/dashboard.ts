import { api } from './client';
import type { CardPreference, DashboardPreferences, DashboardStats } from './types';

export const dashboardApi = {
  stats: (signal?: AbortSignal) => api.get<DashboardStats>('/dashboard/stats', { signal }),
  preferences: () => api.get<DashboardPreferences>('/dashboard/preferences'),
  savePreferences: (cards: CardPreference[]) => api.put<DashboardPreferences>('/dashboard/preferences', { cards }),
};
