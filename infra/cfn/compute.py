"""The functions: a role holding only the function's grants, a log group with a retention, the function,
and what invokes it (queue mapping, schedule rules, WebSocket routes); the Scheduler group and its role."""
from __future__ import annotations

from typing import Any

from infra.cfn.common import Resources, env_value, grant_resources, logical_id, queue_arn, sub_name
from infra.definition import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, Definition, Function


def _assume(service: str) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def function_name(fn: Function) -> dict[str, str]:
    return sub_name(fn.service_name)


def policy_statements(fn: Function) -> list[dict[str, Any]]:
    """One statement per grant of the function, on exactly the ARNs it names."""
    return [{"Effect": "Allow", "Action": list(g.actions), "Resource": grant_resources(g.resource)} for g in fn.all_grants]


def function(fn: Function, definition: Definition) -> Resources:
    fid = logical_id(fn.name, "function")
    role_id = logical_id(fn.name, "role")
    log_id = logical_id(fn.name, "log", "group")
    env = {name: env_value(value) for name, value in definition.environment.items()}
    env["POWERTOOLS_SERVICE_NAME"] = fn.service_name
    resources: Resources = {
        role_id: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": _assume("lambda.amazonaws.com"),
                "Policies": [
                    {"PolicyName": "logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": {"Fn::Sub": f"${{{log_id}.Arn}}:*"}}, {
                        "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}]}},
                    {"PolicyName": "access", "PolicyDocument": {"Version": "2012-10-17", "Statement": policy_statements(fn)}},
                ],
            },
        },
        log_id: {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": f"/aws/lambda/patchmon-${{Stage}}-{fn.service_name}"},
                           "RetentionInDays": {"Ref": "LogRetentionDays"}},
        },
        fid: {
            "Type": "AWS::Lambda::Function",
            "DependsOn": [log_id],
            "Properties": {
                "FunctionName": function_name(fn),
                "Description": fn.description,
                "Runtime": LAMBDA_RUNTIME,
                "Architectures": [LAMBDA_ARCHITECTURE],
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
                "EventSourceArn": queue_arn(trigger.queue),
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
                "Name": sub_name(schedule.name),
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


def scheduler(definition: Definition) -> Resources:
    """The group the product's own schedules live in, and the role the Scheduler delivers them with (to the queues)."""
    return {
        "SchedulerGroup": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": sub_name("schedules")}},
        "SchedulerRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                                   "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}],
                },
                "Policies": [{"PolicyName": "deliver", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": ["sqs:SendMessage"],
                    "Resource": [queue_arn(q.name) for q in definition.queues],
                }]}}],
            },
        },
    }
