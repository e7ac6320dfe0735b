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

function started<T extends { requiresTfa?: boolean }>(result: T): T {
  if (!result.requiresTfa) api.signedIn(result as unknown as SessionStarted);
  return result;
}

export const authApi = {
  setupStatus: () => api.get<{ needs_setup: boolean }>('/auth/setup-status', { session: false }),
  signupEnabled: () => api.get<{ signupEnabled: boolean }>('/auth/signup-enabled', { session: false }),
  login: async (credentials: Credentials) => started(await api.post<LoginResult>('/auth/login', credentials, { session: false })),
  verifyTfa: async (input: { tfa_ticket: string; token: string; remember_me: boolean }) =>
    started(await api.post<SessionStarted>('/auth/verify-tfa', input, { session: false })),
  setupAdmin: async (account: NewAccount) => started(await api.post<SessionStarted>('/auth/setup-admin', account, { session: false })),
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
