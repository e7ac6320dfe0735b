"""Render `infra/definition.py` as a CloudFormation template (plain CloudFormation, no transform).

    python -m infra.template [--out build/template.json]

The Chalice REST API itself is added by the packaging step of issue #9; everything the functions
depend on (tables, queues, dead-letter queues, schedules, the scheduler group, the WebSocket API, the
functions and their environment) is declared here.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
from typing import Any

from infra.definition import (
    DEFINITION,
    LAMBDA_RUNTIME,
    WEBSOCKET_STAGE,
    DataKeyArn,
    Definition,
    EnvValue,
    Function,
    Param,
    Queue,
    QueueArn,
    QueueUrl,
    SchedulerGroupName,
    SchedulerRoleArn,
    SecretArn,
    StageName,
    Table,
    TableName,
    WebSocketManagementEndpoint,
)

LOG_RETENTION_DAYS = 30


def logical_id(*parts: str) -> str:
    """Return a CloudFormation logical id from name parts ("agent-commands", "dlq" -> AgentCommandsDlq)."""
    words = re.split(r"[^A-Za-z0-9]+", " ".join(parts))
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _sub_name(logical: str) -> dict[str, str]:
    return {"Fn::Sub": f"patchmon-${{Stage}}-{logical}"}


def _env_value(value: EnvValue) -> Any:
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
            return {"Fn::GetAtt": [logical_id(q, "queue"), "Arn"]}
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
        case WebSocketManagementEndpoint():
            return {"Fn::Sub": f"https://${{WebSocketApi}}.execute-api.${{AWS::Region}}.amazonaws.com/{WEBSOCKET_STAGE}"}
    raise TypeError(f"unknown environment value {value!r}")


def _table(table: Table) -> dict[str, Any]:
    def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        return schema + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])

    props: dict[str, Any] = {
        "TableName": _sub_name(table.name),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in table.key_attributes()],
        "KeySchema": key_schema(table.hash_key, table.range_key),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "DeletionProtectionEnabled": {"Fn::If": ["IsProd", True, False]},
    }
    if table.indexes:
        props["GlobalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": key_schema(i.hash_key, i.range_key), "Projection": {"ProjectionType": i.projection}}
            for i in table.indexes
        ]
    if table.ttl_attribute:
        props["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": props}


def _queues(queue: Queue) -> dict[str, Any]:
    dlq_id = logical_id(queue.name, "dlq")
    return {
        dlq_id: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": _sub_name(queue.dlq_name),
                "MessageRetentionPeriod": queue.dlq_retention_seconds,
                "SqsManagedSseEnabled": True,
            },
        },
        logical_id(queue.name, "queue"): {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": _sub_name(queue.name),
                "VisibilityTimeout": queue.visibility_timeout,
                "MessageRetentionPeriod": queue.retention_seconds,
                "MaximumMessageSize": queue.max_message_bytes,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": queue.max_receive_count},
            },
        },
    }


def _function_policy(fn: Function, definition: Definition) -> list[dict[str, Any]]:
    tables = [{"Fn::GetAtt": [logical_id(t.name, "table"), "Arn"]} for t in definition.tables]
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                       "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"],
            "Resource": tables + [{"Fn::Sub": ["${Arn}/index/*", {"Arn": t}]} for t in tables],
        },
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes"],
            "Resource": [{"Fn::GetAtt": [logical_id(q.name, "queue"), "Arn"]} for q in definition.queues],
        },
        {
            "Effect": "Allow",
            "Action": ["execute-api:ManageConnections"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/"
                                    f"{WEBSOCKET_STAGE}/*"},
        },
        {
            "Effect": "Allow",
            "Action": ["scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule", "scheduler:GetScheduleGroup"],
            "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${SchedulerGroup}/*"},
                {"Fn::GetAtt": ["SchedulerGroup", "Arn"]},
            ],
        },
        {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": {"Fn::GetAtt": ["SchedulerRole", "Arn"]}},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": {"Fn::GetAtt": ["DataKey", "Arn"]}},
    ]
    if definition.secrets:
        statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                           "Resource": [{"Ref": logical_id(s.name, "secret")} for s in definition.secrets]})
    if fn.queue_trigger:
        statements.append({
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
            "Resource": {"Fn::GetAtt": [logical_id(fn.queue_trigger.queue, "queue"), "Arn"]},
        })
    return statements


def _function(fn: Function, definition: Definition) -> dict[str, Any]:
    fid = logical_id(fn.name, "function")
    role_id = logical_id(fn.name, "role")
    env = {name: _env_value(value) for name, value in definition.environment.items()}
    env["POWERTOOLS_SERVICE_NAME"] = fn.service_name
    resources: dict[str, Any] = {
        role_id: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
                },
                "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
                "Policies": [{"PolicyName": "access", "PolicyDocument": {"Version": "2012-10-17", "Statement": _function_policy(fn, definition)}}],
            },
        },
        logical_id(fn.name, "log", "group"): {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": f"/aws/lambda/patchmon-${{Stage}}-{fn.service_name}"}, "RetentionInDays": LOG_RETENTION_DAYS},
        },
        fid: {
            "Type": "AWS::Lambda::Function",
            "DependsOn": [logical_id(fn.name, "log", "group")],
            "Properties": {
                "FunctionName": {"Fn::Sub": f"patchmon-${{Stage}}-{fn.service_name}"},
                "Description": fn.description,
                "Runtime": LAMBDA_RUNTIME,
                "Handler": fn.handler,
                "Code": {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}},
                "MemorySize": fn.memory_mb,
                "Timeout": fn.timeout_seconds,
                "Role": {"Fn::GetAtt": [role_id, "Arn"]},
                "TracingConfig": {"Mode": "Active"},
                "Environment": {"Variables": env},
            },
        },
    }
    if fn.queue_trigger:
        trigger = fn.queue_trigger
        resources[logical_id(fn.name, "queue", "mapping")] = {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": [logical_id(trigger.queue, "queue"), "Arn"]},
                "FunctionName": {"Ref": fid},
                "BatchSize": trigger.batch_size,
                "MaximumBatchingWindowInSeconds": trigger.max_batching_window_seconds,
                "FunctionResponseTypes": ["ReportBatchItemFailures"] if trigger.report_batch_item_failures else [],
            },
        }
    for schedule in fn.schedules:
        rule_id = logical_id(schedule.name, "rule")
        resources[rule_id] = {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": _sub_name(schedule.name),
                "Description": schedule.description,
                "ScheduleExpression": schedule.expression,
                "State": "ENABLED",
                "Targets": [{"Arn": {"Fn::GetAtt": [fid, "Arn"]}, "Id": fn.service_name}],
            },
        }
        resources[logical_id(schedule.name, "permission")] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": fid},
                           "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}},
        }
    if fn.websocket_route:
        integration_id = logical_id(fn.name, "integration")
        resources[integration_id] = {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": {"Ref": "WebSocketApi"},
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                              f"${{{fid}.Arn}}/invocations"},
            },
        }
        resources[logical_id(fn.name, "route")] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {"ApiId": {"Ref": "WebSocketApi"}, "RouteKey": fn.websocket_route,
                           "Target": {"Fn::Sub": f"integrations/${{{integration_id}}}"}},
        }
        resources[logical_id(fn.name, "permission")] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": fid}, "Principal": "apigateway.amazonaws.com",
                           "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/*"}},
        }
    return resources


def _scheduler(definition: Definition) -> dict[str, Any]:
    return {
        "SchedulerGroup": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": _sub_name("schedules")}},
        "SchedulerRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}],
                },
                "Policies": [{"PolicyName": "deliver", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": ["sqs:SendMessage"],
                    "Resource": [{"Fn::GetAtt": [logical_id(q.name, "queue"), "Arn"]} for q in definition.queues],
                }]}}],
            },
        },
    }


def _websocket_api(definition: Definition) -> dict[str, Any]:
    routes = [logical_id(f.name, "route") for f in definition.functions if f.websocket_route]
    return {
        "WebSocketApi": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {"Name": _sub_name("websocket"), "ProtocolType": "WEBSOCKET",
                           "RouteSelectionExpression": f"$request.body.{definition.websocket_route_selection_key}"},
        },
        "WebSocketDeployment": {"Type": "AWS::ApiGatewayV2::Deployment", "DependsOn": routes, "Properties": {"ApiId": {"Ref": "WebSocketApi"}}},
        "WebSocketStage": {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {"ApiId": {"Ref": "WebSocketApi"}, "StageName": WEBSOCKET_STAGE, "DeploymentId": {"Ref": "WebSocketDeployment"}},
        },
    }


def _keys_and_secrets(definition: Definition) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "DataKey": {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": "Wraps the data keys of envelope-encrypted fields",
                "EnableKeyRotation": True,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "AccountAdministers", "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": "kms:*", "Resource": "*"}]},
            },
        },
        "DataKeyAlias": {"Type": "AWS::KMS::Alias",
                         "Properties": {"AliasName": {"Fn::Sub": "alias/patchmon-${Stage}-data"}, "TargetKeyId": {"Ref": "DataKey"}}},
    }
    for secret in definition.secrets:
        resources[logical_id(secret.name, "secret")] = {
            "Type": "AWS::SecretsManager::Secret",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Name": {"Fn::Sub": f"patchmon/${{Stage}}/{secret.name}"},
                "Description": secret.description,
                "GenerateSecretString": {"PasswordLength": secret.length, "ExcludePunctuation": True},
            },
        }
    return resources


def render(definition: Definition = DEFINITION) -> dict[str, Any]:
    """Return the CloudFormation template for `definition`."""
    resources: dict[str, Any] = _keys_and_secrets(definition)
    for table in definition.tables:
        resources[logical_id(table.name, "table")] = _table(table)
    for queue in definition.queues:
        resources.update(_queues(queue))
    resources.update(_scheduler(definition))
    resources.update(_websocket_api(definition))
    for fn in definition.functions:
        resources.update(_function(fn, definition))
    outputs = {
        logical_id(t.name, "table", "name"): {"Value": {"Ref": logical_id(t.name, "table")}} for t in definition.tables
    } | {
        logical_id(q.name, "queue", "url"): {"Value": {"Ref": logical_id(q.name, "queue")}} for q in definition.queues
    } | {"WebSocketUrl": {"Value": {"Fn::Sub": f"wss://${{WebSocketApi}}.execute-api.${{AWS::Region}}.amazonaws.com/{WEBSOCKET_STAGE}"}}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "PatchMon Cloud: data, queues, schedules, WebSocket API and functions",
        "Parameters": {
            **{v.name: {"Type": "String", "Default": v.default, **({"NoEcho": True} if v.no_echo else {})}
               for v in definition.environment.values() if isinstance(v, Param)},
            "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
            "CodeBucket": {"Type": "String", "Description": "S3 bucket holding the deployment package"},
            "CodeKey": {"Type": "String", "Description": "S3 key of the deployment package"},
        },
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Resources": resources,
        "Outputs": outputs,
    }


def main() -> None:
    """Write the rendered template to a file (default build/template.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/template.json")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(render(), indent=2, sort_keys=True) + "\n")
    print(out)


if __name__ == "__main__":
    main()
