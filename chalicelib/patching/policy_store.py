"""Patch policies, their assignments (one policy per host or host group) and exclusions in DynamoDB.

A policy's assignments and exclusions sit in the policy's own partition, so listing one policy reads only
its items; a `TARGET#<type>#<id>` item per assigned host or group says which policy it has, so resolving a
host's policy reads a few items by key whatever the number of policies.
"""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import attribute_values, batch_get, client, is_conditional_failure, main_table, query_all, to_dynamo
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.settings import get_settings


def _reasons(exc: ClientError) -> list[str | None]:
    return [r.get("Code") for r in exc.response.get("CancellationReasons", [])]


def policies(tenant_id: str) -> list[dict[str, Any]]:
    pk, prefix = keys.patch_policies(tenant_id)
    return query_all(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with(prefix))


def get(tenant_id: str, policy_id: str) -> dict[str, Any] | None:
    pk, sk = keys.patch_policy_key(tenant_id, policy_id)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def get_many(tenant_id: str, policy_ids: list[str]) -> dict[str, dict[str, Any]]:
    found = batch_get([keys.patch_policy_key(tenant_id, p) for p in policy_ids], fields=None)
    return {item["policy_id"]: item for item in found}


def put_new(tenant_id: str, policy: dict[str, Any]) -> None:
    pk, sk = keys.patch_policy_key(tenant_id, policy["policy_id"])
    main_table().put_item(Item=to_dynamo({"pk": pk, "sk": sk, **{k: v for k, v in policy.items() if v is not None}}),
                          ConditionExpression="attribute_not_exists(pk)")


def replace(tenant_id: str, policy: dict[str, Any]) -> None:
    """Write a policy's fields, keeping its counters; NotFound when it was deleted meanwhile."""
    pk, sk = keys.patch_policy_key(tenant_id, policy["policy_id"])
    fields = {k: v for k, v in policy.items() if k not in ("pk", "sk", "policy_id", "assignment_count", "exclusion_count")}
    present = {k: v for k, v in fields.items() if v is not None}
    absent = [k for k, v in fields.items() if v is None]
    names = {f"#f{i}": k for i, k in enumerate(present)} | {f"#x{i}": k for i, k in enumerate(absent)}
    expression = "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(present)))
    if absent:
        expression += " REMOVE " + ", ".join(f"#x{i}" for i in range(len(absent)))
    try:
        main_table().update_item(Key={"pk": pk, "sk": sk}, UpdateExpression=expression, ConditionExpression="attribute_exists(pk)",
                                 ExpressionAttributeNames=names,
                                 ExpressionAttributeValues=to_dynamo({f":f{i}": v for i, v in enumerate(present.values())}))
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise NotFound("Policy not found") from None
        raise


def members(tenant_id: str, policy_id: str) -> list[dict[str, Any]]:
    """A policy's assignments and exclusions."""
    return query_all(KeyConditionExpression=Key("pk").eq(keys.patch_policy_partition(tenant_id, policy_id)))


def add_assignment(tenant_id: str, policy_id: str, assignment: dict[str, Any]) -> None:
    """Assign a target: Conflict when it already has a policy, NotFound when the policy is gone."""
    table = get_settings().main_table
    target_pk, target_sk = keys.patch_target_key(tenant_id, assignment["target_type"], assignment["target_id"])
    policy_pk, policy_sk = keys.patch_policy_key(tenant_id, policy_id)
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                     "Item": attribute_values({"pk": target_pk, "sk": target_sk, "policy_id": policy_id, **assignment})}},
            {"Put": {"TableName": table, "Item": attribute_values({"pk": keys.patch_policy_partition(tenant_id, policy_id),
                                                       "sk": f"ASSIGN#{assignment['target_type']}#{assignment['target_id']}", **assignment})}},
            {"Update": {"TableName": table, "Key": attribute_values({"pk": policy_pk, "sk": policy_sk}),
                        "ConditionExpression": "attribute_exists(pk)", "UpdateExpression": "ADD assignment_count :one",
                        "ExpressionAttributeValues": attribute_values({":one": 1})}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = _reasons(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise Conflict("This target is already assigned to a policy", code="already_assigned") from None
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise NotFound("Policy not found") from None
            raise Conflict("The assignment could not be saved; retry") from None
        raise


def remove_assignment(tenant_id: str, policy_id: str, assignment: dict[str, Any]) -> None:
    table = get_settings().main_table
    target_pk, target_sk = keys.patch_target_key(tenant_id, assignment["target_type"], assignment["target_id"])
    policy_pk, policy_sk = keys.patch_policy_key(tenant_id, policy_id)
    try:
        client("dynamodb").transact_write_items(TransactItems=[
            {"Delete": {"TableName": table, "Key": attribute_values({"pk": target_pk, "sk": target_sk}),
                        "ConditionExpression": "policy_id = :p", "ExpressionAttributeValues": attribute_values({":p": policy_id})}},
            {"Delete": {"TableName": table, "Key": attribute_values({"pk": keys.patch_policy_partition(tenant_id, policy_id),
                                                         "sk": f"ASSIGN#{assignment['target_type']}#{assignment['target_id']}"})}},
            {"Update": {"TableName": table, "Key": attribute_values({"pk": policy_pk, "sk": policy_sk}),
                        "ConditionExpression": "attribute_exists(pk)", "UpdateExpression": "ADD assignment_count :minus",
                        "ExpressionAttributeValues": attribute_values({":minus": -1})}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise NotFound("Assignment not found") from None
        raise


def put_exclusion(tenant_id: str, policy_id: str, exclusion: dict[str, Any]) -> bool:
    """Exclude a host from a policy; False when it already was."""
    try:
        main_table().put_item(Item={"pk": keys.patch_policy_partition(tenant_id, policy_id), "sk": f"EXCL#{exclusion['host_id']}", **exclusion},
                              ConditionExpression="attribute_not_exists(pk)")
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def delete_exclusion(tenant_id: str, policy_id: str, host_id: str) -> bool:
    try:
        main_table().delete_item(Key={"pk": keys.patch_policy_partition(tenant_id, policy_id), "sk": f"EXCL#{host_id}"},
                                 ConditionExpression="attribute_exists(pk)")
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def targets(tenant_id: str, target_keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The assignments of these (target_type, target_id) pairs that exist."""
    return batch_get([keys.patch_target_key(tenant_id, kind, target) for kind, target in target_keys], fields=None)


def excluded(tenant_id: str, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (policy_id, host_id) pairs are exclusions."""
    found = batch_get([(keys.patch_policy_partition(tenant_id, policy), f"EXCL#{host}") for policy, host in pairs], fields=("pk", "sk"))
    return {(item["pk"].rsplit("#", 1)[1], item["sk"][len("EXCL#"):]) for item in found}


def delete_policy(tenant_id: str, policy_id: str) -> None:
    """Delete a policy with its assignments (and their target items) and exclusions."""
    items = members(tenant_id, policy_id)
    with main_table().batch_writer() as batch:
        for item in items:
            if item["sk"].startswith("ASSIGN#"):
                target_pk, target_sk = keys.patch_target_key(tenant_id, item["target_type"], item["target_id"])
                batch.delete_item(Key={"pk": target_pk, "sk": target_sk})
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    pk, sk = keys.patch_policy_key(tenant_id, policy_id)
    main_table().delete_item(Key={"pk": pk, "sk": sk})
