"""Alarms, to one topic (mailed to AlarmEmail when given): a message in any dead-letter queue, a queue falling
behind, function errors and throttles, and the REST API's own 5xx answers."""
from __future__ import annotations

from typing import Any

from infra.cfn.common import Resources, logical_id, sub_name
from infra.definition import REST_STAGE, Definition

PERIOD_SECONDS = 300
QUEUE_BACKLOG_SECONDS = 900  # the oldest message waited 15 minutes: the consumer is failing or too slow
API_5XX_PER_PERIOD = 5


def _alarm(description: str, namespace: str, metric: str, dimensions: dict[str, Any], *, statistic: str, threshold: float,
           periods: int = 1) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Statistic": statistic,
            "Period": PERIOD_SECONDS,
            "EvaluationPeriods": periods,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def monitoring(definition: Definition) -> Resources:
    resources: Resources = {
        "AlarmTopic": {"Type": "AWS::SNS::Topic",
                       "Properties": {"TopicName": sub_name("alarms"), "KmsMasterKeyId": "alias/aws/sns"}},
        "AlarmTopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {"Topics": [{"Ref": "AlarmTopic"}], "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": "CloudWatchPublishes", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish", "Resource": {"Ref": "AlarmTopic"},
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}},
        },
        "AlarmEmailSubscription": {"Type": "AWS::SNS::Subscription", "Condition": "HasAlarmEmail",
                                   "Properties": {"TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}},
        "RestApi5xxAlarm": _alarm("The REST API answered 5xx (Lambda errors, timeouts)", "AWS/ApiGateway", "5XXError",
                                  {"ApiName": sub_name("rest"), "Stage": REST_STAGE}, statistic="Sum", threshold=API_5XX_PER_PERIOD),
    }
    for queue in definition.queues:
        resources[logical_id(queue.name, "dlq", "alarm")] = _alarm(
            f"A message of {queue.name} failed {queue.max_receive_count} times and is in its dead-letter queue",
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": {"Fn::GetAtt": [logical_id(queue.name, "dlq"), "QueueName"]}},
            statistic="Maximum", threshold=1)
        resources[logical_id(queue.name, "backlog", "alarm")] = _alarm(
            f"{queue.name} is falling behind", "AWS/SQS", "ApproximateAgeOfOldestMessage",
            {"QueueName": {"Fn::GetAtt": [logical_id(queue.name, "queue"), "QueueName"]}}, statistic="Maximum",
            threshold=QUEUE_BACKLOG_SECONDS)
    for fn in definition.functions:
        name = {"Ref": logical_id(fn.name, "function")}
        resources[logical_id(fn.name, "errors", "alarm")] = _alarm(
            f"{fn.service_name} raised errors", "AWS/Lambda", "Errors", {"FunctionName": name}, statistic="Sum", threshold=1)
        resources[logical_id(fn.name, "throttles", "alarm")] = _alarm(
            f"{fn.service_name} was throttled", "AWS/Lambda", "Throttles", {"FunctionName": name}, statistic="Sum", threshold=1)
    return resources
