"""Who is acting, for which tenant. Built only by `web/auth.py` and by worker envelopes."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TenantContext:
    """The tenant a request acts in, and the principal acting (a user, an agent or the system)."""

    tenant_id: str
    principal: str  # "user:<id>", "agent:<api_id>", "system:<function>", "anonymous"
    user_id: str | None = None
    role: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    modules: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    source_ip: str = ""
    user_agent: str = ""

    @classmethod
    def system(cls, tenant_id: str, worker: str) -> TenantContext:
        """Context of a background worker acting for a tenant."""
        return cls(tenant_id=tenant_id, principal=f"system:{worker}")

    def has(self, permission: str) -> bool:
        return permission in self.permissions
