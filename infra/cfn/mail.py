"""The SES identity mail is sent from: the base domain, signed with Easy DKIM (records created when the zone is ours)."""
from __future__ import annotations

from infra.cfn.common import Resources

DKIM_RECORDS = 3  # Easy DKIM publishes three CNAMEs


def mail() -> Resources:
    resources: Resources = {
        "MailIdentity": {
            "Type": "AWS::SES::EmailIdentity",
            "Properties": {"EmailIdentity": {"Ref": "BaseDomain"}, "DkimSigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"},
                           "DkimAttributes": {"SigningEnabled": True}},
        },
    }
    for n in range(1, DKIM_RECORDS + 1):
        resources[f"MailDkimRecord{n}"] = {
            "Type": "AWS::Route53::RecordSet",
            "Condition": "HasHostedZone",
            "Properties": {"HostedZoneId": {"Ref": "HostedZoneId"}, "Type": "CNAME", "TTL": "1800",
                           "Name": {"Fn::GetAtt": ["MailIdentity", f"DkimDNSTokenName{n}"]},
                           "ResourceRecords": [{"Fn::GetAtt": ["MailIdentity", f"DkimDNSTokenValue{n}"]}]},
        }
    return resources
