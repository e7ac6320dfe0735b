"""`make deploy` (infra/deploy.py) against moto: the stack from a change set, the web app, releases and rollback.

moto's CloudFormation creates the part of the template it supports (tests/infra/moto_part.py); the rest of
the template is held to its policies by test_template.py and linted by cfn-lint.
"""
from __future__ import annotations

import hashlib
import io
import json
import pathlib
import zipfile
from dataclasses import dataclass

import boto3
import pytest
from moto import mock_aws

from infra import deploy
from infra.template import render
from tests.infra.moto_part import moto_part

REGION = "us-east-1"
PARAMS = {"BaseDomain": "patchmon.example.com", "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}
pytestmark = pytest.mark.xdist_group("moto-cloudformation")


def _lambda_zip(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", f"# {marker}\napp = None\n")
    return buffer.getvalue()


def _package(tmp_path, *, marker: str, distribution_id: str, assets: dict[str, str]):
    """A package directory as `make package` writes it, with the moto-deployable part of the real template."""
    package = tmp_path / marker
    (package / "frontend" / "assets").mkdir(parents=True)
    code = _lambda_zip(marker)
    sha = hashlib.sha256(code).hexdigest()
    (package / f"lambda-{sha[:16]}.zip").write_bytes(code)
    (package / "manifest.json").write_text(json.dumps({"lambda_zip": f"lambda-{sha[:16]}.zip", "sha256": sha,
                                                        "frontend": {"dir": "frontend", "files": 1 + len(assets)}}))
    template, _ = moto_part(render())
    template["Outputs"]["DistributionId"] = {"Value": distribution_id}  # moto has CloudFront, not its CloudFormation
    (package / "template.json").write_text(json.dumps(template))
    (package / "frontend" / "index.html").write_text(f"<script src='/{next(iter(assets))}'></script>")
    for name, text in assets.items():
        (package / "frontend" / name).write_text(text)
    return package


def _distribution() -> str:
    origin = {"Id": "o", "DomainName": "example.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    config = {"CallerReference": "test", "Comment": "", "Enabled": True, "Origins": {"Quantity": 1, "Items": [origin]},
              "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0}}
    return boto3.client("cloudfront", region_name=REGION).create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def _apply_change_set_completely(change_set) -> None:
    """moto 5.2.5 applies a change set's resources but leaves the stack's outputs and parameters as they were."""
    stack = change_set.stack
    stack.resource_map.update(change_set.template_dict, change_set.parameters)
    stack.parameters = change_set.parameters
    stack.template = change_set.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()


@pytest.fixture
def aws_account(monkeypatch):
    from moto.cloudformation.models import ChangeSet

    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(ChangeSet, "apply", _apply_change_set_completely)
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


@dataclass
class Installation:
    """Stage dev in the moto account: its deployer, parameters and CloudFront distribution."""

    deployer: deploy.Deployer
    params: dict[str, str]
    distribution: str
    tmp_path: pathlib.Path

    def release(self, marker: str) -> deploy.Release:
        """Upload a package whose code says `marker` and whose web app is index.html + assets/app-<marker>.js."""
        package = _package(self.tmp_path, marker=marker, distribution_id=self.distribution, assets={f"assets/app-{marker}.js": marker})
        return self.deployer.upload(package, self.params)


@pytest.fixture
def installation(aws_account, tmp_path) -> Installation:
    deployer = deploy.Deployer("dev", aws_account)
    deployer.ensure_bucket()
    params = deploy.parameters("dev", config=tmp_path / "none.json", overrides=[f"{k}={v}" for k, v in PARAMS.items()])
    return Installation(deployer, params, _distribution(), tmp_path)


def _stack_status(session) -> dict:
    return session.client("cloudformation").describe_stacks(StackName="patchmon-dev")["Stacks"][0]


def _stack_parameter(session, name: str) -> str:
    stack = session.client("cloudformation").describe_stacks(StackName="patchmon-dev")["Stacks"][0]
    return next(p["ParameterValue"] for p in stack["Parameters"] if p["ParameterKey"] == name)


def test_deploy_creates_the_stack_publishes_the_web_app_and_records_the_release_when_run(aws_account, installation):
    release = installation.release("1")

    outputs = deploy.deploy(installation.deployer, release)

    assert _stack_status(aws_account)["StackStatus"] == "CREATE_COMPLETE"
    assert outputs["MainTableName"] == "patchmon-dev-main"
    table = aws_account.client("dynamodb").describe_table(TableName="patchmon-dev-main")["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2"}
    sqs = aws_account.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=outputs["AgentCommandsQueueUrl"], AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"].endswith(":patchmon-dev-agent-commands-dlq")
    functions = {f["FunctionName"]: f for f in aws_account.client("lambda").list_functions()["Functions"]}
    api = functions["patchmon-dev-api"]
    assert api["Runtime"] == "python3.11" and api["Handler"] == "app.app"  # (moto drops Architectures)
    assert api["Environment"]["Variables"]["MAIN_TABLE_NAME"] == "patchmon-dev-main"
    assert api["Environment"]["Variables"]["EDGE_REQUIRED"] == "true"
    mappings = aws_account.client("lambda").list_event_source_mappings(FunctionName="patchmon-dev-agent-command-dispatch")
    assert mappings["EventSourceMappings"][0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    rules = {r["Name"] for r in aws_account.client("events").list_rules()["Rules"]}
    assert {"patchmon-dev-host-status-sweep", "patchmon-dev-patch-run-sweep"} <= rules
    role = aws_account.client("iam").get_role_policy(RoleName=api["Role"].rsplit("/", 1)[1], PolicyName="access")
    assert "scheduler:UpdateSchedule" in str(role["PolicyDocument"])  # the role's own inline policy, as rendered
    s3 = aws_account.client("s3")
    bucket = outputs["FrontendBucketName"]
    assert s3.head_object(Bucket=bucket, Key="assets/app-1.js")["CacheControl"] == deploy.IMMUTABLE
    index = s3.head_object(Bucket=bucket, Key="index.html")
    assert index["CacheControl"] == deploy.REVALIDATE and index["ContentType"] == "text/html"
    assert [r.release_id for r in installation.deployer.releases()] == [release.release_id]
    assert _stack_parameter(aws_account, "CodeKey") == release.code_key


def test_deploy_updates_then_rolls_back_to_the_previous_release_when_run(aws_account, installation, capsys):
    deployer = installation.deployer
    first = installation.release("1")
    deploy.deploy(deployer, first)
    second = installation.release("2")
    outputs = deploy.deploy(deployer, second)

    assert _stack_parameter(aws_account, "CodeKey") == second.code_key != first.code_key
    keys = {o["Key"] for o in aws_account.client("s3").list_objects_v2(Bucket=outputs["FrontendBucketName"])["Contents"]}
    assert keys == {"index.html", "assets/app-2.js"}  # the old build's files are gone (the bucket keeps their versions)

    deploy.main(["--stage", "dev", "--rollback", "--region", REGION])

    assert _stack_parameter(aws_account, "CodeKey") == first.code_key
    keys = {o["Key"] for o in aws_account.client("s3").list_objects_v2(Bucket=outputs["FrontendBucketName"])["Contents"]}
    assert keys == {"index.html", "assets/app-1.js"}
    history = deployer.releases()
    assert [r.code_key for r in history] == [first.code_key, second.code_key, first.code_key]
    assert "rolling back patchmon-dev to " + first.release_id in capsys.readouterr().out


def test_parameters_layer_stage_defaults_installation_file_and_command_line_when_read(tmp_path):
    config = tmp_path / "deploy.prod.json"
    config.write_text(json.dumps({**PARAMS, "AlarmEmail": "ops@example.com", "LogRetentionDays": 30}))

    values = deploy.parameters("prod", config=config, overrides=["AlarmEmail=oncall@example.com"])

    assert values["Stage"] == "prod" and values["EdgeRequired"] == "true"
    assert values["LogRetentionDays"] == "30"  # the installation's file overrides the stage's 90
    assert values["AlarmEmail"] == "oncall@example.com"
    template_parameters = render()["Parameters"]
    assert set(values) <= set(template_parameters)


def test_parameters_without_a_domain_are_refused_when_read(tmp_path):
    with pytest.raises(SystemExit, match="missing parameters BaseDomain, CertificateArn"):
        deploy.parameters("dev", config=tmp_path / "none.json", overrides=[])


def test_stage_files_name_only_template_parameters_when_read():
    template_parameters = render()["Parameters"]
    for stage in ("dev", "prod"):
        values = json.loads((deploy.STAGES_DIR / f"{stage}.json").read_text())
        assert set(values) <= set(template_parameters), stage
        assert values["Stage"] == stage


def test_deploy_without_aws_credentials_says_so_when_run(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    with pytest.raises(SystemExit, match="cannot reach AWS .*Unable to locate credentials"):
        deploy.main(["--stage", "dev", "--region", REGION, "--releases"])


def _force_stack_status(status: str) -> None:
    from moto.cloudformation.models import cloudformation_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    for stack in cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION].stacks.values():
        stack.status = status


def test_deploy_after_a_failed_first_creation_deletes_the_rolled_back_stack_and_creates_it_again_when_run(aws_account, installation,
                                                                                                           capsys):
    deploy.deploy(installation.deployer, installation.release("1"))
    failed_id = _stack_status(aws_account)["StackId"]
    _force_stack_status("ROLLBACK_COMPLETE")  # what a first creation that failed leaves: CloudFormation cannot update it

    deploy.deploy(installation.deployer, installation.release("2"))

    stack = _stack_status(aws_account)
    assert stack["StackStatus"] == "CREATE_COMPLETE" and stack["StackId"] != failed_id
    assert "ROLLBACK_COMPLETE): deleting it, then creating it again" in capsys.readouterr().out


def test_deploy_while_the_stack_is_busy_is_refused_when_run(installation):
    deploy.deploy(installation.deployer, installation.release("1"))
    _force_stack_status("UPDATE_IN_PROGRESS")

    with pytest.raises(SystemExit, match=r"patchmon-dev is busy \(UPDATE_IN_PROGRESS\): wait until"):
        deploy.deploy(installation.deployer, installation.release("2"))


def test_failure_reasons_are_those_of_the_latest_operation_oldest_first_when_read():
    from botocore.stub import Stubber

    def event(logical: str, kind: str, status: str, reason: str = "") -> dict:
        return {"StackId": "s", "EventId": logical + status, "StackName": "patchmon-dev", "LogicalResourceId": logical,
                "ResourceType": kind, "ResourceStatus": status, "ResourceStatusReason": reason, "Timestamp": "2026-11-27T00:00:00Z"}

    stack = "AWS::CloudFormation::Stack"
    newest_first = [
        event("patchmon-dev", stack, "ROLLBACK_COMPLETE"),
        event("Distribution", "AWS::CloudFront::Distribution", "CREATE_FAILED", "Resource creation cancelled"),
        event("MailIdentity", "AWS::SES::EmailIdentity", "CREATE_FAILED", "Email address is not verified"),
        event("patchmon-dev", stack, "CREATE_IN_PROGRESS", "User Initiated"),
        event("OldThing", "AWS::SQS::Queue", "UPDATE_FAILED", "from an earlier operation"),
    ]
    deployer = deploy.Deployer.__new__(deploy.Deployer)
    deployer.stage = "dev"
    deployer.cfn = boto3.client("cloudformation", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(deployer.cfn) as stub:
        stub.add_response("describe_stack_events", {"StackEvents": newest_first}, {"StackName": "patchmon-dev"})
        reasons = deployer.failure_reasons()

    assert reasons == ["MailIdentity (AWS::SES::EmailIdentity): Email address is not verified",
                       "Distribution (AWS::CloudFront::Distribution): Resource creation cancelled"]


def test_a_failed_first_creation_with_a_protected_table_says_how_to_release_it_then_deploys_when_run(aws_account, installation):
    deployer = installation.deployer
    deploy.deploy(deployer, installation.release("1"))
    dynamodb = aws_account.client("dynamodb")
    dynamodb.update_table(TableName="patchmon-dev-main", DeletionProtectionEnabled=True)
    _force_stack_status("ROLLBACK_FAILED")  # prod: the rollback could not delete its deletion-protected table
    retry = installation.release("2")

    with pytest.raises(SystemExit, match="cannot delete its tables while they are deletion-protected") as refused:
        deploy.deploy(deployer, retry)
    assert "aws dynamodb update-table --table-name patchmon-dev-main --no-deletion-protection-enabled" in str(refused.value)
    assert _stack_status(aws_account)["StackStatus"] == "ROLLBACK_FAILED"

    dynamodb.update_table(TableName="patchmon-dev-main", DeletionProtectionEnabled=False)
    deploy.deploy(deployer, retry)

    assert _stack_status(aws_account)["StackStatus"] == "CREATE_COMPLETE"


def test_a_request_aws_refuses_ends_the_command_with_its_message_not_a_traceback_when_run(aws_account, tmp_path, monkeypatch):
    from botocore.exceptions import ClientError

    package = _package(tmp_path, marker="one", distribution_id=_distribution(), assets={"assets/app-1.js": "one"})

    def refused(self, release, *, execute=True):
        raise ClientError({"Error": {"Code": "ValidationError", "Message": "Parameter 'BaseDomain' must match pattern ^[a-z0-9.-]+$"}},
                          "CreateChangeSet")

    monkeypatch.setattr(deploy.Deployer, "apply", refused)
    with pytest.raises(SystemExit) as stopped:
        deploy.main(["--stage", "dev", "--region", REGION, "--package", str(package), "--config", str(tmp_path / "none.json"),
                     *[f"--param={k}={v}" for k, v in PARAMS.items()]])

    assert str(stopped.value) == ("AWS refused CreateChangeSet: ValidationError: "
                                  "Parameter 'BaseDomain' must match pattern ^[a-z0-9.-]+$")


def test_a_stack_whose_update_could_not_roll_back_is_refused_with_the_way_out_when_run(installation):
    deploy.deploy(installation.deployer, installation.release("1"))
    _force_stack_status("UPDATE_ROLLBACK_FAILED")

    with pytest.raises(SystemExit, match=r"could not roll back its last update \(UPDATE_ROLLBACK_FAILED\)") as refused:
        deploy.deploy(installation.deployer, installation.release("2"))
    assert "aws cloudformation continue-update-rollback --stack-name patchmon-dev" in str(refused.value)
