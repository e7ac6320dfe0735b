import { Button } from '@mantine/core';
import { useState } from 'react';

/**
 * "Refresh": refetches the page's data and shows it busy only for this request, not for background polls
 * (`query.isFetching` would spin on every poll): `<RefreshButton onRefresh={() => query.refetch()} />`.
 */
export function RefreshButton({ onRefresh }: { onRefresh: () => Promise<unknown> }) {
  const [refreshing, setRefreshing] = useState(false);
  return (
    <Button variant="default" loading={refreshing} onClick={() => {
      setRefreshing(true);
      void onRefresh().finally(() => setRefreshing(false));
    }}
    >
      Refresh
    </Button>
  );
}
