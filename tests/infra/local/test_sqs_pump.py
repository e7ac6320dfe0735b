"""The SQS pump delivers batches with Lambda event source mapping semantics."""
from __future__ import annotations

import json
import sys
import types
from dataclasses import replace

import pytest

from infra.definition import DEFINITION, Function, QueueTrigger
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.sqs_pump import SqsPump, failed_ids


@pytest.fixture
def worker(monkeypatch):
    """A fake function module whose behaviour each test sets."""
    module = types.ModuleType("fake_worker")
    module.calls = []
    module.behaviour = lambda event: {"batchItemFailures": []}

    def handler(event, context):
        module.calls.append(event)
        return module.behaviour(event)

    module.handler = handler
    monkeypatch.setitem(sys.modules, "fake_worker", module)
    return module


def _pump(aws, *, report_failures=True, batch_size=10):
    fn = Function("worker", "fake_worker.handler", "test", timeout_seconds=10,
                  queue_trigger=QueueTrigger("agent-commands", batch_size=batch_size, report_batch_item_failures=report_failures))
    definition = replace(DEFINITION, functions=(fn,))
    return SqsPump(aws.client, aws.resources, definition, LambdaRuntime(definition, "test"), wait_seconds=0), fn


def _send(aws, *bodies):
    for body in bodies:
        aws.client("sqs").send_message(QueueUrl=aws.resources.queue_urls["agent-commands"], MessageBody=body)


def _make_redelivery_immediate(aws):
    aws.client("sqs").set_queue_attributes(QueueUrl=aws.resources.queue_urls["agent-commands"], Attributes={"VisibilityTimeout": "0"})


def test_batch_is_delivered_as_an_sqs_event_and_deleted_when_handler_succeeds(aws, worker):
    pump, fn = _pump(aws)
    _send(aws, "a", "b", "c")
    assert pump.poll_once(fn) == 3
    record = worker.calls[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == aws.resources.queue_arns["agent-commands"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert sorted(r["body"] for r in worker.calls[0]["Records"]) == ["a", "b", "c"]
    assert aws.queue_depth("agent-commands") == 0


def test_batch_never_exceeds_the_mapping_batch_size_when_queue_is_deep(aws, worker):
    pump, fn = _pump(aws, batch_size=2)
    _send(aws, "1", "2", "3", "4", "5")
    pump.poll_once(fn)
    assert len(worker.calls[0]["Records"]) <= 2


def test_only_reported_failures_stay_when_handler_reports_partial_failure(aws, worker):
    pump, fn = _pump(aws)
    worker.behaviour = lambda event: {"batchItemFailures": [
        {"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]}
    _send(aws, "good", "bad", "good2")
    _make_redelivery_immediate(aws)
    pump.poll_once(fn)
    pump.poll_once(fn)
    assert [r["body"] for r in worker.calls[1]["Records"]] == ["bad"]


def test_whole_batch_stays_when_handler_raises(aws, worker):
    pump, fn = _pump(aws)

    def boom(event):
        raise RuntimeError("transient")

    worker.behaviour = boom
    _send(aws, "a", "b")
    _make_redelivery_immediate(aws)
    pump.poll_once(fn)
    worker.behaviour = lambda event: None
    pump.poll_once(fn)
    assert sorted(r["body"] for r in worker.calls[1]["Records"]) == ["a", "b"]
    assert worker.calls[1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_failures_are_ignored_when_mapping_lacks_report_batch_item_failures(aws, worker):
    # Without FunctionResponseTypes, Lambda treats any successful return as success for the whole batch.
    pump, fn = _pump(aws, report_failures=False)
    worker.behaviour = lambda event: {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    _send(aws, "a")
    pump.poll_once(fn)
    assert aws.queue_depth("agent-commands") == 0


def test_poison_message_moves_to_the_dlq_when_it_fails_max_receive_count_times(aws, worker):
    pump, fn = _pump(aws)

    def always_fail(event):
        raise ValueError("poison")

    worker.behaviour = always_fail
    _send(aws, json.dumps({"poison": True}))
    _make_redelivery_immediate(aws)
    max_receives = DEFINITION.queue("agent-commands").max_receive_count
    for _ in range(max_receives + 1):
        pump.poll_once(fn)
    assert len(worker.calls) == max_receives
    dlq = aws.client("sqs").receive_message(QueueUrl=aws.resources.queue_urls["agent-commands-dlq"])["Messages"]
    assert json.loads(dlq[0]["Body"]) == {"poison": True}


@pytest.mark.parametrize(("response", "expected"), [
    ({"batchItemFailures": []}, set()),
    ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
    ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a", "b"}),
    ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),
    ({"batchItemFailures": [{}]}, {"a", "b"}),
    (None, set()),
    ("not a dict", set()),
])
def test_failed_ids_follow_lambda_rules_when_response_varies(response, expected):
    fn = Function("w", "m.h", "t", queue_trigger=QueueTrigger("q"))
    assert failed_ids(fn, response, ["a", "b"]) == expected
