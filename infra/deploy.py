"""Deploy a built package (`make package`) to AWS as the stack `patchmon-<stage>`, or roll back to an earlier one.

    python -m infra.deploy --stage dev                      # deploy build/package
    python -m infra.deploy --stage prod --param AlarmEmail=ops@example.com
    python -m infra.deploy --stage prod --releases          # list what was deployed
    python -m infra.deploy --stage prod --rollback [--to RELEASE]

Parameters come from `infra/stages/<stage>.json` (the stage's defaults, committed), then `deploy.<stage>.json`
at the repository's root (this installation's: BaseDomain, CertificateArn, ...; not committed), then --param.
Every release (template, Lambda package, web app, parameters) is kept in the artefact bucket
`patchmon-artifacts-<account>-<region>`, so a rollback redeploys exactly what ran before. AWS credentials
come from the usual places (AWS_PROFILE, environment, SSO); nothing here stores them.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import io
import json
import mimetypes
import pathlib
import sys
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

ROOT = pathlib.Path(__file__).resolve().parents[1]
STAGES_DIR = ROOT / "infra" / "stages"
IMMUTABLE = "public, max-age=31536000, immutable"  # hashed file names under assets/
REVALIDATE = "no-cache"  # index.html and the other fixed names: always asked again, answered 304 when unchanged
CAPABILITIES = ["CAPABILITY_IAM"]


def stack_name(stage: str) -> str:
    return f"patchmon-{stage}"


def new_release_id(sha256: str) -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%S%fZ}-{sha256[:12]}"


@dataclass(frozen=True)
class Release:
    """One deployment's artefacts in the artefact bucket."""

    release_id: str
    template_key: str
    code_key: str
    frontend_key: str
    parameters: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, sort_keys=True)


def parameters(stage: str, *, config: pathlib.Path | None, overrides: list[str]) -> dict[str, str]:
    """The stack parameters: the stage's defaults, this installation's file, then the command line."""
    values: dict[str, str] = json.loads((STAGES_DIR / f"{stage}.json").read_text())
    path = config or ROOT / f"deploy.{stage}.json"
    if path.exists():
        values |= {k: str(v) for k, v in json.loads(path.read_text()).items()}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--param takes Key=Value, not {item!r}")
        values[key] = value
    missing = [k for k in ("BaseDomain", "CertificateArn") if not values.get(k)]
    if missing:
        raise SystemExit(f"missing parameters {', '.join(missing)}: put them in {path.name} or pass --param Key=Value")
    values["Stage"] = stage
    return values


