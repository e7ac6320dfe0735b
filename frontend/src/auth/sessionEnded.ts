import type { QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { createBrowserRouter } from 'react-router';

import { api } from '../api/client';
import { isPublicPath, loginPath } from './paths';

type Router = ReturnType<typeof createBrowserRouter>;

/** When the API says the session is over: drop every cached answer and go to the login page, remembering the place. */
export function useSessionEndedRedirect(router: Router, queryClient: QueryClient): void {
  useEffect(() => api.onSessionEnded(() => {
    queryClient.clear();
    const { pathname, search, hash } = router.state.location;
    if (isPublicPath(pathname)) return;
    void router.navigate(loginPath(pathname + search + hash), { replace: true, state: { sessionEnded: true } });
  }), [router, queryClient]);
}
