"""The CloudFormation template rendered from the definition: lint-clean and held to our policies."""
from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest

from chalicelib.core import settings
from infra.definition import DEFINITION
from infra.template import logical_id, render

TEMPLATE = render()
RESOURCES = TEMPLATE["Resources"]


def _of_type(kind: str) -> dict[str, dict]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == kind}


def test_cfn_lint_is_clean_when_template_is_rendered(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps(TEMPLATE))
    cfn_lint = pathlib.Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_queue_has_a_dead_letter_queue_when_rendered():
    queues = _of_type("AWS::SQS::Queue")
    mains = {k: v for k, v in queues.items() if not k.endswith("Dlq")}
    assert mains
    for name, queue in mains.items():
        redrive = queue["Properties"]["RedrivePolicy"]
        assert redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] in queues, name
        assert 1 <= redrive["maxReceiveCount"] <= 10


def test_every_queue_outlasts_six_times_its_consumer_timeout_when_rendered():
    # AWS's guidance for Lambda event sources: visibility timeout >= 6 x function timeout.
    for fn in DEFINITION.functions:
        if fn.queue_trigger:
            assert DEFINITION.queue(fn.queue_trigger.queue).visibility_timeout >= 6 * fn.timeout_seconds, fn.name


def test_every_table_has_pitr_encryption_and_ttl_when_rendered():
    for name, table in _of_type("AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name
        assert props["TimeToLiveSpecification"]["Enabled"] is True, name
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert table["DeletionPolicy"] == "Retain", name


def test_every_function_has_memory_timeout_and_log_retention_when_rendered():
    for name, fn in _of_type("AWS::Lambda::Function").items():
        props = fn["Properties"]
        assert 128 <= props["MemorySize"] <= 10240, name
        assert 1 <= props["Timeout"] <= 900, name
        log_group = RESOURCES[fn["DependsOn"][0]]
        assert log_group["Type"] == "AWS::Logs::LogGroup" and log_group["Properties"]["RetentionInDays"] > 0, name


def test_queue_mappings_report_batch_item_failures_when_rendered():
    mappings = _of_type("AWS::Lambda::EventSourceMapping")
    assert mappings
    for name, mapping in mappings.items():
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name


def test_no_policy_allows_wildcard_actions_when_rendered():
    for name, role in _of_type("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert all("*" not in a for a in actions), (name, actions)
                assert statement["Resource"] != "*", name


def test_every_setting_the_code_reads_is_declared_when_rendered():
    # Settings that have no default must be set by the template for every function.
    source = open(settings.__file__).read()
    required = set(re.findall(r'_required\("([A-Z_]+)"\)', source))
    for name, fn in _of_type("AWS::Lambda::Function").items():
        assert required <= set(fn["Properties"]["Environment"]["Variables"]), name


@pytest.mark.parametrize("fn", DEFINITION.functions, ids=lambda f: f.name)
def test_every_function_handler_resolves_when_imported(fn):
    import importlib

    module_name, attribute = fn.handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_every_schedule_targets_its_function_when_rendered():
    for fn in DEFINITION.functions:
        for schedule in fn.schedules:
            rule = RESOURCES[logical_id(schedule.name, "rule")]["Properties"]
            assert rule["ScheduleExpression"] == schedule.expression
            assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [logical_id(fn.name, "function"), "Arn"]}
