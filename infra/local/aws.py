"""The embedded AWS: moto's server in process, with the resources of `infra/definition.py` created in it."""
from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from infra.definition import (
    DataKeyArn,
    Definition,
    EnvValue,
    PackagedFile,
    Param,
    QueueArn,
    QueueUrl,
    SchedulerGroupName,
    SchedulerRoleArn,
    SecretArn,
    StageName,
    Table,
    TableName,
    WebSocketManagementEndpoint,
    physical_name,
)
from infra.local import moto_dynamodb

log = logging.getLogger("patchmon.local.aws")
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local"}


@dataclass
class Resources:
    """Names, URLs and ARNs of what was created, keyed by the definition's logical names."""

    stage: str
    tables: dict[str, str]
    queue_urls: dict[str, str]
    queue_arns: dict[str, str]
    scheduler_group: str
    scheduler_role_arn: str
    rule_names: dict[str, str]  # schedule name -> rule name
    data_key_arn: str = ""
    secret_arns: dict[str, str] = field(default_factory=dict)

    def queue_name_by_arn(self, arn: str) -> str | None:
        """Return the logical queue name of an ARN (dead-letter queues included as '<name>-dlq')."""
        return next((name for name, a in self.queue_arns.items() if a == arn), None)


class _MotoServer(ThreadedMotoServer):
    """moto's threaded server with DynamoDB requests serialised (see infra/local/moto_dynamodb.py)."""

    def _server_entry(self) -> None:
        self._server = make_server(self._ip_address, self._port, moto_dynamodb.SerialisedDynamoDB(DomainDispatcherApplication(create_backend_app)),
                                   True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


class EmbeddedAws:
    """moto's server on a loopback port; every boto3 client of the process points at it."""

    def __init__(self, port: int = 0) -> None:
        moto_dynamodb.install()
        self._server = _MotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.endpoint = ""
        self._clients: dict[str, Any] = {}

    def start(self) -> str:
        """Start moto and point the process's AWS SDK configuration at it."""
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        os.environ.update(CREDENTIALS)
        os.environ.update({"AWS_ENDPOINT_URL": self.endpoint, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
        return self.endpoint

    def stop(self) -> None:
        self._server.stop()

    def client(self, service: str) -> Any:
        """Return a (cached, thread-safe) client of the embedded AWS."""
        if service not in self._clients:
            self._clients[service] = boto3.session.Session().client(service, region_name=REGION, endpoint_url=self.endpoint)
        return self._clients[service]


ClientFactory = Callable[[str], Any]


def provision(clients: ClientFactory, definition: Definition, stage: str, *, visibility_timeout: int | None = None) -> Resources:
    """Create every table, queue (with its DLQ), schedule rule and the scheduler group of the definition.

    `visibility_timeout` overrides every queue's, so tests can see redelivery in seconds.
    """
    tables = {t.name: _create_table(clients("dynamodb"), t, physical_name(stage, t.name)) for t in definition.tables}
    sqs = clients("sqs")
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    for queue in definition.queues:
        dlq = queue.dlq_name
        urls[dlq], arns[dlq] = _create_queue(sqs, physical_name(stage, dlq), {"MessageRetentionPeriod": str(queue.dlq_retention_seconds)})
        urls[queue.name], arns[queue.name] = _create_queue(sqs, physical_name(stage, queue.name), {
            "VisibilityTimeout": str(visibility_timeout or queue.visibility_timeout),
            "MessageRetentionPeriod": str(queue.retention_seconds),
            "MaximumMessageSize": str(queue.max_message_bytes),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arns[dlq], "maxReceiveCount": str(queue.max_receive_count)}),
        })
    group = physical_name(stage, "schedules")
    scheduler = clients("scheduler")
    if group not in {g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]}:
        scheduler.create_schedule_group(Name=group)
    events = clients("events")
    rules: dict[str, str] = {}
    for fn in definition.functions:
        for schedule in fn.schedules:
            rule = physical_name(stage, schedule.name)
            events.put_rule(Name=rule, ScheduleExpression=schedule.expression, State="ENABLED", Description=schedule.description)
            events.put_targets(Rule=rule, Targets=[{"Id": fn.service_name, "Arn": function_arn(stage, fn.service_name)}])
            rules[schedule.name] = rule
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{physical_name(stage, 'scheduler')}"
    key_arn = clients("kms").create_key(Description="Wraps the data keys of envelope-encrypted fields")["KeyMetadata"]["Arn"]
    secret_arns = {secret.name: clients("secretsmanager").create_secret(
        Name=f"patchmon/{stage}/{secret.name}", Description=secret.description,
        SecretString=secrets.token_urlsafe(secret.length))["ARN"] for secret in definition.secrets}
    return Resources(stage, tables, urls, arns, group, role_arn, rules, key_arn, secret_arns)


def function_arn(stage: str, service_name: str) -> str:
    """Return the ARN a function would have in AWS (targets of rules and schedules name functions by ARN)."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{physical_name(stage, service_name)}"


def _create_table(ddb: Any, table: Table, name: str) -> str:
    if name in ddb.list_tables()["TableNames"]:
        return name

    def schema(h: str, r: str | None) -> list[dict[str, str]]:
        return [{"AttributeName": h, "KeyType": "HASH"}] + ([{"AttributeName": r, "KeyType": "RANGE"}] if r else [])

    kwargs: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in table.key_attributes()],
        "KeySchema": schema(table.hash_key, table.range_key),
    }
    if table.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": schema(i.hash_key, i.range_key), "Projection": {"ProjectionType": i.projection}}
            for i in table.indexes
        ]
    ddb.create_table(**kwargs)
    if table.ttl_attribute:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute})
    return name


def _create_queue(sqs: Any, name: str, attributes: dict[str, str]) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def resolve_environment(definition: Definition, resources: Resources, ws_management_endpoint: str) -> dict[str, str]:
    """Resolve the definition's environment to concrete local values."""

    def value(v: EnvValue) -> str:
        match v:
            case str():
                return v
            case StageName():
                return resources.stage
            case TableName(table=t):
                return resources.tables[t]
            case QueueUrl(queue=q):
                return resources.queue_urls[q]
            case QueueArn(queue=q):
                return resources.queue_arns[q]
            case SchedulerGroupName():
                return resources.scheduler_group
            case SchedulerRoleArn():
                return resources.scheduler_role_arn
            case WebSocketManagementEndpoint():
                return ws_management_endpoint
            case SecretArn(secret=name):
                return resources.secret_arns[name]
            case DataKeyArn():
                return resources.data_key_arn
            case Param(local=local):
                return local
            case PackagedFile():
                return ""  # no package here: the code builds or finds the file itself
        raise TypeError(f"unknown environment value {v!r}")

    return {name: value(v) for name, v in definition.environment.items()}
