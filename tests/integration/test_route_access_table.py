"""The table of every route and who may call it. Adding or changing a route's access changes this table."""
from __future__ import annotations

from app import app

# (method, path): (access or permission, module)
EXPECTED = {
    ("GET", "/api/v1/audit-log"): ("can_manage_settings", None),
    ("GET", "/api/v1/agent/download"): ("can_manage_settings", None),
    ("GET", "/api/v1/agent/version"): ("authenticated", None),
    ("GET", "/api/v1/auth/admin/users"): ("can_view_users", None),
    ("POST", "/api/v1/auth/admin/users"): ("can_manage_users", None),
    ("DELETE", "/api/v1/auth/admin/users/{user_id}"): ("can_manage_users", None),
    ("GET", "/api/v1/auth/admin/users/{user_id}"): ("can_view_users", None),
    ("PUT", "/api/v1/auth/admin/users/{user_id}"): ("can_manage_users", None),
    ("POST", "/api/v1/auth/admin/users/{user_id}/reset-password"): ("can_manage_users", None),
    ("PUT", "/api/v1/auth/change-password"): ("authenticated", None),
    ("POST", "/api/v1/auth/heartbeat"): ("authenticated", None),
    ("POST", "/api/v1/auth/login"): ("public", None),
    ("POST", "/api/v1/auth/logout"): ("authenticated", None),
    ("GET", "/api/v1/auth/profile"): ("authenticated", None),
    ("PUT", "/api/v1/auth/profile"): ("authenticated", None),
    ("POST", "/api/v1/auth/refresh"): ("public", None),
    ("DELETE", "/api/v1/auth/sessions"): ("authenticated", None),
    ("GET", "/api/v1/auth/sessions"): ("authenticated", None),
    ("DELETE", "/api/v1/auth/sessions/{session_id}"): ("authenticated", None),
    ("POST", "/api/v1/auth/setup-admin"): ("public", None),
    ("GET", "/api/v1/auth/setup-status"): ("public", None),
    ("POST", "/api/v1/auth/signup"): ("public", None),
    ("GET", "/api/v1/auth/signup-enabled"): ("public", None),
    ("DELETE", "/api/v1/auth/trusted-devices"): ("authenticated", None),
    ("GET", "/api/v1/auth/trusted-devices"): ("authenticated", None),
    ("DELETE", "/api/v1/auth/trusted-devices/{device_id}"): ("authenticated", None),
    ("GET", "/api/v1/auth/users/for-assignment"): ("can_view_users", None),
    ("POST", "/api/v1/auth/verify-tfa"): ("public", None),
    ("GET", "/api/v1/dashboard/stats"): ("can_view_dashboard", None),
    ("GET", "/api/v1/dashboard/preferences"): ("authenticated", None),
    ("PUT", "/api/v1/dashboard/preferences"): ("authenticated", None),
    ("GET", "/api/v1/docs"): ("public", None),
    ("GET", "/api/v1/health"): ("public", None),
    ("GET", "/api/v1/host-groups"): ("can_view_hosts", None),
    ("POST", "/api/v1/host-groups"): ("can_manage_hosts", None),
    ("DELETE", "/api/v1/host-groups/{group_id}"): ("can_manage_hosts", None),
    ("GET", "/api/v1/host-groups/{group_id}"): ("can_view_hosts", None),
    ("PUT", "/api/v1/host-groups/{group_id}"): ("can_manage_hosts", None),
    ("GET", "/api/v1/hosts"): ("can_view_hosts", None),
    ("PUT", "/api/v1/hosts/bulk/groups"): ("can_manage_hosts", None),
    ("POST", "/api/v1/hosts/create"): ("can_manage_hosts", None),
    ("GET", "/api/v1/hosts/agent/download"): ("agent", None),
    ("GET", "/api/v1/hosts/agent/version"): ("agent", None),
    ("POST", "/api/v1/hosts/bootstrap/exchange"): ("public", None),
    ("GET", "/api/v1/hosts/install"): ("agent", None),
    ("GET", "/api/v1/hosts/remove"): ("public", None),
    ("GET", "/api/v1/hosts/integrations"): ("agent", None),
    ("POST", "/api/v1/hosts/ping"): ("agent", None),
    ("POST", "/api/v1/hosts/update"): ("agent", None),
    ("POST", "/api/v1/hosts/integration-status"): ("agent", None),
    ("DELETE", "/api/v1/hosts/{host_id}"): ("can_manage_hosts", None),
    ("GET", "/api/v1/hosts/{host_id}"): ("can_view_hosts", None),
    ("PATCH", "/api/v1/hosts/{host_id}/auto-update"): ("can_manage_hosts", None),
    ("PATCH", "/api/v1/hosts/{host_id}/friendly-name"): ("can_manage_hosts", None),
    ("PUT", "/api/v1/hosts/{host_id}/groups"): ("can_manage_hosts", None),
    ("DELETE", "/api/v1/hosts/bulk"): ("can_manage_hosts", None),
    ("GET", "/api/v1/host-groups/{group_id}/hosts"): ("can_view_hosts", None),
    ("POST", "/api/v1/hosts/{host_id}/fetch-report"): ("can_manage_hosts", None),
    ("POST", "/api/v1/hosts/{host_id}/force-agent-update"): ("can_manage_hosts", None),
    ("GET", "/api/v1/hosts/{host_id}/packages"): ("can_view_hosts", None),
    ("POST", "/api/v1/hosts/{host_id}/regenerate-credentials"): ("can_manage_hosts", None),
    ("GET", "/api/v1/hosts/{host_id}/reports"): ("can_view_hosts", None),
    ("GET", "/api/v1/hosts/{host_id}/repositories"): ("can_view_hosts", None),
    ("GET", "/api/v1/me/context"): ("authenticated", None),
    ("GET", "/api/v1/openapi.json"): ("public", None),
    ("GET", "/api/v1/operator/tenants"): ("operator", None),
    ("POST", "/api/v1/operator/tenants"): ("operator", None),
    ("GET", "/api/v1/operator/tenants/{tenant_id}"): ("operator", None),
    ("PATCH", "/api/v1/operator/tenants/{tenant_id}"): ("operator", None),
    ("GET", "/api/v1/packages"): ("can_view_packages", None),
    ("GET", "/api/v1/packages/{name}"): ("can_view_packages", None),
    ("GET", "/api/v1/packages/{name}/hosts"): ("can_view_packages", None),
    ("GET", "/api/v1/permissions/catalogue"): ("authenticated", None),
    ("GET", "/api/v1/permissions/roles"): ("can_manage_users", None),
    ("DELETE", "/api/v1/permissions/roles/{role}"): ("can_manage_settings", 'rbac_custom'),
    ("GET", "/api/v1/permissions/roles/{role}"): ("can_manage_settings", 'rbac_custom'),
    ("PUT", "/api/v1/permissions/roles/{role}"): ("can_manage_settings", 'rbac_custom'),
    ("GET", "/api/v1/permissions/user-permissions"): ("authenticated", None),
    ("GET", "/api/v1/repositories"): ("can_view_hosts", None),
    ("GET", "/api/v1/repositories/{repository_id}"): ("can_view_hosts", None),
    ("GET", "/api/v1/repositories/{repository_id}/hosts"): ("can_view_hosts", None),
    ("GET", "/api/v1/settings"): ("can_manage_settings", None),
    ("PATCH", "/api/v1/settings"): ("can_manage_settings", None),
    ("PUT", "/api/v1/settings"): ("can_manage_settings", None),
    ("GET", "/api/v1/settings/server-url"): ("public", None),
    ("GET", "/api/v1/settings/security"): ("can_manage_settings", None),
    ("PUT", "/api/v1/settings/security"): ("can_manage_settings", None),
    ("GET", "/api/v1/settings/update-interval"): ("agent", None),
    ("POST", "/api/v1/signup/organisation"): ("public", None),
    ("POST", "/api/v1/tfa/disable"): ("authenticated", None),
    ("POST", "/api/v1/tfa/regenerate-backup-codes"): ("authenticated", None),
    ("GET", "/api/v1/tfa/setup"): ("authenticated", None),
    ("GET", "/api/v1/tfa/status"): ("authenticated", None),
    ("POST", "/api/v1/tfa/verify-setup"): ("authenticated", None),
    ("POST", "/api/v1/ws/echo"): ("authenticated", None),
    ("GET", "/api/v1/ws/status"): ("can_view_hosts", None),
    ("GET", "/api/v1/ws/status/summary"): ("can_view_hosts", None),
    ("GET", "/api/v1/ws/status/{api_id}"): ("can_view_hosts", None),
    ("POST", "/api/v1/ws/tickets"): ("authenticated", None),
}


def _actual() -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(method, path): (entry.view_function.openapi.permission or entry.view_function.openapi.access, entry.view_function.openapi.module)
            for path, methods in app.routes.items() for method, entry in methods.items()}


def test_every_route_has_the_access_in_the_table_when_registered():
    assert _actual() == EXPECTED


def test_only_login_setup_and_system_routes_are_public_when_registered():
    public = sorted(path for (_, path), (access, _) in EXPECTED.items() if access == "public")
    # /settings/server-url is public in the reference too: the install command and the Add Host wizard read it.
    # The removal script and the bootstrap exchange are public in the reference too: the exchange's body is its credential.
    assert all(p.startswith(("/api/v1/auth/", "/api/v1/signup/", "/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"))
               or p in ("/api/v1/settings/server-url", "/api/v1/hosts/remove", "/api/v1/hosts/bootstrap/exchange") for p in public)
