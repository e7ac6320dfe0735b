/** Users as GET /auth/admin/users lists them, for the tests. */
import type { ManagedUser } from '../../../api/users';

/** An active user with role "user", no name and no sign-in yet, unless `extra` says otherwise; the id is the username. */
export function managedUser(username: string, extra: Partial<ManagedUser> = {}): ManagedUser {
  return {
    id: username, username, email: `${username}@example.com`, first_name: null, last_name: null, role: 'user', is_active: true, tfa_enabled: false,
    created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', last_login: null, ...extra,
  };
}
