"""Naming and the translation of the definition's symbolic values into CloudFormation intrinsics."""
from __future__ import annotations

import re
from typing import Any

from infra.definition import (
    LAMBDA_TASK_ROOT,
    WEBSOCKET_STAGE,
    DataKeyArn,
    EnvValue,
    PackagedFile,
    Param,
    QueueArn,
    QueueUrl,
    SchedulerGroupName,
    SchedulerRoleArn,
    SecretArn,
    StageName,
    TableName,
    WebSocketManagementEndpoint,
)

Resources = dict[str, dict[str, Any]]

# What outlives the stack (data, keys, secrets, the web app's bucket): kept when the stack is deleted or the
# resource replaced, but removed when the stack's own first creation rolls back, so a failed first
# deployment leaves nothing behind whose fixed name would clash with the next attempt.
RETAINED: dict[str, str] = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}


def logical_id(*parts: str) -> str:
    """Return a CloudFormation logical id from name parts ("agent-commands", "dlq" -> AgentCommandsDlq)."""
    words = re.split(r"[^A-Za-z0-9]+", " ".join(parts))
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def sub_name(logical: str) -> dict[str, str]:
    """The deployed name of a resource: `patchmon-<stage>-<logical>`."""
    return {"Fn::Sub": f"patchmon-${{Stage}}-{logical}"}


def arn(*parts_after_region: str, service: str) -> dict[str, str]:
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{''.join(parts_after_region)}"}


def table_arn(table: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id(table, "table"), "Arn"]}


def queue_arn(queue: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id(queue, "queue"), "Arn"]}


def env_value(value: EnvValue) -> Any:
    """The CloudFormation value of one environment variable of the functions."""
    match value:
        case str():
            return value
        case StageName():
            return {"Ref": "Stage"}
        case TableName(table=t):
            return {"Ref": logical_id(t, "table")}
        case QueueUrl(queue=q):
            return {"Ref": logical_id(q, "queue")}
        case QueueArn(queue=q):
            return queue_arn(q)
        case SchedulerGroupName():
            return {"Ref": "SchedulerGroup"}
        case SchedulerRoleArn():
            return {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
        case SecretArn(secret=name):
            return {"Ref": logical_id(name, "secret")}
        case DataKeyArn():
            return {"Fn::GetAtt": ["DataKey", "Arn"]}
        case Param(name=name):
            return {"Ref": name}
        case PackagedFile(name=name):
            return f"{LAMBDA_TASK_ROOT}/{name}"
        case WebSocketManagementEndpoint():
            return {"Fn::Sub": f"https://${{WebSocketApi}}.execute-api.${{AWS::Region}}.amazonaws.com/{WEBSOCKET_STAGE}"}
    raise TypeError(f"unknown environment value {value!r}")


def grant_resources(resource: Any) -> list[Any]:
    """The ARNs a grant's symbolic resource stands for (a table includes its indexes)."""
    match resource:
        case TableName(table=t):
            return [table_arn(t), {"Fn::Sub": ["${Arn}/index/*", {"Arn": table_arn(t)}]}]
        case QueueArn(queue=q):
            return [queue_arn(q)]
        case SchedulerGroupName():
            return [{"Fn::GetAtt": ["SchedulerGroup", "Arn"]},
                    arn("schedule/${SchedulerGroup}/*", service="scheduler")]
        case SchedulerRoleArn():
            return [{"Fn::GetAtt": ["SchedulerRole", "Arn"]}]
        case WebSocketManagementEndpoint():
            return [arn(f"${{WebSocketApi}}/{WEBSOCKET_STAGE}/POST/@connections/*", service="execute-api"),
                    arn(f"${{WebSocketApi}}/{WEBSOCKET_STAGE}/GET/@connections/*", service="execute-api"),
                    arn(f"${{WebSocketApi}}/{WEBSOCKET_STAGE}/DELETE/@connections/*", service="execute-api")]
        case SecretArn(secret=name):
            return [{"Ref": logical_id(name, "secret")}]
        case DataKeyArn():
            return [{"Fn::GetAtt": ["DataKey", "Arn"]}]
    raise TypeError(f"unknown grant resource {resource!r}")
