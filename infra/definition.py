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
# Graviton: 20 % less per GB-second than x86_64; `make package` builds the wheels for it whatever the build machine is.
LAMBDA_ARCHITECTURE = "arm64"
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the deployment package
WEBSOCKET_STAGE = "api"
REST_STAGE = "api"  # Chalice's default stage name; CloudFront's origin path for /api/v1/*
REST_THROTTLE = (500, 1000)  # requests per second and burst, per stage (API Gateway's account default is 10,000 / 5,000)
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


@dataclass(frozen=True)
class PackagedFile:
    """A file `make package` puts at the root of the Lambda package; the local stack has none (the code finds its own)."""

    name: str


EnvValue = (str | TableName | QueueUrl | QueueArn | SchedulerGroupName | SchedulerRoleArn | WebSocketManagementEndpoint
            | StageName | SecretArn | DataKeyArn | Param | PackagedFile)


# --- permissions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grant:
    """IAM actions a function may take on one resource of the definition.

    The template renders each grant as a policy statement on that resource's ARN; the local stack refuses,
    inside a function's invocation, any AWS call its grants do not name (so the tests find a missing one).
    """

    actions: tuple[str, ...]
    resource: TableName | QueueArn | SchedulerGroupName | SchedulerRoleArn | WebSocketManagementEndpoint | SecretArn | DataKeyArn


def data(table: str = "main") -> Grant:
    """Read and write the table's items and query its indexes (transactions are authorised item by item)."""
    return Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
                  "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"), TableName(table))


def send_to(queue: str) -> Grant:
    return Grant(("sqs:SendMessage",), QueueArn(queue))


def consume(queue: str) -> Grant:
    """What Lambda's event source mapping needs of the function's role to poll the queue."""
    return Grant(("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"),
                 QueueArn(queue))


def read_secret(name: str) -> Grant:
    return Grant(("secretsmanager:GetSecretValue",), SecretArn(name))


PUSH = Grant(("execute-api:ManageConnections",), WebSocketManagementEndpoint())  # @connections: send, get, close
SCHEDULES = Grant(("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"),
                  SchedulerGroupName())
# A schedule's target role must be passed to the Scheduler by whoever creates the schedule.
PASS_SCHEDULER_ROLE = Grant(("iam:PassRole",), SchedulerRoleArn())
ENVELOPE_KEYS = Grant(("kms:GenerateDataKey", "kms:Decrypt"), DataKeyArn())


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
    grants: tuple[Grant, ...] = ()
    queue_trigger: QueueTrigger | None = None
    schedules: tuple[Schedule, ...] = ()
    websocket_route: str | None = None  # $connect / $default / $disconnect

    @property
    def service_name(self) -> str:
        return self.name.replace("_", "-")

    @property
    def all_grants(self) -> tuple[Grant, ...]:
        """The function's grants, with what its queue trigger needs."""
        return self.grants + ((consume(self.queue_trigger.queue),) if self.queue_trigger else ())


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
    # CloudFront adds this secret to every API request as an origin header; requests without it came around the
    # edge (straight to execute-api) and are refused in AWS (chalicelib/web/edge.py).
    "EDGE_KEY_SECRET_ARN": SecretArn("edge-origin-key"),
    "EDGE_REQUIRED": Param("EdgeRequired", local="false", default="true"),
    "AGENT_ARTEFACT_PATH": PackagedFile("patchmon-agent.pyz"),
    "HEARTBEAT_INTERVAL_SECONDS": "60",
    "POWERTOOLS_METRICS_NAMESPACE": "PatchMon",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}

DEFINITION = Definition(
    tables=(MAIN_TABLE,),
    queues=(AGENT_COMMANDS,),
    secrets=(Secret("jwt-signing-key", "HMAC key signing user access and refresh tokens"),
             Secret("agent-key-pepper", "HMAC key of the stored agent API key hashes"),
             Secret("edge-origin-key", "Header value CloudFront adds to API requests, proving they came through it")),
    environment=ENVIRONMENT,
    functions=(
        Function("api", "app.app", "REST API (Chalice routes)", memory_mb=512, timeout_seconds=29,
                 grants=(data(), send_to("agent-commands"), Grant(("sqs:GetQueueAttributes",), QueueArn("agent-commands")),
                         SCHEDULES, Grant(("scheduler:GetScheduleGroup",), SchedulerGroupName()), PASS_SCHEDULER_ROLE,
                         PUSH, ENVELOPE_KEYS, read_secret("jwt-signing-key"), read_secret("agent-key-pepper"),
                         read_secret("edge-origin-key"))),
        Function("ws_connect", "app.ws_connect", "WebSocket $connect", websocket_route="$connect", timeout_seconds=10,
                 grants=(data(), send_to("agent-commands"), read_secret("agent-key-pepper"), read_secret("edge-origin-key"))),
        Function("ws_message", "app.ws_message", "WebSocket $default", websocket_route="$default", timeout_seconds=10,
                 grants=(data(), send_to("agent-commands"), PUSH)),
        Function("ws_disconnect", "app.ws_disconnect", "WebSocket $disconnect", websocket_route="$disconnect", timeout_seconds=10,
                 grants=(data(), send_to("agent-commands"), PUSH)),
        Function(
            "agent_command_dispatch",
            "functions.agent_command_dispatch.handler",
            "Deliver queued commands to connected agents and browsers; open maintenance windows",
            timeout_seconds=30,  # a window opening creates a run per host
            grants=(data(), send_to("agent-commands"), SCHEDULES, PASS_SCHEDULER_ROLE, PUSH),
            queue_trigger=QueueTrigger(queue="agent-commands", batch_size=10),
        ),
        Function(
            "agent_keepalive",
            "functions.agent_keepalive.handler",
            "Send a frame to connected agents so they keep their WebSocket (they drop it after 90 s of silence)",
            timeout_seconds=50,
            grants=(data(), PUSH),
            schedules=(Schedule("agent-keepalive", "rate(1 minute)", "Agent WebSocket keepalive"),),
        ),
        Function(
            "inventory_cleanup",
            "functions.inventory_cleanup.handler",
            "Daily: delete orphaned package/repository aggregates and repair fleet counter drift, tenant by tenant",
            timeout_seconds=900,
            grants=(data(),),
            schedules=(Schedule("inventory-cleanup", "cron(0 3 * * ? *)", "Daily inventory cleanup (03:00 UTC)"),),
        ),
        Function(
            "host_status_sweep",
            "functions.host_status_sweep.handler",
            "Mark offline the hosts whose agents went quiet (reads only the due watches of the sparse index)",
            timeout_seconds=50,
            grants=(data(), PUSH),
            schedules=(Schedule("host-status-sweep", "rate(1 minute)", "Host offline detection"),),
        ),
        Function(
            "patch_run_sweep",
            "functions.patch_run_sweep.handler",
            "Turn running patch runs with no agent output for 30 minutes into timed_out (reads only due runs of a sparse index)",
            timeout_seconds=120,
            grants=(data(), send_to("agent-commands"), SCHEDULES, PASS_SCHEDULER_ROLE, PUSH),
            schedules=(Schedule("patch-run-sweep", "rate(10 minutes)", "Stalled patch runs"),),
        ),
        Function(
            "system_heartbeat",
            "functions.system_heartbeat.handler",
            "Record that the scheduler is firing (read by the health check)",
            memory_mb=128,
            timeout_seconds=10,
            grants=(data(),),
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
