"""Plans and the capability modules each one includes (DESIGN.md §4).

PatchMon names the modules and marks some Plus or Max; the base modules (patching, Docker,
compliance) carry no tier there, so every plan includes them. A tenant may instead have a custom
module list set by the operator.
"""
from __future__ import annotations

BASE_MODULES = frozenset({"patching", "docker", "compliance"})
PLUS_MODULES = BASE_MODULES | {"patching_policies", "rbac_custom", "custom_branding", "alerts_advanced"}
MAX_MODULES = PLUS_MODULES | {"ai", "remote_access", "ssh_terminal", "rdp"}
ALL_MODULES = MAX_MODULES

PLANS: dict[str, frozenset[str]] = {"free": BASE_MODULES, "plus": frozenset(PLUS_MODULES), "max": frozenset(MAX_MODULES)}
DEFAULT_HOST_LIMITS = {"free": 25, "plus": 500, "max": 10_000}
CUSTOM_PLAN = "custom"


def modules_for(plan: str, custom_modules: list[str] | None = None) -> frozenset[str]:
    """Return the modules a tenant on `plan` has (its own list on the custom plan)."""
    if plan == CUSTOM_PLAN:
        return frozenset(custom_modules or ())
    return PLANS[plan]
