"""The only code that builds DynamoDB key strings.

Tenant data lives under its tenant's partition (`T#<tenant>`), so no query can reach another
tenant's items. The few global items (tenant slug index, agent credentials, system records)
are named here too, so the layout can be reviewed in one place.
"""
from __future__ import annotations

Key = tuple[str, str]


def tenant_pk(tenant_id: str) -> str:
    """Partition of everything belonging to one tenant."""
    if not tenant_id:
        raise ValueError("tenant_id is required")
    return f"T#{tenant_id}"


def tenant_of(pk: str) -> str:
    """The tenant a key of a tenant's partition (`T#<tenant>` or `T#<tenant>#...`) belongs to."""
    prefix, _, rest = pk.partition("#")
    if prefix != "T" or not rest:
        raise ValueError(f"not a tenant partition: {pk!r}")
    return rest.split("#", 1)[0]


# --- tenants (operator scope) -------------------------------------------------------------------
TENANT_LIST_PK = "TENANTS"  # gsi1 partition listing every tenant, sorted by slug


def tenant_key(tenant_id: str) -> Key:
    return tenant_pk(tenant_id), "TENANT"


def tenant_slug_key(slug: str) -> Key:
    """Global uniqueness and lookup of a tenant's slug."""
    return f"TSLUG#{slug}", "TSLUG"


# --- identity -----------------------------------------------------------------------------------
def user_key(tenant_id: str, user_id: str) -> Key:
    return tenant_pk(tenant_id), f"USER#{user_id}"


USER_PREFIX = "USER#"


def username_key(tenant_id: str, username: str) -> Key:
    return tenant_pk(tenant_id), f"USERNAME#{username.lower()}"


def email_key(tenant_id: str, email: str) -> Key:
    return tenant_pk(tenant_id), f"EMAIL#{email.lower()}"


def session_key(tenant_id: str, user_id: str, session_id: str) -> Key:
    return tenant_pk(tenant_id), f"SESSION#{user_id}#{session_id}"


def session_prefix(user_id: str) -> str:
    return f"SESSION#{user_id}#"


def trusted_device_key(tenant_id: str, user_id: str, token_hash: str) -> Key:
    return tenant_pk(tenant_id), f"TDEV#{user_id}#{token_hash}"


def trusted_device_prefix(user_id: str) -> str:
    return f"TDEV#{user_id}#"


def tfa_key(tenant_id: str, user_id: str) -> Key:
    """A user's two-factor record (sealed secret, backup code hashes, last used step)."""
    return tenant_pk(tenant_id), f"TFA#{user_id}"


def tfa_ticket_key(tenant_id: str, ticket_hash: str) -> Key:
    return tenant_pk(tenant_id), f"TFATICKET#{ticket_hash}"


def dashboard_preferences_key(tenant_id: str, user_id: str) -> Key:
    """A user's dashboard card layout (order and visibility)."""
    return tenant_pk(tenant_id), f"DASHPREF#{user_id}"


def role_key(tenant_id: str, role: str) -> Key:
    return tenant_pk(tenant_id), f"ROLE#{role}"


ROLE_PREFIX = "ROLE#"


def counter_key(tenant_id: str, name: str) -> Key:
    """A windowed counter (rate limits, lockouts); `name` carries the category, subject and window."""
    return tenant_pk(tenant_id), f"COUNTER#{name}"


# Audit events have their own partition: listing them reads no users, hosts or sessions, and appending them
# does not heat the tenant's main partition.
def audit_partition(tenant_id: str) -> str:
    """Partition of a tenant's audit events, in time order."""
    return f"{tenant_pk(tenant_id)}#AUDIT"


def audit_key(tenant_id: str, at: str, event_id: str) -> Key:
    return audit_partition(tenant_id), f"AUDIT#{at}#{event_id}"


AUDIT_PREFIX = "AUDIT#"


# --- hosts and inventory ------------------------------------------------------------------------
def agent_key(api_id: str) -> Key:
    """Global: an agent's credentials and check-in state, found from its api_id alone (read by web auth only)."""
    return f"AGENT#{api_id}", "AGENT"


