"""The CloudFormation template rendered from the definition: lint-clean and held to our policies."""
from __future__ import annotations

import importlib
import json
import pathlib
import re
import subprocess
import sys

import pytest

from chalicelib.core import settings
from infra.cfn import edge
from infra.cfn.apis import API_FUNCTION, swagger
from infra.cfn.compute import policy_statements
from infra.definition import DEFINITION, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, REST_STAGE, WEBSOCKET_PATHS, WEBSOCKET_STAGE
from infra.template import logical_id, render

TEMPLATE = render()
RESOURCES = TEMPLATE["Resources"]
# Services whose actions name no data resource and take no narrower resource than "*".
RESOURCELESS_ACTIONS = ("xray:",)


def _of_type(kind: str) -> dict[str, dict]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == kind}


def _statements(role: dict) -> list[dict]:
    return [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def _actions(statement: dict) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def test_cfn_lint_is_clean_when_template_is_rendered(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps(TEMPLATE))
    cfn_lint = pathlib.Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_fits_cloudformation_size_limit_when_rendered():
    # 1 MB from S3 (make deploy uploads it); inline templates are limited to 51,200 bytes.
    assert len(json.dumps(TEMPLATE, separators=(",", ":"))) < 1_000_000


# --- queues --------------------------------------------------------------------------------------
def test_every_queue_has_a_dead_letter_queue_with_an_alarm_when_rendered():
    queues = _of_type("AWS::SQS::Queue")
    alarms = _of_type("AWS::CloudWatch::Alarm").values()
    mains = {k: v for k, v in queues.items() if not k.endswith("Dlq")}
    assert mains
    for name, queue in mains.items():
        dlq = queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert dlq in queues, name
        assert 1 <= queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] <= 10
        watching = [a["Properties"] for a in alarms if a["Properties"]["Namespace"] == "AWS/SQS"
                    and a["Properties"]["Dimensions"][0]["Value"] == {"Fn::GetAtt": [dlq, "QueueName"]}]
        assert [a["MetricName"] for a in watching] == ["ApproximateNumberOfMessagesVisible"], name
        assert watching[0]["Threshold"] == 1 and watching[0]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_every_queue_outlasts_six_times_its_consumer_timeout_when_rendered():
    # AWS's guidance for Lambda event sources: visibility timeout >= 6 x function timeout.
    for fn in DEFINITION.functions:
        if fn.queue_trigger:
            assert DEFINITION.queue(fn.queue_trigger.queue).visibility_timeout >= 6 * fn.timeout_seconds, fn.name


