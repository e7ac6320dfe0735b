"""Snapshots keep tables, queued messages and schedules across a restart of the embedded AWS."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
from moto import mock_aws

from infra.definition import DEFINITION
from infra.local import persistence
from infra.local.aws import REGION, provision
from tests.conftest import Aws


def _fill(aws) -> None:
    aws.client("dynamodb").put_item(TableName=aws.resources.tables["main"],
                                    Item={"pk": {"S": "SYS#x"}, "sk": {"S": "SYS"}, "n": {"N": "7"}, "b": {"B": b"\x00\x01"}})
    aws.client("sqs").send_message(QueueUrl=aws.resources.queue_urls["agent-commands"], MessageBody='{"queued": 1}',
                                   MessageAttributes={"kind": {"DataType": "String", "StringValue": "echo"}})
    at = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    aws.client("scheduler").create_schedule(
        Name="later", GroupName=aws.resources.scheduler_group, ScheduleExpression=f"at({at})", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": aws.resources.queue_arns["agent-commands"], "RoleArn": aws.resources.scheduler_role_arn, "Input": "{}"})


def _clients(service):
    return boto3.client(service, region_name=REGION)


def test_data_comes_back_when_snapshot_is_restored_into_a_fresh_aws(tmp_path):
    # Given data in every kind of resource, saved to disk
    path = tmp_path / "snapshot.json"
    with mock_aws():
        resources = provision(_clients, DEFINITION, "test")
        _fill(Aws(resources))
        persistence.save(path, persistence.take(_clients, resources, {"last_fired": {"g/s": "2026-01-01T00:00:00+00:00"}}))
    # When a new, empty AWS is provisioned and the snapshot restored
    with mock_aws():
        fresh = provision(_clients, DEFINITION, "test")
        assert _clients("dynamodb").scan(TableName=fresh.tables["main"])["Items"] == []
        snapshot = persistence.load(path)
        counts = persistence.restore(_clients, fresh, snapshot)
        # Then
        assert counts == {"items": 1, "messages": 1, "schedules": 1}
        item = _clients("dynamodb").get_item(TableName=fresh.tables["main"], Key={"pk": {"S": "SYS#x"}, "sk": {"S": "SYS"}})["Item"]
        assert item["n"] == {"N": "7"} and item["b"] == {"B": b"\x00\x01"}
        message = _clients("sqs").receive_message(QueueUrl=fresh.queue_urls["agent-commands"], MessageAttributeNames=["All"])["Messages"][0]
        assert json.loads(message["Body"]) == {"queued": 1}
        assert message["MessageAttributes"]["kind"]["StringValue"] == "echo"
        assert _clients("scheduler").get_schedule(Name="later", GroupName=fresh.scheduler_group)["ScheduleExpression"].startswith("at(")
        assert snapshot["scheduler"] == {"last_fired": {"g/s": "2026-01-01T00:00:00+00:00"}}


def test_snapshot_does_not_count_as_a_receive_when_taken(aws, tmp_path):
    _fill(aws)
    persistence.take(aws.client, aws.resources, {})
    message = aws.client("sqs").receive_message(QueueUrl=aws.resources.queue_urls["agent-commands"], AttributeNames=["All"])["Messages"][0]
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"


def test_corrupt_snapshot_is_kept_aside_when_loaded(tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text("{truncated")
    assert persistence.load(path) is None
    assert not path.exists()
    assert [p.name for p in tmp_path.iterdir()][0].startswith("snapshot.corrupt-")


def test_save_replaces_the_file_atomically_when_written_twice(tmp_path):
    path = tmp_path / "snapshot.json"
    persistence.save(path, {"version": 1, "n": 1})
    persistence.save(path, {"version": 1, "n": 2})
    assert json.loads(path.read_text())["n"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]
