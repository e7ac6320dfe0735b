"""The local stack's grant check (infra/local/iam.py): a function's AWS calls outside its grants fail as in AWS."""
from __future__ import annotations

import botocore.client
import pytest
from botocore.exceptions import ClientError

from infra.definition import DEFINITION
from infra.local.iam import GrantGuard, guarded_make_api_call, required_actions
from infra.local.lambda_runtime import LambdaRuntime


@pytest.fixture
def guard(aws, monkeypatch):
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", guarded_make_api_call)
    return GrantGuard(DEFINITION, aws.resources.secret_arns)


def test_transactions_need_the_action_of_each_item_when_checked():
    items = [{"Put": {}}, {"Update": {}}, {"ConditionCheck": {}}]
    assert required_actions("dynamodb", "TransactWriteItems", {"TransactItems": items}) == [
        "dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert required_actions("execute-api", "PostToConnection", {}) == ["execute-api:ManageConnections"]
    assert required_actions("scheduler", "UpdateSchedule", {}) == ["scheduler:UpdateSchedule", "iam:PassRole"]


def test_a_call_outside_the_functions_grants_is_denied_when_acting(aws, guard):
    sqs = aws.client("sqs")
    url = aws.resources.queue_urls["agent-commands"]
    with guard.acting_as("inventory_cleanup"), pytest.raises(ClientError) as denied:
        sqs.send_message(QueueUrl=url, MessageBody="{}")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "inventory_cleanup is not authorized to perform: sqs:SendMessage" in str(denied.value)
    assert aws.queue_depth("agent-commands") == 0


def test_a_granted_call_and_calls_outside_any_function_pass_when_acting(aws, guard):
    url = aws.resources.queue_urls["agent-commands"]
    with guard.acting_as("api"):
        aws.client("sqs").send_message(QueueUrl=url, MessageBody="{}")
    aws.client("sqs").send_message(QueueUrl=url, MessageBody="{}")  # the local stack's own calls
    assert aws.queue_depth("agent-commands") == 2


def test_secrets_are_checked_one_by_one_when_acting(aws, guard):
    secrets = aws.client("secretsmanager")
    with guard.acting_as("ws_connect"):
        secrets.get_secret_value(SecretId=aws.resources.secret_arns["agent-key-pepper"])
        with pytest.raises(ClientError, match="on " + aws.resources.secret_arns["jwt-signing-key"]):
            secrets.get_secret_value(SecretId=aws.resources.secret_arns["jwt-signing-key"])


def test_runtime_invokes_each_function_within_its_grants_when_enforced(aws, monkeypatch):
    runtime = LambdaRuntime(DEFINITION, "test")
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", botocore.client.BaseClient._make_api_call)
    runtime.enforce_grants(aws.resources.secret_arns)
    seen = []
    monkeypatch.setattr(runtime, "handler", lambda fn: lambda event, context: seen.append(
        aws.client("dynamodb").describe_table(TableName=aws.resources.tables["main"])))

    with pytest.raises(ClientError, match="system_heartbeat is not authorized to perform: dynamodb:DescribeTable"):
        runtime.invoke("system_heartbeat", {})
    assert seen == []
