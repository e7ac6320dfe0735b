"""The audit log: every security-relevant action per tenant, with actor, target, source IP and time."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from chalicelib.core import clock, ids, keys, pagination
from chalicelib.core.db import all_of, main_table, query_filled_page
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext

RETENTION = timedelta(days=365)


def record(ctx: TenantContext | None, *, tenant_id: str, action: str, target_type: str | None = None,
           target_id: str | None = None, outcome: str = "success", details: dict[str, Any] | None = None,
           actor: str | None = None, actor_user_id: str | None = None, source_ip: str | None = None,
           user_agent: str | None = None) -> None:
    """Append an audit event (kept RETENTION by TTL). Without a signed-in `ctx`, `actor_user_id` names the user the
    event is about and, unless `actor` says otherwise, the actor (`user:<id>`)."""
    now = clock.now()
    at = clock.iso(now)
    event_id = ids.new_id()
    pk, sk = keys.audit_key(tenant_id, at, event_id)
    actor_user_id = actor_user_id or (ctx.user_id if ctx else None)
    if actor is None:
        actor = f"user:{actor_user_id}" if ctx is None and actor_user_id else ctx.principal if ctx else "anonymous"
    item = {
        "pk": pk, "sk": sk, "event_id": event_id, "at": at, "action": action, "outcome": outcome,
        "actor": actor, "actor_user_id": actor_user_id,
        "target_type": target_type, "target_id": target_id, "details": details or {},
        "source_ip": source_ip if source_ip is not None else (ctx.source_ip if ctx else ""),
        "user_agent": (user_agent if user_agent is not None else (ctx.user_agent if ctx else ""))[:256],
        "expires_at": clock.epoch_seconds(now + RETENTION),
    }
    main_table().put_item(Item={k: v for k, v in item.items() if v is not None})
    logger.info("audit event", extra={"tenant_id": tenant_id, "action": action, "outcome": outcome})


def list_(ctx: TenantContext, *, limit: int, cursor: str | None, action: str | None = None, actor_user_id: str | None = None,
          outcome: str | None = None, since: str | None = None, until: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Return audit events newest first, filtered; a page is filled up to `limit` within a bound (core.db.query_filled_page)."""
    pk = keys.audit_partition(ctx.tenant_id)
    low, high = keys.AUDIT_PREFIX + (since or ""), keys.AUDIT_PREFIX + (until or "~")
    # Expired events are filtered here too (TTL deletes lazily), so they never take a page's place.
    filters = [Attr("expires_at").gt(clock.epoch_seconds(clock.now()))]
    filters += [Attr(name).eq(value) for name, value in (("action", action), ("actor_user_id", actor_user_id), ("outcome", outcome))
                if value]
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(pk) & Key("sk").between(low, high),
                              "ScanIndexForward": False, "FilterExpression": all_of(filters)}
    start = pagination.decode(cursor, partition=pk)
    if start:
        kwargs["ExclusiveStartKey"] = start
    items, last_key = query_filled_page(limit=limit, key_attributes=("pk", "sk"), **kwargs)
    events = [{k: v for k, v in i.items() if k not in ("pk", "sk", "expires_at")} for i in items]
    return events, pagination.encode(last_key)