def host_key(tenant_id: str, host_id: str) -> Key:
    return tenant_pk(tenant_id), f"HOST#{host_id}"


HOST_PREFIX = "HOST#"


def host_group_key(tenant_id: str, group_id: str) -> Key:
    return tenant_pk(tenant_id), f"HGROUP#{group_id}"


HOST_GROUP_PREFIX = "HGROUP#"


# A host's inventory lives in its own partition (`T#<tenant>#H#<host>`): reading or replacing one
# host's packages touches only that host's items, and the tenant partition stays small.
Collection = tuple[str, str]  # (partition key, sort-key prefix) of a set of items read together


def host_partition(tenant_id: str, host_id: str) -> str:
    if not host_id:
        raise ValueError("host_id is required")
    return f"{tenant_pk(tenant_id)}#H#{host_id}"


def host_package_key(tenant_id: str, host_id: str, name: str) -> Key:
    return host_partition(tenant_id, host_id), f"PKG#{name}"


def host_packages(tenant_id: str, host_id: str) -> Collection:
    return host_partition(tenant_id, host_id), "PKG#"


def package_hosts_index(tenant_id: str, name: str) -> str:
    """gsi1 partition listing the hosts that have a package."""
    return f"{tenant_pk(tenant_id)}#PKGHOSTS#{name}"


def package_key(tenant_id: str, name: str) -> Key:
    """Fleet aggregate of one package (host counts)."""
    return f"{tenant_pk(tenant_id)}#PKGS", f"PKG#{name}"


def packages(tenant_id: str) -> Collection:
    """Every package aggregate of the tenant, by name."""
    return f"{tenant_pk(tenant_id)}#PKGS", "PKG#"


def host_repo_key(tenant_id: str, host_id: str, repo_id: str) -> Key:
    return host_partition(tenant_id, host_id), f"REPO#{repo_id}"


def host_repos(tenant_id: str, host_id: str) -> Collection:
    return host_partition(tenant_id, host_id), "REPO#"


