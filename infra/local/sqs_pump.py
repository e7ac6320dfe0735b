"""Deliver SQS messages to functions with the semantics of a Lambda event source mapping.

For each queue→function mapping of the definition: receive up to `batch_size` messages (long poll),
invoke the function with an SQS event, then delete the messages that succeeded. With
ReportBatchItemFailures, the ids in `batchItemFailures` stay on the queue; without it, or when the
function raises, the whole batch stays. What stays becomes visible again after the visibility
timeout and, past the queue's maxReceiveCount, moto moves it to the dead-letter queue.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from infra.definition import Definition, Function
from infra.local.aws import REGION, ClientFactory, Resources
from infra.local.lambda_runtime import LambdaRuntime

log = logging.getLogger("patchmon.local.sqs")


def sqs_event(records: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Build the Lambda SQS event for received messages."""
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": {k: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"),
                                  "dataType": v["DataType"], "stringListValues": [], "binaryListValues": []}
                              for k, v in m.get("MessageAttributes", {}).items()},
        "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    } for m in records]}


def failed_ids(fn: Function, response: Any, all_ids: list[str]) -> set[str]:
    """Return the ids to leave on the queue, given the function's response."""
    if not (fn.queue_trigger and fn.queue_trigger.report_batch_item_failures):
        return set()
    if not isinstance(response, dict) or "batchItemFailures" not in response:
        return set()
    failures = response.get("batchItemFailures") or []
    ids = {f.get("itemIdentifier") for f in failures if isinstance(f, dict)}
    # Lambda treats an empty or unknown identifier as a failure of the whole batch.
    if None in ids or "" in ids or not ids <= set(all_ids):
        return set(all_ids)
    return ids


class SqsPump:
    """One polling thread per queue→function mapping."""

    def __init__(self, clients: ClientFactory, resources: Resources, definition: Definition, runtime: LambdaRuntime,
                 *, wait_seconds: int = 1) -> None:
        self._sqs = clients("sqs")
        self._resources = resources
        self._runtime = runtime
        self._wait = wait_seconds
        self._stop = threading.Event()
        self._mappings = [f for f in definition.functions if f.queue_trigger]
        self._threads: list[threading.Thread] = []

    @property
    def mappings(self) -> list[str]:
        return [f"{f.queue_trigger.queue} -> {f.name}" for f in self._mappings if f.queue_trigger]

    def start(self) -> None:
        for fn in self._mappings:
            thread = threading.Thread(target=self._run, args=(fn,), name=f"sqs-pump-{fn.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self._wait + 5)

    def _run(self, fn: Function) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(fn)
            except Exception:
                log.exception("sqs pump error for %s", fn.name)
                self._stop.wait(1)

    def poll_once(self, fn: Function) -> int:
        """Receive one batch and deliver it; return how many messages were received."""
        assert fn.queue_trigger
        queue = fn.queue_trigger.queue
        url = self._resources.queue_urls[queue]
        messages = self._sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=fn.queue_trigger.batch_size, WaitTimeSeconds=self._wait,
            AttributeNames=["All"], MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        ids = [m["MessageId"] for m in messages]
        try:
            response = self._runtime.invoke(fn.name, sqs_event(messages, self._resources.queue_arns[queue]))
            keep = failed_ids(fn, response, ids)
        except Exception:
            log.exception("function %s failed on a batch of %d; the batch returns to the queue", fn.name, len(ids))
            keep = set(ids)
        done = [m for m in messages if m["MessageId"] not in keep]
        for start in range(0, len(done), 10):
            chunk = done[start:start + 10]
            self._sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])
        if keep:
            log.info("%d of %d messages left on %s for retry", len(keep), len(ids), queue)
        return len(messages)
