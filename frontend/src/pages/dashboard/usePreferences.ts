import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { dashboardApi } from '../../api/dashboard';
import { queryKeys } from '../../api/queryClient';
import type { DashboardPreferences } from '../../api/types';
import { useToast } from '../../components/useToast';
import { fromSaved, toSaved, type Layout } from './layout';

/** The signed-in user's layout (server side, so it follows them across browsers) and a saver with optimistic update. */
export function useDashboardLayout() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const query = useQuery({ queryKey: queryKeys.dashboardPreferences, queryFn: dashboardApi.preferences, staleTime: Infinity });
  const save = useMutation({
    mutationFn: (layout: Layout) => dashboardApi.savePreferences(toSaved(layout)),
    onMutate: async (layout) => {
      await queryClient.cancelQueries({ queryKey: queryKeys.dashboardPreferences });
      const previous = queryClient.getQueryData<DashboardPreferences>(queryKeys.dashboardPreferences);
      queryClient.setQueryData<DashboardPreferences>(queryKeys.dashboardPreferences, { cards: toSaved(layout), updated_at: previous?.updated_at ?? null });
      return { previous };
    },
    onError: (_error, _layout, context) => {
      queryClient.setQueryData(queryKeys.dashboardPreferences, context?.previous);
      toast.show({ tone: 'error', message: 'Could not save your dashboard layout. Your previous layout is back.' });
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.dashboardPreferences, saved);
      toast.show({ tone: 'success', message: 'Dashboard layout saved.' });
    },
  });
  // ready: the saved layout is known (or could not be read), so what it hides is not fetched meanwhile.
  return { layout: fromSaved(query.data?.cards), ready: !query.isPending, save };
}