def test_queue_mappings_report_batch_item_failures_when_rendered():
    mappings = _of_type("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == sum(1 for fn in DEFINITION.functions if fn.queue_trigger)
    for name, mapping in mappings.items():
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name


def test_every_queue_is_encrypted_when_rendered():
    for name, queue in _of_type("AWS::SQS::Queue").items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True, name
        assert queue["Properties"].get("MaximumMessageSize", 1_048_576) <= 1_048_576, name


# --- tables --------------------------------------------------------------------------------------
def test_every_table_has_pitr_encryption_ttl_and_prod_deletion_protection_when_rendered():
    tables = _of_type("AWS::DynamoDB::Table")
    assert len(tables) == len(DEFINITION.tables)
    for table in DEFINITION.tables:
        resource = RESOURCES[logical_id(table.name, "table")]
        props = resource["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, table.name
        assert props["SSESpecification"]["SSEEnabled"] is True, table.name
        assert props["BillingMode"] == "PAY_PER_REQUEST", table.name
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}, table.name
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain"), table.name
        # Retention (sessions, tickets, report history) is DynamoDB TTL on this attribute.
        assert props["TimeToLiveSpecification"] == {"AttributeName": table.ttl_attribute, "Enabled": True}, table.name
        assert {i["IndexName"] for i in props["GlobalSecondaryIndexes"]} == {i.name for i in table.indexes}


def test_stateful_resources_outlive_the_stack_but_not_a_failed_first_creation_when_rendered():
    stateful = {"AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::SecretsManager::Secret", "AWS::S3::Bucket"}
    for name, resource in RESOURCES.items():
        if resource["Type"] in stateful:
            # RetainExceptOnCreate: a first deployment that rolls back leaves no fixed-name table or secret to clash.
            assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == ("RetainExceptOnCreate", "Retain"), name
        else:
            assert "DeletionPolicy" not in resource and "UpdateReplacePolicy" not in resource, name


# --- functions -----------------------------------------------------------------------------------
def test_every_function_has_runtime_memory_timeout_and_log_retention_when_rendered():
    functions = _of_type("AWS::Lambda::Function")
    assert len(functions) == len(DEFINITION.functions)
    for name, fn in functions.items():
        props = fn["Properties"]
        assert props["Runtime"] == LAMBDA_RUNTIME and props["Architectures"] == [LAMBDA_ARCHITECTURE], name
        assert 128 <= props["MemorySize"] <= 10240, name
        assert 1 <= props["Timeout"] <= 900, name
        log_group = RESOURCES[fn["DependsOn"][0]]
        assert log_group["Type"] == "AWS::Logs::LogGroup" and log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert log_group["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/" + props["FunctionName"]["Fn::Sub"]}, name


def test_every_function_has_error_and_throttle_alarms_when_rendered():
    alarms = [a["Properties"] for a in _of_type("AWS::CloudWatch::Alarm").values() if a["Properties"]["Namespace"] == "AWS/Lambda"]
    for fn in DEFINITION.functions:
        watched = {a["MetricName"] for a in alarms if a["Dimensions"][0]["Value"] == {"Ref": logical_id(fn.name, "function")}}
        assert watched == {"Errors", "Throttles"}, fn.name


def test_api_function_answers_within_the_rest_integration_timeout_when_rendered():
    assert RESOURCES[API_FUNCTION]["Properties"]["Timeout"] <= 29


def test_every_setting_the_code_reads_is_declared_when_rendered():
    # Settings that have no default must be set by the template for every function.
    source = open(settings.__file__).read()
    required = set(re.findall(r'_required\("([A-Z_]+)"\)', source))
    assert required
    for name, fn in _of_type("AWS::Lambda::Function").items():
        assert required <= set(fn["Properties"]["Environment"]["Variables"]), name


def test_agent_artefact_is_read_from_the_package_when_rendered():
    for fn in _of_type("AWS::Lambda::Function").values():
        assert fn["Properties"]["Environment"]["Variables"]["AGENT_ARTEFACT_PATH"] == "/var/task/patchmon-agent.pyz"


@pytest.mark.parametrize("fn", DEFINITION.functions, ids=lambda f: f.name)
def test_every_function_handler_resolves_when_imported(fn):
    module_name, attribute = fn.handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_every_schedule_targets_its_function_when_rendered():
    for fn in DEFINITION.functions:
        for schedule in fn.schedules:
            rule = RESOURCES[logical_id(schedule.name, "rule")]["Properties"]
            assert rule["ScheduleExpression"] == schedule.expression
            assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [logical_id(fn.name, "function"), "Arn"]}


