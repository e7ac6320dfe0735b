/** The guards in front of signed-in pages. */
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';

import { api } from '../api/client';
import { ApiError } from '../api/errors';
import { Page } from '../components/Page';
import { EmptyState, ErrorState, LoadingState } from '../components/states';
import { MODULE_TIER } from './modules';
import { loginPath } from './paths';
import { useCan, useSession } from './useSession';

/** Renders the signed-in part of the app, or sends the visitor to the login page (remembering where they were). */
export function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  const session = useSession();
  if (!api.hasSession()) {
    // After a 401 the client's session-ended listener navigates too; both carry the same target and notice.
    const state = session.error ? { sessionEnded: true } : undefined;
    return <Navigate to={loginPath(location.pathname + location.search + location.hash)} replace state={state} />;
  }
  if (session.data) return <>{children}</>;
  if (session.error && !(session.error instanceof ApiError && session.error.status === 401)) {
    return <ErrorState error={session.error} title="Could not load your account" onRetry={() => void session.refetch()} />;
  }
  // A 401 has already ended the session and the client is on its way to the login page.
  return <LoadingState label="Loading your workspace…" fullPage />;
}

/**
 * Shows `children` only to holders of `permission` (they are not even mounted otherwise, so their queries never run);
 * others get an explanation instead of a failing page, under the page's own title when `page` names it.
 */
export function RequirePermission({ permission, page, children }: { permission: string; page?: string; children: ReactNode }) {
  const allowed = useCan(permission);
  if (allowed) return <>{children}</>;
  const refusal = <EmptyState title="You do not have access to this page" description="Ask an administrator of your organisation for access." />;
  return page ? <Page title={page}>{refusal}</Page> : refusal;
}

/** The "Upgrade required" placeholder the docs describe for a feature outside the organisation's plan. */
export function UpgradeRequired({ module, feature }: { module: string; feature: string }) {
  const tier = MODULE_TIER[module];
  return (
    <EmptyState
      title="Upgrade required"
      description={`${feature} is not included in your organisation's plan${tier ? `: it needs the ${tier} plan` : ''} (module "${module}"). Ask the owner of your organisation to upgrade.`}
    />
  );
}

/** Shows `children` only when the organisation's plan includes `module`; otherwise the "Upgrade required" placeholder. */
export function RequireModule({ module, feature, children }: { module: string; feature: string; children: ReactNode }) {
  const session = useSession();
  if (!session.data) return <LoadingState label="Loading…" />;
  if (session.data.modules.includes(module)) return <>{children}</>;
  return <UpgradeRequired module={module} feature={feature} />;
}
