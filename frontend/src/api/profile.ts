/**
 * The signed-in user's own account (chalicelib/user, chalicelib/tfa, chalicelib/auth): details, password,
 * two-factor authentication, trusted devices and sessions. Every signed-in user may call these.
 */
import { api } from './client';
import type { TfaSetup, User } from './types';

interface ProfileUpdateBody {
  first_name: string;
  last_name: string;
  email: string;
}

interface TfaStatus {
  enabled: boolean;
  backup_codes_remaining: number;
}

export interface TrustedDevice {
  id: string;
  label: string;
  user_agent: string;
  ip_address: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  is_current: boolean;
}

export interface UserSession {
  id: string;
  created_at: string;
  last_activity: string;
  ip_address: string;
  user_agent: string;
  remember_me: boolean;
  is_current: boolean;
}

export const profileKeys = {
  all: ['profile'] as const,
  tfaStatus: ['profile', 'tfa-status'] as const,
  trustedDevices: ['profile', 'trusted-devices'] as const,
  sessions: ['profile', 'sessions'] as const,
};

export const profileApi = {
  update: (body: ProfileUpdateBody) => api.put<{ message: string; user: User }>('/auth/profile', body),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.put<{ message: string }>('/auth/change-password', { currentPassword, newPassword }),

  tfaStatus: (signal?: AbortSignal) => api.get<TfaStatus>('/tfa/status', { signal }),
  /** Starts enrolment: each call makes a new pending secret, so call it once per attempt (not as a query). */
  tfaSetup: () => api.get<TfaSetup>('/tfa/setup'),
  tfaVerifySetup: (token: string) => api.post<{ backup_codes: string[] }>('/tfa/verify-setup', { token }),
  tfaDisable: (password: string) => api.post<{ message: string }>('/tfa/disable', { password }),
  regenerateBackupCodes: (password: string) =>
    api.post<{ backup_codes: string[] }>('/tfa/regenerate-backup-codes', { password }),

  trustedDevices: async (signal?: AbortSignal) => (await api.get<{ devices: TrustedDevice[] }>('/auth/trusted-devices', { signal })).devices,
  revokeTrustedDevice: (id: string) => api.delete<{ message: string }>(`/auth/trusted-devices/${encodeURIComponent(id)}`),
  revokeAllTrustedDevices: () => api.delete<{ message: string }>('/auth/trusted-devices'),

  sessions: async (signal?: AbortSignal) => (await api.get<{ sessions: UserSession[] }>('/auth/sessions', { signal })).sessions,
  revokeSession: (id: string) => api.delete<{ message: string }>(`/auth/sessions/${encodeURIComponent(id)}`),
  revokeOtherSessions: () => api.delete<{ message: string; revoked: number }>('/auth/sessions'),
};