# --- permissions ---------------------------------------------------------------------------------
def test_no_policy_allows_wildcard_actions_or_wildcard_data_resources_when_rendered():
    for name, role in _of_type("AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], name  # every permission is written here, scoped
        for statement in _statements(role):
            actions = _actions(statement)
            assert all("*" not in a for a in actions), (name, actions)
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if "*" in resources:
                assert all(a.startswith(RESOURCELESS_ACTIONS) for a in actions), (name, actions)


def test_each_function_role_holds_exactly_its_own_grants_when_rendered():
    for fn in DEFINITION.functions:
        role = RESOURCES[logical_id(fn.name, "role")]
        access = next(p for p in role["Properties"]["Policies"] if p["PolicyName"] == "access")
        assert access["PolicyDocument"]["Statement"] == policy_statements(fn), fn.name
        granted = {a for s in access["PolicyDocument"]["Statement"] for a in _actions(s)}
        assert granted == {a for g in fn.all_grants for a in g.actions}, fn.name


def test_least_privilege_separates_the_functions_when_rendered():
    def granted(fn_name: str) -> set[str]:
        role = RESOURCES[logical_id(fn_name, "role")]
        return {a for s in _statements(role) for a in _actions(s)}

    assert "sqs:SendMessage" not in granted("inventory_cleanup")
    assert "execute-api:ManageConnections" not in granted("system_heartbeat")
    assert "kms:Decrypt" in granted("api") and "kms:Decrypt" not in granted("agent_command_dispatch")
    assert "sqs:ReceiveMessage" in granted("agent_command_dispatch") and "sqs:ReceiveMessage" not in granted("api")
    assert "scheduler:UpdateSchedule" in granted("api")  # maintenance windows are changed in place
    assert "secretsmanager:GetSecretValue" not in granted("agent_keepalive")


def test_secret_grants_name_single_secrets_when_rendered():
    for name, role in _of_type("AWS::IAM::Role").items():
        for statement in _statements(role):
            if "secretsmanager:GetSecretValue" in _actions(statement):
                assert all(r["Ref"].endswith("Secret") for r in statement["Resource"]), name


def test_connections_grant_is_limited_to_the_websocket_api_stage_when_rendered():
    statement = next(s for s in _statements(RESOURCES["ApiRole"]) if "execute-api:ManageConnections" in _actions(s))
    arns = sorted(r["Fn::Sub"].split(":${AWS::AccountId}:")[1] for r in statement["Resource"])
    assert arns == [f"${{WebSocketApi}}/{WEBSOCKET_STAGE}/{method}/@connections/*" for method in ("DELETE", "GET", "POST")]


# --- APIs ----------------------------------------------------------------------------------------
def test_rest_api_serves_every_chalice_route_through_the_api_function_when_rendered():
    from app import app

    body = RESOURCES["RestApi"]["Properties"]["Body"]
    assert set(body["paths"]) == set(app.routes)
    for path, methods in body["paths"].items():
        assert {m.upper() for m in methods} >= set(app.routes[path]), path
        for method in methods.values():
            integration = method["x-amazon-apigateway-integration"]
            assert integration["type"] == "aws_proxy"
            assert f"${{{API_FUNCTION}.Arn}}" in integration["uri"]["Fn::Sub"]
    assert body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == 404


def test_rest_api_deployment_is_renamed_when_the_routes_change_when_rendered(monkeypatch):
    from infra.cfn import apis

    def deployment(resources: dict) -> str:
        (name,) = [k for k, v in resources.items() if v["Type"] == "AWS::ApiGateway::Deployment"]
        assert resources["RestApiStage"]["Properties"]["DeploymentId"] == {"Ref": name}
        return name

    assert RESOURCES["RestApiStage"]["Properties"]["StageName"] == REST_STAGE
    same = deployment(apis.rest_api())
    changed = swagger()
    changed["paths"]["/api/v1/new"] = changed["paths"]["/api/v1/health"]
    monkeypatch.setattr(apis, "swagger", lambda: changed)

    assert same == deployment(RESOURCES)  # rendering twice names it the same: no needless redeployment
    assert deployment(apis.rest_api()) != same


def test_websocket_api_routes_reach_their_functions_when_rendered():
    routes = {r["Properties"]["RouteKey"] for r in _of_type("AWS::ApiGatewayV2::Route").values()}
    assert routes == {"$connect", "$default", "$disconnect"}
    assert RESOURCES["WebSocketApi"]["Properties"]["RouteSelectionExpression"] == "$request.body.action"


# --- the one domain ------------------------------------------------------------------------------
DISTRIBUTION = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]


def test_distribution_serves_tenant_subdomains_with_the_given_certificate_when_rendered():
    assert DISTRIBUTION["Aliases"] == [{"Ref": "BaseDomain"}, {"Fn::Sub": "*.${BaseDomain}"}]
    assert DISTRIBUTION["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": "CertificateArn"}
    assert DISTRIBUTION["ViewerCertificate"]["MinimumProtocolVersion"].startswith("TLSv1.2")


def test_distribution_routes_websocket_paths_before_the_rest_api_when_rendered():
    behaviors = DISTRIBUTION["CacheBehaviors"]
    patterns = [b["PathPattern"] for b in behaviors]
    assert patterns == [*WEBSOCKET_PATHS, edge.REST_PATH_PATTERN]  # CloudFront takes the first match
    origins = {o["Id"]: o for o in DISTRIBUTION["Origins"]}
    for behavior in behaviors:
        origin = origins[behavior["TargetOriginId"]]
        assert behavior["CachePolicyId"] == edge.CACHING_DISABLED
        assert behavior["OriginRequestPolicyId"] == edge.ALL_VIEWER_EXCEPT_HOST_HEADER
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        assert origin["OriginCustomHeaders"][0]["HeaderName"] == edge.EDGE_KEY_HEADER
        assert "{{resolve:secretsmanager:" in json.dumps(origin["OriginCustomHeaders"][0]["HeaderValue"])
    assert origins["websocket"]["DomainName"]["Fn::Sub"].startswith("${WebSocketApi}.")
    assert origins["rest"]["DomainName"]["Fn::Sub"].startswith("${RestApi}.")
    assert origins["rest"]["OriginPath"] == f"/{REST_STAGE}"


