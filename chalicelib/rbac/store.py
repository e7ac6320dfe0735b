"""Role permission sets in the tenant's partition: custom roles and edits of the editable built-ins."""
from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core import keys
from chalicelib.core.db import is_conditional_failure, main_table
from chalicelib.core.errors import Conflict


def get(tenant_id: str, role: str) -> dict[str, Any] | None:
    pk, sk = keys.role_key(tenant_id, role)
    return main_table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def list_all(tenant_id: str) -> list[dict[str, Any]]:
    response = main_table().query(KeyConditionExpression=Key("pk").eq(keys.tenant_pk(tenant_id)) & Key("sk").begins_with(keys.ROLE_PREFIX))
    return response["Items"]


def put(tenant_id: str, role: dict[str, Any], *, create: bool) -> None:
    pk, sk = keys.role_key(tenant_id, role["role"])
    kwargs: dict[str, Any] = {"Item": {"pk": pk, "sk": sk, **role}}
    if create:
        kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
    try:
        main_table().put_item(**kwargs)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise Conflict("Role already exists") from None
        raise


def delete(tenant_id: str, role: str) -> None:
    pk, sk = keys.role_key(tenant_id, role)
    main_table().delete_item(Key={"pk": pk, "sk": sk})
