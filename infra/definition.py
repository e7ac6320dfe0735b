"""The single definition of every AWS resource the product uses.

`infra/template.py` renders it to CloudFormation for AWS; `infra/local/` creates the same resources in
the embedded moto and wires the same functions to them. Code never hard-codes a resource name: it
reads the environment declared here (`ENVIRONMENT`), which both renderers resolve.
"""
from __future__ import annotations

from dataclasses import dataclass, field

APP_NAME = "patchmon"
STAGES = ("dev", "prod")
LAMBDA_RUNTIME = "python3.11"
WEBSOCKET_STAGE = "api"
# The agent derives its WebSocket URL from the server URL (reference-agent.md); browsers use their own
# path. Both reach the one WebSocket API (CloudFront rewrites the path in AWS, issue #9).
WEBSOCKET_PATHS = ("/api/v1/agents/ws", "/api/v1/ws")


# --- symbolic values, resolved to CloudFormation intrinsics or to local names -------------------
@dataclass(frozen=True)
class TableName:
    table: str


@dataclass(frozen=True)
class QueueUrl:
    queue: str


@dataclass(frozen=True)
class QueueArn:
    queue: str


@dataclass(frozen=True)
class SchedulerGroupName:
    pass


@dataclass(frozen=True)
class SchedulerRoleArn:
    pass


@dataclass(frozen=True)
class WebSocketManagementEndpoint:
    pass


@dataclass(frozen=True)
class StageName:
    pass


@dataclass(frozen=True)
class SecretArn:
    secret: str


@dataclass(frozen=True)
class Param:
    """A deployment parameter of the template (`name`), with the value the local stack uses."""

    name: str
    local: str
    default: str = ""
    no_echo: bool = False


@dataclass(frozen=True)
class DataKeyArn:
    """The KMS key that wraps the data keys of envelope-encrypted fields (TOTP secrets, integration secrets)."""


EnvValue = (str | TableName | QueueUrl | QueueArn | SchedulerGroupName | SchedulerRoleArn | WebSocketManagementEndpoint
            | StageName | SecretArn | DataKeyArn | Param)


# --- resources ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None
    projection: str = "ALL"  # or KEYS_ONLY: an index whose items never change after they are written costs no extra write


@dataclass(frozen=True)
class Table:
    name: str
    hash_key: str
    range_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None

    def key_attributes(self) -> list[str]:
        """Every attribute named in the table's or its indexes' key schema, in a stable order."""
        names = [self.hash_key, self.range_key] + [n for i in self.indexes for n in (i.hash_key, i.range_key)]
        return list(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class Queue:
    name: str
    visibility_timeout: int
    max_receive_count: int = 5
    retention_seconds: int = 4 * 24 * 3600
    dlq_retention_seconds: int = 14 * 24 * 3600
    max_message_bytes: int = 1024 * 1024

    @property
    def dlq_name(self) -> str:
        return f"{self.name}-dlq"


@dataclass(frozen=True)
class QueueTrigger:
    queue: str
    batch_size: int = 10
    max_batching_window_seconds: int = 0
    report_batch_item_failures: bool = True


@dataclass(frozen=True)
class Schedule:
    name: str
    expression: str  # rate(...) or cron(...), EventBridge rule syntax
    description: str


@dataclass(frozen=True)
class Function:
    name: str
    handler: str  # dotted path "module.attribute", as Lambda takes it
    description: str
    memory_mb: int = 256
    timeout_seconds: int = 30
    queue_trigger: QueueTrigger | None = None
    schedules: tuple[Schedule, ...] = ()
    websocket_route: str | None = None  # $connect / $default / $disconnect

    @property
    def service_name(self) -> str:
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class Secret:
    """A generated secret (Secrets Manager); its value never appears in the template or the environment."""

    name: str
    description: str
    length: int = 64


@dataclass(frozen=True)
class Definition:
    tables: tuple[Table, ...]
    queues: tuple[Queue, ...]
    functions: tuple[Function, ...]
    secrets: tuple[Secret, ...] = ()
    environment: dict[str, EnvValue] = field(default_factory=dict)
    websocket_route_selection_key: str = "action"

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def queue(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)

    def function(self, name: str) -> Function:
        return next(f for f in self.functions if f.name == name)


MAIN_TABLE = Table(
    name="main",
    hash_key="pk",
    range_key="sk",
    indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),
             # Sparse: agent records whose host may be going offline (host/presence.py) and running patch runs
             # (patching/run_store.py), each by when to look at it again; the sweeps read only what is due.
             Index("gsi2", "watch_pk", "watch_due", projection="KEYS_ONLY")),
    ttl_attribute="expires_at",
)

AGENT_COMMANDS = Queue(name="agent-commands", visibility_timeout=180)  # 6 x the dispatcher's 30 s (AWS's guidance)

