/** Sign-in (with its two-factor step), first-time setup, sign-up, logout and the session's context (chalicelib/auth). */
import { api } from './client';
import type { LoginResult, MeContext, SessionStarted } from './types';

interface Credentials {
  username: string;
  password: string;
  remember_me: boolean;
}

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

export interface SetupStatus {
  needs_setup: boolean;
  /** The organisation's first admin can only be created through the setup link its provider sent (absent: false). */
  setup_link_required?: boolean;
}

function started<T extends { requiresTfa?: boolean }>(result: T): T {
  if (!result.requiresTfa) api.signedIn(result as unknown as SessionStarted);
  return result;
}

export const authApi = {
  setupStatus: () => api.get<SetupStatus>('/auth/setup-status', { session: false }),
  signupEnabled: () => api.get<{ signupEnabled: boolean }>('/auth/signup-enabled', { session: false }),
  login: async (credentials: Credentials) => started(await api.post<LoginResult>('/auth/login', credentials, { session: false })),
  verifyTfa: async (input: { tfa_ticket: string; token: string; remember_me: boolean }) =>
    started(await api.post<SessionStarted>('/auth/verify-tfa', input, { session: false })),
  /** `setupToken`: the token of the setup link (`/setup?token=…`), sent only when there is one. */
  setupAdmin: async (account: NewAccount, setupToken?: string) =>
    started(await api.post<SessionStarted>('/auth/setup-admin', setupToken ? { ...account, setupToken } : account, { session: false })),
  signup: async (account: NewAccount) => started(await api.post<SessionStarted>('/auth/signup', account, { session: false })),
  logout: async (): Promise<void> => {
    api.signingOut();
    try {
      await api.post('/auth/logout', {}, { session: false });
    } finally {
      api.signedOut();
    }
  },
  me: () => api.get<MeContext>('/me/context'),
};