def repo_hosts_index(tenant_id: str, repo_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#REPOHOSTS#{repo_id}"


def repo_key(tenant_id: str, repo_id: str) -> Key:
    return f"{tenant_pk(tenant_id)}#REPOS", f"REPO#{repo_id}"


def repos(tenant_id: str) -> Collection:
    """Every repository aggregate of the tenant."""
    return f"{tenant_pk(tenant_id)}#REPOS", "REPO#"


def report_key(tenant_id: str, host_id: str, at: str) -> Key:
    return host_partition(tenant_id, host_id), f"REPORT#{at}"


def host_reports(tenant_id: str, host_id: str) -> Collection:
    return host_partition(tenant_id, host_id), "REPORT#"


def fleet_stats_key(tenant_id: str) -> Key:
    return tenant_pk(tenant_id), "STATS"


# --- patching ------------------------------------------------------------------------------------
# Runs have their own partition, newest last (run ids are UUIDv7, ordered by creation time); each run's
# output chunks and live-log subscribers sit in a partition of their own.
def patch_runs(tenant_id: str) -> Collection:
    return f"{tenant_pk(tenant_id)}#PATCH", "RUN#"


def patch_run_key(tenant_id: str, run_id: str) -> Key:
    if not run_id:
        raise ValueError("run_id is required")
    return f"{tenant_pk(tenant_id)}#PATCH", f"RUN#{run_id}"


def patch_stats_key(tenant_id: str) -> Key:
    """Counts of the tenant's runs by status (moved in the same transaction as each status change)."""
    return f"{tenant_pk(tenant_id)}#PATCH", "STATS"


def host_runs_index(tenant_id: str, host_id: str) -> str:
    """gsi1 partition listing one host's runs, by run id (creation order)."""
    return f"{tenant_pk(tenant_id)}#HOSTRUNS#{host_id}"


def patch_run_partition(tenant_id: str, run_id: str) -> str:
    """A run's output chunks (`OUT#<seq>`), its final output (`FINAL#<n>`) and live-log subscribers (`SUB#<conn>`)."""
    if not run_id:
        raise ValueError("run_id is required")
    return f"{tenant_pk(tenant_id)}#RUN#{run_id}"


def patch_rollout_key(tenant_id: str, rollout_id: str) -> Key:
    """A rollout's settings and counters, beside the runs."""
    return f"{tenant_pk(tenant_id)}#PATCH", f"ROLLOUT#{rollout_id}"


def patch_rollouts(tenant_id: str) -> Collection:
    return f"{tenant_pk(tenant_id)}#PATCH", "ROLLOUT#"


def patch_rollout_partition(tenant_id: str, rollout_id: str) -> str:
    """A rollout's members (`M#<ring>#<run>`), each waiting, started or done."""
    if not rollout_id:
        raise ValueError("rollout_id is required")
    return f"{tenant_pk(tenant_id)}#ROLLOUT#{rollout_id}"


def patch_watch_partition(shard: int) -> str:
    """gsi2 partition of running runs, by the time they stall if no output arrives (the stall sweep reads it)."""
    return f"PATCHWATCH#{shard}"


def patch_policies(tenant_id: str) -> Collection:
    return f"{tenant_pk(tenant_id)}#PPOLICIES", "POLICY#"


def patch_policy_key(tenant_id: str, policy_id: str) -> Key:
    return f"{tenant_pk(tenant_id)}#PPOLICIES", f"POLICY#{policy_id}"


def patch_policy_partition(tenant_id: str, policy_id: str) -> str:
    """A policy's assignments (`ASSIGN#<type>#<target>`) and exclusions (`EXCL#<host>`)."""
    if not policy_id:
        raise ValueError("policy_id is required")
    return f"{tenant_pk(tenant_id)}#PPOL#{policy_id}"


def patch_holds(tenant_id: str) -> Collection:
    """Package holds (name patterns) of hosts and host groups: few per tenant, read together."""
    return f"{tenant_pk(tenant_id)}#HOLDS", "HOLD#"


def patch_hold_key(tenant_id: str, hold_id: str) -> Key:
    return f"{tenant_pk(tenant_id)}#HOLDS", f"HOLD#{hold_id}"


def patch_target_key(tenant_id: str, target_type: str, target_id: str) -> Key:
    """Which policy a host or host group is assigned to (one per target): read to resolve a host's policy."""
    return f"{tenant_pk(tenant_id)}#PPOLICIES", f"TARGET#{target_type}#{target_id}"


# --- domain events -------------------------------------------------------------------------------
def event_key(tenant_id: str, at: str, event_id: str) -> Key:
    """A domain event (host_down, host_recovered, ...), in time order in its tenant's event partition."""
    return f"{tenant_pk(tenant_id)}#EVENTS", f"EVENT#{at}#{event_id}"


def events(tenant_id: str) -> Collection:
    return f"{tenant_pk(tenant_id)}#EVENTS", "EVENT#"


def watch_partition(shard: int) -> str:
    """gsi2 partition of agent records whose host may be going offline (sharded so no partition is hot)."""
    return f"WATCH#{shard}"


# --- system -------------------------------------------------------------------------------------
def system_key(name: str) -> Key:
    """Key of a process-wide system record such as the scheduler heartbeat."""
    return f"SYS#{name}", "SYS"


def connection_key(connection_id: str) -> Key:
    """Key of a WebSocket connection record."""
    return f"CONN#{connection_id}", "CONN"


def ws_ticket_key(ticket: str) -> Key:
    """Key of a one-time WebSocket ticket (its hash, never the ticket itself)."""
    return f"WSTICKET#{ticket}", "WSTICKET"


def bootstrap_token_key(token_hash: str) -> Key:
    """Key of a one-time agent bootstrap token (its SHA-256, never the token itself); the item names its tenant."""
    return f"BOOTSTRAP#{token_hash}", "BOOTSTRAP"