class Deployer:
    def __init__(self, stage: str, session: boto3.session.Session) -> None:
        self.stage = stage
        self.session = session
        self.region = session.region_name
        self.cfn = session.client("cloudformation")
        self.s3 = session.client("s3")
        account = session.client("sts").get_caller_identity()["Account"]
        self.bucket = f"patchmon-artifacts-{account}-{self.region}"

    # --- artefacts ------------------------------------------------------------------------------
    def ensure_bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.bucket)
            return
        except ClientError:
            pass
        create: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.s3.create_bucket(**create)
        self.s3.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        self.s3.put_bucket_encryption(Bucket=self.bucket, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})

    def _put_once(self, key: str, body: bytes) -> None:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)

    def upload(self, package: pathlib.Path, params: dict[str, str]) -> Release:
        manifest = json.loads((package / "manifest.json").read_text())
        sha = manifest["sha256"]
        release_id = new_release_id(sha)
        code_key = f"lambda/{sha}.zip"
        self._put_once(code_key, (package / manifest["lambda_zip"]).read_bytes())
        template_key = f"releases/{self.stage}/{release_id}/template.json"
        self.s3.put_object(Bucket=self.bucket, Key=template_key, Body=(package / "template.json").read_bytes())
        frontend_key = f"releases/{self.stage}/{release_id}/frontend.zip"
        self.s3.put_object(Bucket=self.bucket, Key=frontend_key, Body=_zip_dir(package / (manifest.get("frontend") or {}).get("dir", "frontend")))
        return Release(release_id, template_key, code_key, frontend_key, params | {"CodeBucket": self.bucket, "CodeKey": code_key})

    def record(self, release: Release) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=f"releases/{self.stage}/{release.release_id}/release.json", Body=release.to_json().encode())

    def releases(self) -> list[Release]:
        """Every recorded release of the stage, oldest first."""
        found = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"releases/{self.stage}/"):
            for item in page.get("Contents", []):
                if item["Key"].endswith("/release.json"):
                    body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                    found.append(Release(**json.loads(body)))
        return sorted(found, key=lambda r: r.release_id)

    # --- the stack ------------------------------------------------------------------------------
    def _stack_status(self) -> str | None:
        try:
            stacks = self.cfn.describe_stacks(StackName=stack_name(self.stage))["Stacks"]
        except ClientError:
            return None
        return stacks[0]["StackStatus"] if stacks else None

    def _change_set_type(self) -> str:
        """CREATE or UPDATE; a first creation that rolled back is deleted first (CloudFormation cannot update it)."""
        name = stack_name(self.stage)
        status = self._stack_status()
        if status in (None, "REVIEW_IN_PROGRESS"):  # no stack, or only a change set from --no-execute
            return "CREATE"
        if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED"):  # only a first creation ends in these
            self._delete_failed_first_creation(status)
            return "CREATE"
        if status.endswith("_IN_PROGRESS"):
            raise SystemExit(f"{name} is busy ({status}): wait until CloudFormation has finished, then deploy again")
        if status == "UPDATE_ROLLBACK_FAILED":
            reasons = "".join(f"\n  {reason}" for reason in self.failure_reasons())
            raise SystemExit(f"{name} could not roll back its last update (UPDATE_ROLLBACK_FAILED):{reasons}\nfix what is named "
                             f"above, run `aws cloudformation continue-update-rollback --stack-name {name}`, then deploy again")
        return "UPDATE"

    def _delete_failed_first_creation(self, status: str) -> None:
        name = stack_name(self.stage)
        protected = self._deletion_protected_tables()
        if protected:
            # prod's table is deletion-protected, so CloudFormation could not remove it when the creation rolled back.
            commands = "".join(f"\n  aws dynamodb update-table --table-name {t} --no-deletion-protection-enabled" for t in protected)
            raise SystemExit(f"{name} is what is left of a first deployment that failed ({status}), and CloudFormation cannot "
                             f"delete its tables while they are deletion-protected. They were created by that failed "
                             f"deployment and hold no data: turn the protection off, then run make deploy again:{commands}")
        print(f"{name} is what is left of a first deployment that failed ({status}): deleting it, then creating it again")
        self.cfn.delete_stack(StackName=name)
        try:
            self.cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 10, "MaxAttempts": 180})
        except WaiterError:
            reasons = "".join(f"\n  {reason}" for reason in self.failure_reasons())
            raise SystemExit(f"CloudFormation could not delete {name}:{reasons}") from None

    def _deletion_protected_tables(self) -> list[str]:
        pages = self.cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name(self.stage))
        tables = [r["PhysicalResourceId"] for page in pages for r in page["StackResourceSummaries"]
                  if r.get("ResourceType") == "AWS::DynamoDB::Table" and r.get("PhysicalResourceId")]
        dynamodb = self.session.client("dynamodb")
        protected = []
        for table in tables:
            try:
                if dynamodb.describe_table(TableName=table)["Table"].get("DeletionProtectionEnabled"):
                    protected.append(table)
            except dynamodb.exceptions.ResourceNotFoundException:
                pass
        return protected

    def apply(self, release: Release, *, execute: bool = True) -> bool:
        """Create and (unless told not to) execute a change set; return whether anything changed."""
        name = stack_name(self.stage)
        change_set = f"release-{release.release_id.replace('T', '').replace('Z', '')}"
        kind = self._change_set_type()
        self.cfn.create_change_set(
            StackName=name, ChangeSetName=change_set, ChangeSetType=kind, Capabilities=CAPABILITIES,
            TemplateURL=f"https://{self.bucket}.s3.{self.region}.amazonaws.com/{release.template_key}",
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(release.parameters.items())],
            Tags=[{"Key": "patchmon:release", "Value": release.release_id}],
        )
        try:
            self.cfn.get_waiter("change_set_create_complete").wait(StackName=name, ChangeSetName=change_set,
                                                                   WaiterConfig={"Delay": 5, "MaxAttempts": 120})
        except WaiterError:
            described = self.cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
            if "didn't contain changes" in described.get("StatusReason", "") or "No updates" in described.get("StatusReason", ""):
                self.cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
                print("the stack is already up to date")
                return False
            raise SystemExit(f"change set failed: {described.get('StatusReason')}") from None
        for change in self.cfn.describe_change_set(StackName=name, ChangeSetName=change_set).get("Changes", []):
            rc = change["ResourceChange"]
            print(f"  {rc['Action']:<8} {rc['LogicalResourceId']} ({rc['ResourceType']})"
                  + ("  REPLACEMENT" if rc.get("Replacement") == "True" else ""))
        if not execute:
            print(f"change set {change_set} created, not executed (--no-execute): the next deployment makes a fresh one")
            return False
        self.cfn.execute_change_set(StackName=name, ChangeSetName=change_set)
        waiter = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
        try:
            self.cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
        except WaiterError:
            reasons = "".join(f"\n  {reason}" for reason in self.failure_reasons())
            again = " (the next make deploy deletes what is left and creates it again)" if kind == "CREATE" else ""
            raise SystemExit(f"the deployment failed and CloudFormation rolled {name} back{again}:{reasons}") from None
        return True

    def failure_reasons(self, limit: int = 5) -> list[str]:
        """The first resources that failed in the stack's latest operation, with CloudFormation's reasons."""
        failed = []
        for event in self.cfn.describe_stack_events(StackName=stack_name(self.stage))["StackEvents"]:  # newest first
            if event["ResourceStatus"].endswith("_FAILED") and event.get("ResourceStatusReason"):
                failed.append(f"{event['LogicalResourceId']} ({event['ResourceType']}): {event['ResourceStatusReason']}")
            if event["ResourceType"] == "AWS::CloudFormation::Stack" and event.get("ResourceStatusReason") == "User Initiated":
                break  # where the latest operation began
        return failed[::-1][:limit]

    def outputs(self) -> dict[str, str]:
        stack = self.cfn.describe_stacks(StackName=stack_name(self.stage))["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    # --- the web app ----------------------------------------------------------------------------
    def publish_frontend(self, release: Release, outputs: dict[str, str]) -> int:
        """Put the release's web app in the frontend bucket (hashed assets first, index.html last) and invalidate."""
        bucket = outputs["FrontendBucketName"]
        archive = zipfile.ZipFile(io.BytesIO(self.s3.get_object(Bucket=self.bucket, Key=release.frontend_key)["Body"].read()))
        names = sorted(archive.namelist(), key=lambda n: (n == "index.html", n))  # never an index naming missing assets
        for name in names:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.s3.put_object(Bucket=bucket, Key=name, Body=archive.read(name), ContentType=content_type,
                               CacheControl=IMMUTABLE if name.startswith("assets/") else REVALIDATE)
        keep = set(names)
        stale = [o["Key"] for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                 for o in page.get("Contents", []) if o["Key"] not in keep]
        for start in range(0, len(stale), 1000):
            self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
        self.session.client("cloudfront").create_invalidation(
            DistributionId=outputs["DistributionId"],
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": release.release_id})
        return len(names)


def _zip_dir(directory: pathlib.Path) -> bytes:
    if not (directory / "index.html").exists():
        raise SystemExit(f"{directory} has no index.html: run make package (it builds the web app)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def deploy(deployer: Deployer, release: Release, *, execute: bool = True) -> dict[str, str]:
    """Apply a release: the stack, then its web app; record it. Returns the stack's outputs."""
    deployer.apply(release, execute=execute)
    if not execute:
        return {}
    outputs = deployer.outputs()
    count = deployer.publish_frontend(release, outputs)
    deployer.record(release)
    print(f"release {release.release_id}: stack {stack_name(deployer.stage)} ready, web app {count} files")
    return outputs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, choices=sorted(p.stem for p in STAGES_DIR.glob("*.json")))
    parser.add_argument("--package", type=pathlib.Path, default=ROOT / "build" / "package")
    parser.add_argument("--config", type=pathlib.Path, help="this installation's parameters (default deploy.<stage>.json)")
    parser.add_argument("--param", action="append", default=[], metavar="Key=Value")
    parser.add_argument("--region", help="AWS region (default: the profile's)")
    parser.add_argument("--no-execute", action="store_true", help="upload the release, create and show its change set, do not execute it")
    parser.add_argument("--releases", action="store_true", help="list the stage's releases")
    parser.add_argument("--rollback", action="store_true", help="redeploy the release before the current one (or --to)")
    parser.add_argument("--to", help="the release to roll back to")
    args = parser.parse_args(argv)
    try:
        deployer = Deployer(args.stage, boto3.session.Session(region_name=args.region))
    except (BotoCoreError, ClientError) as exc:  # no credentials, no region, no network, a refused identity
        raise SystemExit(f"cannot reach AWS ({exc}): set AWS_PROFILE (or AWS credentials) and a region, or pass --region") from None
    try:
        _run(args, deployer)
    except ClientError as exc:  # e.g. a parameter the template refuses, or a permission the deploying identity lacks
        error = exc.response.get("Error", {})
        raise SystemExit(f"AWS refused {exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from None


def _run(args: argparse.Namespace, deployer: Deployer) -> None:
    if args.releases:
        for release in deployer.releases():
            print(release.release_id)
        return
    if args.rollback:
        history = deployer.releases()
        if len(history) < 2 and not args.to:
            raise SystemExit("nothing to roll back to: fewer than two releases")
        target = next((r for r in history if r.release_id == args.to), None) if args.to else history[-2]
        if target is None:
            raise SystemExit(f"no release {args.to}; --releases lists them")
        print(f"rolling back {stack_name(args.stage)} to {target.release_id}")
        # Recorded as a release of its own (the same artefacts), so the history reads in the order things ran.
        again = dataclasses.replace(target, release_id=new_release_id(target.code_key.removeprefix("lambda/")))
        outputs = deploy(deployer, again, execute=not args.no_execute)
    else:
        if not all((args.package / name).exists() for name in ("manifest.json", "template.json")):
            raise SystemExit(f"{args.package} holds no complete package: run make package first")
        params = parameters(args.stage, config=args.config, overrides=args.param)
        deployer.ensure_bucket()
        release = deployer.upload(args.package, params)
        outputs = deploy(deployer, release, execute=not args.no_execute)
    for key in ("Url", "DistributionDomainName", "AgentWebSocketUrl"):
        if key in outputs:
            print(f"{key}: {outputs[key]}")


if __name__ == "__main__":
    main(sys.argv[1:])