ENVIRONMENT: dict[str, EnvValue] = {
    "PATCHMON_STAGE": StageName(),
    "MAIN_TABLE_NAME": TableName("main"),
    "AGENT_COMMANDS_QUEUE_URL": QueueUrl("agent-commands"),
    "AGENT_COMMANDS_QUEUE_ARN": QueueArn("agent-commands"),
    "SCHEDULER_GROUP_NAME": SchedulerGroupName(),
    "SCHEDULER_ROLE_ARN": SchedulerRoleArn(),
    "WEBSOCKET_MANAGEMENT_ENDPOINT": WebSocketManagementEndpoint(),
    "JWT_SECRET_ARN": SecretArn("jwt-signing-key"),
    "AGENT_KEY_PEPPER_ARN": SecretArn("agent-key-pepper"),
    "BASE_DOMAIN": Param("BaseDomain", local="localhost"),
    "DEFAULT_TENANT_SLUG": Param("DefaultTenantSlug", local="default"),
    # The operator key itself is never deployed: only its SHA-256 (`make operator-key` prints a pair).
    "OPERATOR_KEY_SHA256": Param("OperatorKeySha256", local="", no_echo=True),
    "COOKIE_SECURE": Param("CookieSecure", local="false", default="true"),
    "TENANT_SIGNUP_ENABLED": Param("TenantSignupEnabled", local="false", default="false"),
    "DATA_KEY_ARN": DataKeyArn(),
    "HEARTBEAT_INTERVAL_SECONDS": "60",
    "POWERTOOLS_METRICS_NAMESPACE": "PatchMon",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}

DEFINITION = Definition(
    tables=(MAIN_TABLE,),
    queues=(AGENT_COMMANDS,),
    secrets=(Secret("jwt-signing-key", "HMAC key signing user access and refresh tokens"),
             Secret("agent-key-pepper", "HMAC key of the stored agent API key hashes")),
    environment=ENVIRONMENT,
    functions=(
        Function("api", "app.app", "REST API (Chalice routes)", memory_mb=512, timeout_seconds=29),
        Function("ws_connect", "app.ws_connect", "WebSocket $connect", websocket_route="$connect", timeout_seconds=10),
        Function("ws_message", "app.ws_message", "WebSocket $default", websocket_route="$default", timeout_seconds=10),
        Function("ws_disconnect", "app.ws_disconnect", "WebSocket $disconnect", websocket_route="$disconnect", timeout_seconds=10),
        Function(
            "agent_command_dispatch",
            "functions.agent_command_dispatch.handler",
            "Deliver queued commands to connected agents and browsers; open maintenance windows",
            timeout_seconds=30,  # a window opening creates a run per host
            queue_trigger=QueueTrigger(queue="agent-commands", batch_size=10),
        ),
        Function(
            "agent_keepalive",
            "functions.agent_keepalive.handler",
            "Send a frame to connected agents so they keep their WebSocket (they drop it after 90 s of silence)",
            timeout_seconds=50,
            schedules=(Schedule("agent-keepalive", "rate(1 minute)", "Agent WebSocket keepalive"),),
        ),
        Function(
            "inventory_cleanup",
            "functions.inventory_cleanup.handler",
            "Daily: delete orphaned package/repository aggregates and repair fleet counter drift, tenant by tenant",
            timeout_seconds=900,
            schedules=(Schedule("inventory-cleanup", "cron(0 3 * * ? *)", "Daily inventory cleanup (03:00 UTC)"),),
        ),
        Function(
            "host_status_sweep",
            "functions.host_status_sweep.handler",
            "Mark offline the hosts whose agents went quiet (reads only the due watches of the sparse index)",
            timeout_seconds=50,
            schedules=(Schedule("host-status-sweep", "rate(1 minute)", "Host offline detection"),),
        ),
        Function(
            "patch_run_sweep",
            "functions.patch_run_sweep.handler",
            "Turn running patch runs with no agent output for 30 minutes into timed_out (reads only due runs of a sparse index)",
            timeout_seconds=120,
            schedules=(Schedule("patch-run-sweep", "rate(10 minutes)", "Stalled patch runs"),),
        ),
        Function(
            "system_heartbeat",
            "functions.system_heartbeat.handler",
            "Record that the scheduler is firing (read by the health check)",
            memory_mb=128,
            timeout_seconds=10,
            schedules=(Schedule("system-heartbeat", "rate(1 minute)", "Scheduler liveness heartbeat"),),
        ),
    ),
)


def physical_name(stage: str, logical: str) -> str:
    """Return the deployed name of a table, queue or group: `patchmon-<stage>-<logical>`."""
    return f"{APP_NAME}-{stage}-{logical}"


# API Gateway's own answers (gateway responses), rewritten to the product's error shape. In AWS a
# path or method the API does not define is MISSING_AUTHENTICATION_TOKEN (403); we answer 404.
GATEWAY_RESPONSES: dict[str, tuple[int, dict[str, str]]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, {"error": "Not found", "code": "not_found"}),
    "REQUEST_TOO_LARGE": (413, {"error": "Request body too large", "code": "payload_too_large"}),
    "INTEGRATION_FAILURE": (502, {"error": "Bad gateway", "code": "bad_gateway"}),
    "INTEGRATION_TIMEOUT": (504, {"error": "Gateway timeout", "code": "gateway_timeout"}),
}
REST_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway REST payload quota
REST_INTEGRATION_TIMEOUT_SECONDS = 29
