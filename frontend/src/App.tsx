import '@mantine/core/styles.css';

import { MantineProvider } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';

import { useSessionEndedRedirect } from './auth/sessionEnded';
import { AppErrorBoundary } from './components/ErrorBoundary';
import { ToastProvider } from './components/ToastProvider';
import { createAppRouter } from './router';
import { colorSchemeManager, theme } from './theme';

type AppRouter = ReturnType<typeof createAppRouter>;

export function App({ router, queryClient }: { router: AppRouter; queryClient: QueryClient }) {
  useSessionEndedRedirect(router, queryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <AppErrorBoundary>
        <QueryClientProvider client={queryClient}>
          <ToastProvider>
            <RouterProvider router={router} />
          </ToastProvider>
        </QueryClientProvider>
      </AppErrorBoundary>
    </MantineProvider>
  );
}
