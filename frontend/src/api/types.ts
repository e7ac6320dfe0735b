/** Shapes of the API answers the shell and the dashboard use (see /api/v1/openapi.json for the rest). */

export interface User {
  id: string;
  username: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  role: string;
  is_active: boolean;
  tfa_enabled: boolean;
  created_at: string;
  updated_at: string;
  last_login: string | null;
}

export interface MeContext {
  user: User;
  role: string;
  permissions: string[];
  tenant: { id: string; slug: string; name: string; status: string };
  plan: string;
  modules: string[];
  host_limit: number | null;
}

export interface SessionStarted {
  message?: string;
  requiresTfa?: false;
  user: User;
  expires_in: number;
  expires_at: string;
}

export interface TfaRequired {
  message: string;
  requiresTfa: true;
  username: string;
  tfaTicket: string;
}

export type LoginResult = SessionStarted | TfaRequired;

export interface TfaSetup {
  secret: string;
  otpauth_url: string;
  qr_code: string;
}

export interface DashboardStats {
  total_hosts: number;
  hosts_needing_updates: number;
  hosts_with_security_updates: number;
  hosts_reboot_required: number;
  hosts_by_status: Record<string, number>;
  os_distribution: Record<string, number>;
  offline_hosts: number;
  /** Packages (not hosts) that some host could update; absent from servers older than this field. */
  packages_needing_updates?: number;
  packages_with_security_updates?: number;
  up_to_date_hosts: number;
}

export interface CardPreference {
  id: string;
  visible: boolean;
}

export interface DashboardPreferences {
  cards: CardPreference[];
  updated_at: string | null;
}

/** A page of a cursor-paginated list: the rows sit under a route-specific key, beside `next_cursor` (null on the last page). */
export type CursorPage<Key extends string, Row> = { [key in Key]: Row[] } & { next_cursor: string | null };
