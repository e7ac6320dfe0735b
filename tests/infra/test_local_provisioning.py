"""The local stack creates exactly the definition's resources, with the same settings, in moto."""
from __future__ import annotations

import json

from infra.definition import DEFINITION


def test_tables_are_created_with_keys_indexes_and_ttl_when_provisioned(aws):
    ddb = aws.client("dynamodb")
    for table in DEFINITION.tables:
        name = aws.resources.tables[table.name]
        described = ddb.describe_table(TableName=name)["Table"]
        assert [k["AttributeName"] for k in described["KeySchema"]] == [table.hash_key, table.range_key]
        assert {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])} == {i.name for i in table.indexes}
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}


def test_queues_redrive_to_their_dlq_when_provisioned(aws):
    sqs = aws.client("sqs")
    for queue in DEFINITION.queues:
        attrs = sqs.get_queue_attributes(QueueUrl=aws.resources.queue_urls[queue.name], AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == aws.resources.queue_arns[queue.dlq_name]
        assert int(redrive["maxReceiveCount"]) == queue.max_receive_count
        assert int(attrs["VisibilityTimeout"]) == queue.visibility_timeout


def test_schedule_rules_target_their_functions_when_provisioned(aws):
    events = aws.client("events")
    for fn in DEFINITION.functions:
        for schedule in fn.schedules:
            rule = events.describe_rule(Name=aws.resources.rule_names[schedule.name])
            assert rule["ScheduleExpression"] == schedule.expression
            targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            assert targets[0]["Arn"].endswith(f"function:patchmon-test-{fn.service_name}")


def test_scheduler_group_exists_when_provisioned(aws):
    group = aws.client("scheduler").get_schedule_group(Name=aws.resources.scheduler_group)
    assert group["State"] == "ACTIVE"


def test_every_secret_and_environment_variable_is_provided_when_provisioned(aws):
    from infra.local.aws import resolve_environment

    secrets = aws.client("secretsmanager")
    for secret in DEFINITION.secrets:
        assert secrets.get_secret_value(SecretId=aws.resources.secret_arns[secret.name])["SecretString"], secret.name
    environment = resolve_environment(DEFINITION, aws.resources, "http://127.0.0.1:9/api")
    assert set(environment) == set(DEFINITION.environment)
    assert environment["EDGE_KEY_SECRET_ARN"] == aws.resources.secret_arns["edge-origin-key"]
    assert environment["AGENT_ARTEFACT_PATH"] == ""  # no package here: the agent is built from agent/
