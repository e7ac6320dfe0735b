"""Tables, queues with their dead-letter queues, the data key and the generated secrets."""
from __future__ import annotations

from typing import Any

from infra.cfn.common import RETAINED, Resources, logical_id, sub_name
from infra.definition import Definition, Queue, Table


def table(table: Table) -> Resources:
    def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        return schema + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])

    props: dict[str, Any] = {
        "TableName": sub_name(table.name),
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
    # The product's data outlives any one deployment.
    return {logical_id(table.name, "table"): {"Type": "AWS::DynamoDB::Table", **RETAINED, "Properties": props}}


def queue(queue: Queue) -> Resources:
    dlq_id = logical_id(queue.name, "dlq")
    return {
        dlq_id: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": sub_name(queue.dlq_name),
                "MessageRetentionPeriod": queue.dlq_retention_seconds,
                "SqsManagedSseEnabled": True,
            },
        },
        logical_id(queue.name, "queue"): {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": sub_name(queue.name),
                "VisibilityTimeout": queue.visibility_timeout,
                "MessageRetentionPeriod": queue.retention_seconds,
                "MaximumMessageSize": queue.max_message_bytes,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": queue.max_receive_count},
            },
        },
    }


def keys_and_secrets(definition: Definition) -> Resources:
    resources: Resources = {
        "DataKey": {
            "Type": "AWS::KMS::Key",
            **RETAINED,
            "Properties": {
                "Description": {"Fn::Sub": "PatchMon ${Stage}: wraps the data keys of envelope-encrypted fields"},
                "EnableKeyRotation": True,
                # The account administers the key (AWS's default key policy); functions use it through their roles.
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
            **RETAINED,
            "Properties": {
                "Name": {"Fn::Sub": f"patchmon/${{Stage}}/{secret.name}"},
                "Description": secret.description,
                "GenerateSecretString": {"PasswordLength": secret.length, "ExcludePunctuation": True},
            },
        }
    return resources
