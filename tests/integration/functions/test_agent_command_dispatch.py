"""The agent-commands worker: delivery, gone connections, poison messages, partial batch failures."""
from __future__ import annotations

import json
import uuid

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions import agent_command_dispatch
from infra.local.lambda_runtime import LambdaContext
from infra.local.sqs_pump import sqs_event


def _message(body: str) -> dict:
    return {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "rh", "Body": body, "Attributes": {"ApproximateReceiveCount": "1"}}


def _echo(connection_id: str, message: str = "hi") -> str:
    return json.dumps({"type": "realtime.echo_requested", "version": 1, "connection_id": connection_id,
                       "message": message, "requested_at": "2026-11-27T00:00:00.000Z"})


def _invoke(*bodies: str) -> tuple[dict, list[str]]:
    messages = [_message(b) for b in bodies]
    response = agent_command_dispatch.handler(sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:q"),
                                              LambdaContext("agent-command-dispatch", 256, 10, "arn"))
    return response, [m["MessageId"] for m in messages]


def test_echo_is_pushed_to_its_connection_when_delivered(aws, pushed):
    response, _ = _invoke(_echo("c1", "hello"))
    assert response == {"batchItemFailures": []}
    assert pushed["sent"][0]["connection_id"] == "c1"
    assert pushed["sent"][0]["message"]["message"] == "hello"


def test_message_is_acknowledged_when_connection_is_gone(aws, pushed):
    pushed["gone"].add("c1")
    response, _ = _invoke(_echo("c1"))
    assert response == {"batchItemFailures": []}
    assert pushed["sent"] == []


def test_only_the_poison_message_fails_when_batch_is_mixed(aws, pushed):
    # Given a batch with one unparseable message between two good ones
    response, ids = _invoke(_echo("c1"), "{not json", _echo("c2"))
    # Then only the poison one is reported, so SQS retries it (and finally moves it to the DLQ)
    assert response == {"batchItemFailures": [{"itemIdentifier": ids[1]}]}
    assert [p["connection_id"] for p in pushed["sent"]] == ["c1", "c2"]


def test_invocation_fails_when_every_message_is_of_an_unknown_type(aws, pushed):
    # Powertools raises when the whole batch failed, so Lambda returns the batch to the queue.
    with pytest.raises(BatchProcessingError):
        _invoke(json.dumps({"type": "something.else", "version": 1}))
    assert pushed["sent"] == []
