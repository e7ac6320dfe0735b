/**
 * The routes. Every page is its own chunk (loaded on first visit). Top-level pages match their path and
 * everything under it (`hosts/*`), so a page can declare its own sub-routes with <Routes> inside its component.
 */
import type { ComponentType } from 'react';
import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';

import { RequireSession } from './auth/guards';
import { AppLayout } from './components/AppLayout';
import { RouteError } from './components/ErrorBoundary';
import { LoadingState } from './components/states';

type PageModule = Promise<{ default: ComponentType }>;

function page(load: () => PageModule): RouteObject['lazy'] {
  return async () => ({ Component: (await load()).default });
}

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Outlet />,
    errorElement: <RouteError />,
    HydrateFallback: () => <LoadingState fullPage />,
    children: [
      { path: 'login', lazy: page(() => import('./pages/auth/LoginPage')) },
      { path: 'setup', lazy: page(() => import('./pages/auth/SetupPage')) },
      { path: 'signup', lazy: page(() => import('./pages/auth/SignupPage')) },
      {
        element: (
          <RequireSession>
            <AppLayout />
          </RequireSession>
        ),
        children: [
          {
            // Errors inside a page render inside the shell, so the navigation stays usable.
            errorElement: <RouteError />,
            children: [
              { index: true, lazy: page(() => import('./pages/dashboard')) },
              { path: 'hosts/*', lazy: page(() => import('./pages/hosts')) },
              { path: 'packages/*', lazy: page(() => import('./pages/packages')) },
              { path: 'repositories/*', lazy: page(() => import('./pages/repositories')) },
              { path: 'patching/*', lazy: page(() => import('./pages/patching')) },
              { path: 'settings/*', lazy: page(() => import('./pages/settings')) },
              { path: '*', lazy: page(() => import('./pages/NotFoundPage')) },
            ],
          },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
