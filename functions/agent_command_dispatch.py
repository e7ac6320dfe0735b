"""SQS `agent-commands` → deliver each command to its WebSocket connection.

A message this worker cannot parse is poison from our own producer (a deploy mismatch, or a message
written by hand): it fails, is retried up to the queue's maxReceiveCount and then waits in the DLQ
for a fix and a redrive, rather than being dropped. A push to a connection that has gone is not an
error: the message is acknowledged.
"""
from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.core.tenancy import TenantContext
from chalicelib.patching import dispatch as patch_dispatch
from chalicelib.patching import window_runs
from chalicelib.patching.events import PatchRunDue, WindowOccurrence
from chalicelib.realtime import agents as realtime_agents
from chalicelib.realtime import service as realtime_service
from chalicelib.realtime.events import AgentSettingsChanged, EchoRequested, parse_command
from chalicelib.settings import service as settings_service

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    """Handle one queued command."""
    event = parse_command(record.body)
    if isinstance(event, AgentSettingsChanged):  # a fan-out: one page of the tenant's hosts, the rest queued
        settings_service.push_to_agents(TenantContext.system(event.tenant_id, "agent_command_dispatch"), cursor=event.cursor)
        return
    if isinstance(event, PatchRunDue):
        outcome = patch_dispatch.handle_due(event)
        logger.info("patch run due", extra={"message_id": record.message_id, "run_id": event.run_id, "attempt": event.attempt,
                                            "outcome": outcome})
        return
    if isinstance(event, WindowOccurrence):
        outcome = window_runs.handle(event)
        logger.info("maintenance window", extra={"message_id": record.message_id, "policy_id": event.policy_id, "kind": event.type,
                                                 "outcome": outcome})
        return
    if isinstance(event, EchoRequested):
        delivered = realtime_service.deliver_echo(event)
    else:
        delivered = realtime_agents.send(event.tenant_id, event.host_id, event.message_type, event.data)
    logger.info("command delivered" if delivered else "command dropped: not connected",
                extra={"message_id": record.message_id, "type": event.type})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a batch and report the records that failed (ReportBatchItemFailures)."""
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
