"""Render `infra/definition.py` as one CloudFormation template: the whole product in one stack.

    python -m infra.template [--out build/template.json]

Plain CloudFormation (no transform): data, queues, schedules, both APIs, the functions with their own
least-privilege roles, CloudFront + S3 for the one domain, DNS, mail, alarms. The parts are in `infra/cfn/`.
"""
from __future__ import annotations

import argparse
import json
import pathlib
from typing import Any

from infra.cfn import data
from infra.cfn.apis import rest_api, websocket_api
from infra.cfn.common import logical_id
from infra.cfn.compute import function, scheduler
from infra.cfn.edge import edge
from infra.cfn.mail import mail
from infra.cfn.monitoring import monitoring
from infra.definition import DEFINITION, WEBSOCKET_PATHS, Definition, Param

# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_CHOICES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]

__all__ = ["logical_id", "render"]


def _parameters(definition: Definition) -> dict[str, Any]:
    from_environment = {v.name: {"Type": "String", "Default": v.default, **({"NoEcho": True} if v.no_echo else {})}
                        for v in definition.environment.values() if isinstance(v, Param)}
    from_environment["BaseDomain"] |= {
        "Description": "The product's domain: the app at https://<BaseDomain>, tenants at https://<slug>.<BaseDomain>",
        "AllowedPattern": r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        "ConstraintDescription": "a lower-case domain name such as patchmon.example.com",
    }
    from_environment["BaseDomain"].pop("Default", None)
    from_environment["OperatorKeySha256"] |= {"Description": "SHA-256 (hex) of the operator key: `make operator-key` prints a pair",
                                              "AllowedPattern": "^([0-9a-f]{64})?$"}
    return {
        "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev",
                  "Description": "prod turns on deletion protection of the tables"},
        "CodeBucket": {"Type": "String", "Description": "S3 bucket holding the Lambda package (make deploy fills it in)"},
        "CodeKey": {"Type": "String", "Description": "S3 key of the Lambda package (make deploy fills it in)"},
        "CertificateArn": {"Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$",
                           "ConstraintDescription": "an ACM certificate ARN in us-east-1 (CloudFront's region)",
                           "Description": "ACM certificate in us-east-1 covering BaseDomain and *.BaseDomain"},
        "HostedZoneId": {"Type": "String", "Default": "",
                         "Description": "Route 53 hosted zone of BaseDomain: when given, the DNS and DKIM records are created"},
        "AlarmEmail": {"Type": "String", "Default": "", "Description": "Address the alarms are mailed to (confirm the subscription)"},
        "LogRetentionDays": {"Type": "Number", "Default": 30, "AllowedValues": LOG_RETENTION_CHOICES},
        "PriceClass": {"Type": "String", "Default": "PriceClass_100",
                       "AllowedValues": ["PriceClass_100", "PriceClass_200", "PriceClass_All"],
                       "Description": "CloudFront edge locations: 100 = North America and Europe"},
        **from_environment,
    }


def _outputs(definition: Definition) -> dict[str, Any]:
    outputs: dict[str, Any] = {
        "Url": {"Description": "The product (the default tenant)", "Value": {"Fn::Sub": "https://${BaseDomain}"}},
        "AgentWebSocketUrl": {"Value": {"Fn::Sub": f"wss://${{BaseDomain}}{WEBSOCKET_PATHS[0]}"}},
        "DistributionId": {"Value": {"Ref": "Distribution"}},
        "DistributionDomainName": {"Description": "Point BaseDomain and *.BaseDomain here when Route 53 does not hold the zone",
                                   "Value": {"Fn::GetAtt": ["Distribution", "DomainName"]}},
        "FrontendBucketName": {"Value": {"Ref": "FrontendBucket"}},
        "RestApiId": {"Value": {"Ref": "RestApi"}},
        "WebSocketApiId": {"Value": {"Ref": "WebSocketApi"}},
        "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
    }
    for n in range(1, 4):
        outputs[f"MailDkimRecord{n}"] = {
            "Description": "A DKIM CNAME to publish when Route 53 does not hold the zone",
            "Value": {"Fn::Join": [" CNAME ", [{"Fn::GetAtt": ["MailIdentity", f"DkimDNSTokenName{n}"]},
                                               {"Fn::GetAtt": ["MailIdentity", f"DkimDNSTokenValue{n}"]}]]},
        }
    outputs |= {logical_id(t.name, "table", "name"): {"Value": {"Ref": logical_id(t.name, "table")}} for t in definition.tables}
    outputs |= {logical_id(q.name, "queue", "url"): {"Value": {"Ref": logical_id(q.name, "queue")}} for q in definition.queues}
    return outputs


def render(definition: Definition = DEFINITION) -> dict[str, Any]:
    """Return the CloudFormation template for `definition`."""
    resources: dict[str, Any] = data.keys_and_secrets(definition)
    for table in definition.tables:
        resources |= data.table(table)
    for queue in definition.queues:
        resources |= data.queue(queue)
    resources |= scheduler(definition)
    resources |= rest_api()
    resources |= websocket_api(definition)
    for fn in definition.functions:
        resources |= function(fn, definition)
    resources |= edge()
    resources |= mail()
    resources |= monitoring(definition)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "PatchMon Cloud: the whole product (data, queues, schedules, APIs, functions, CloudFront, mail, alarms)",
        "Parameters": _parameters(definition),
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "HasHostedZone": {"Fn::Not": [{"Fn::Equals": [{"Ref": "HostedZoneId"}, ""]}]},
            "HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
        },
        "Resources": resources,
        "Outputs": _outputs(definition),
    }


def main() -> None:
    """Write the rendered template to a file (default build/template.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/template.json")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(render(), indent=2, sort_keys=True) + "\n")
    print(out)


if __name__ == "__main__":
    main()