def test_web_app_is_served_from_a_private_bucket_when_rendered():
    origin = next(o for o in DISTRIBUTION["Origins"] if o["Id"] == DISTRIBUTION["DefaultCacheBehavior"]["TargetOriginId"])
    assert "OriginAccessControlId" in origin
    block = RESOURCES["FrontendBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    reader = RESOURCES["FrontendBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"} and "AWS:SourceArn" in reader["Condition"]["StringEquals"]


def _run_viewer_function(name: str, event: dict) -> dict:
    script = edge.function_code(name) + f"\nconsole.log(JSON.stringify(handler({json.dumps(event)})));\n"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def _viewer_event(uri: str, host: str = "acme.patchmon.example.com", ip: str = "203.0.113.9") -> dict:
    return {"version": "1.0", "viewer": {"ip": ip},
            "request": {"method": "GET", "uri": uri, "querystring": {}, "cookies": {},
                        "headers": {"host": {"value": host}, "x-patchmon-viewer-ip": {"value": "10.0.0.1"}}}}


def test_api_viewer_function_passes_viewer_host_and_address_overwriting_the_client_when_run():
    request = _run_viewer_function("api_request", _viewer_event("/api/v1/hosts"))
    assert request["uri"] == "/api/v1/hosts"
    assert request["headers"]["x-patchmon-viewer-host"] == {"value": "acme.patchmon.example.com"}
    assert request["headers"]["x-patchmon-viewer-ip"] == {"value": "203.0.113.9"}
    assert request["headers"]["x-patchmon-viewer-proto"] == {"value": "https"}


def test_viewer_functions_set_every_header_the_api_trusts_when_run():
    from chalicelib.web import edge as web_edge

    trusted = {h for h in vars(web_edge).values() if isinstance(h, str) and h.startswith("x-patchmon-viewer-")}
    assert trusted
    for path in ("/api/v1/hosts", *WEBSOCKET_PATHS):
        assert trusted <= set(_run_viewer_function("api_request", _viewer_event(path))["headers"]), path


@pytest.mark.parametrize("path", WEBSOCKET_PATHS)
def test_api_viewer_function_rewrites_websocket_paths_to_the_stage_when_run(path):
    request = _run_viewer_function("api_request", _viewer_event(path))
    assert request["uri"] == f"/{WEBSOCKET_STAGE}"
    assert request["headers"]["x-patchmon-viewer-ip"] == {"value": "203.0.113.9"}
    assert _run_viewer_function("api_request", _viewer_event(path + "/other"))["uri"] == path + "/other"


@pytest.mark.parametrize(("uri", "served"), [("/", "/index.html"), ("/hosts/123", "/index.html"), ("/assets/index-abc.js", "/assets/index-abc.js"),
                                             ("/favicon.svg", "/favicon.svg")])
def test_spa_viewer_function_serves_index_for_client_routes_when_run(uri, served):
    assert _run_viewer_function("spa_request", _viewer_event(uri))["uri"] == served


def test_dns_and_dkim_records_exist_only_with_a_hosted_zone_when_rendered():
    records = _of_type("AWS::Route53::RecordSet")
    assert len(records) == 4 + 3
    assert all(r["Condition"] == "HasHostedZone" for r in records.values())
    assert RESOURCES["MailIdentity"]["Properties"]["EmailIdentity"] == {"Ref": "BaseDomain"}


def test_required_parameters_are_the_installation_specific_ones_when_rendered():
    required = {k for k, v in TEMPLATE["Parameters"].items() if "Default" not in v}
    assert required == {"CodeBucket", "CodeKey", "BaseDomain", "CertificateArn"}
    assert TEMPLATE["Parameters"]["OperatorKeySha256"]["NoEcho"] is True
