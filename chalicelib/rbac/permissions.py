"""The permission catalogue, built-in roles and rank rules of PatchMon (features-alerts-access-remote.md D24)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    key: str
    label: str
    description: str
    tier: str


TIERS = {
    "monitoring": ("Monitoring & Visibility", "Low risk", "Read-only access to dashboards, hosts, packages, reports, and logs."),
    "infrastructure": ("Host & Infrastructure", "Medium risk", "Create, modify and delete hosts, packages, and containers."),
    "operations": ("Operations", "Medium-High risk", "Day-to-day NOC tasks."),
    "administration": ("Administration", "High risk", "Organisation-wide control."),
}

PERMISSIONS: tuple[Permission, ...] = (
    Permission("can_view_dashboard", "View Dashboard", "View the main dashboard and its stat panels", "monitoring"),
    Permission("can_view_hosts", "View Hosts", "See the host list, host detail pages, and connection status", "monitoring"),
    Permission("can_view_packages", "View Packages", "See the package inventory across all hosts", "monitoring"),
    Permission("can_view_reports", "View Reports", "See compliance scan results and alert reports", "monitoring"),
    Permission("can_view_notification_logs", "View Notification Logs", "See notification delivery history and status", "monitoring"),
    Permission("can_manage_hosts", "Manage Hosts", "Create / edit / delete hosts, host groups, repositories and integrations", "infrastructure"),
    Permission("can_manage_packages", "Manage Packages", "Edit package inventory and metadata", "infrastructure"),
    Permission("can_manage_docker", "Manage Docker", "Delete Docker containers, images, volumes and networks", "infrastructure"),
    Permission("can_manage_patching", "Manage Patching", "Trigger patches, approve patch runs, manage policies", "operations"),
    Permission("can_manage_compliance", "Manage Compliance", "Trigger compliance scans, remediate findings, install scanners", "operations"),
    Permission("can_manage_alerts", "Manage Alerts", "Assign, delete and bulk-action alerts", "operations"),
    Permission("can_manage_automation", "Manage Automation", "Trigger and manage automation jobs", "operations"),
    Permission("can_use_remote_access", "Remote Access", "Open SSH and RDP terminals against managed hosts", "operations"),
    Permission("can_view_users", "View Users", "See the user list and account details", "administration"),
    Permission("can_manage_users", "Manage Users", "Create, edit and delete user accounts", "administration"),
    Permission("can_manage_superusers", "Manage Superusers", "Manage superadmin accounts and elevated privileges", "administration"),
    Permission("can_manage_settings", "Manage Settings", "System configuration, OIDC / SSO, AI, alert config, enrollment tokens", "administration"),
    Permission("can_manage_notifications", "Manage Notifications", "Configure notification destinations and routing rules", "administration"),
    Permission("can_export_data", "Export Data", "Download and export data and reports", "administration"),
    Permission("can_manage_billing", "Manage Billing", "View the plan and manage the subscription", "administration"),
)
ALL = frozenset(p.key for p in PERMISSIONS)
BY_TIER = {tier: frozenset(p.key for p in PERMISSIONS if p.tier == tier) for tier in TIERS}

SUPERADMIN, ADMIN, HOST_MANAGER, USER, READONLY = "superadmin", "admin", "host_manager", "user", "readonly"
BUILTIN_ROLES: dict[str, frozenset[str]] = {
    SUPERADMIN: ALL,
    ADMIN: ALL,
    HOST_MANAGER: BY_TIER["monitoring"] | BY_TIER["infrastructure"] | BY_TIER["operations"],
    USER: BY_TIER["monitoring"] | {"can_export_data"},
    READONLY: BY_TIER["monitoring"],
}
LOCKED_ROLES = frozenset({SUPERADMIN, ADMIN, USER})  # permissions hard-coded, not editable
EDITABLE_BUILTINS = frozenset({HOST_MANAGER, READONLY})
ROLE_LABELS = {SUPERADMIN: "Super Admin", ADMIN: "Admin", HOST_MANAGER: "Host Manager", USER: "User", READONLY: "Readonly"}

# Rank for managing users (D24.19); every custom role ranks 30.
RANKS = {SUPERADMIN: 100, ADMIN: 90, HOST_MANAGER: 50, USER: 20, READONLY: 10}
CUSTOM_ROLE_RANK = 30
PRIVILEGED_ROLES = frozenset({SUPERADMIN, ADMIN})

PRESETS = {
    "readonly": BY_TIER["monitoring"],
    "operator": ALL - BY_TIER["administration"],
    "admin": ALL,
    "clear": frozenset(),
}


def rank(role: str) -> int:
    """Return a role's rank for user management."""
    return RANKS.get(role, CUSTOM_ROLE_RANK)


def is_builtin(role: str) -> bool:
    return role in BUILTIN_ROLES


def may_assign(*, actor_role: str, actor_permissions: frozenset[str], target_role: str) -> bool:
    """Tell whether the actor may give `target_role` to a user (escalation guard, D24.13/D24.15).

    Only a superadmin assigns admin or superadmin, except that holders of `can_manage_superusers`
    (admins short-circuit to it, custom roles may be granted it) may manage superadmin accounts.
    Otherwise nobody assigns a role that outranks their own.
    """
    if actor_role == SUPERADMIN:
        return True
    if target_role in PRIVILEGED_ROLES:
        return actor_role != ADMIN and "can_manage_superusers" in actor_permissions
    return rank(target_role) <= rank(actor_role)


def may_manage(*, actor_role: str, actor_permissions: frozenset[str], target_role: str) -> bool:
    """Tell whether the actor may edit, reset, deactivate or delete a user holding `target_role` (D24.19)."""
    if actor_role == SUPERADMIN:
        return True
    if target_role == SUPERADMIN:
        return "can_manage_superusers" in actor_permissions and actor_role != ADMIN
    if target_role == ADMIN and actor_role != ADMIN:
        return "can_manage_superusers" in actor_permissions
    return rank(target_role) <= rank(actor_role)
