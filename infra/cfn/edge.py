"""One domain for everything: CloudFront in front of the web app (S3), the REST API and the WebSocket API.

`https://{BaseDomain}` and `https://{tenant}.{BaseDomain}` (one wildcard certificate in us-east-1):
- `/api/v1/agents/ws`, `/api/v1/ws` → the WebSocket API (agents derive their WebSocket URL from the server URL);
- `/api/*` → the REST API's stage;
- everything else → the web app's files; client-side routes get index.html.
API requests carry the viewer's host and address (a CloudFront function) and the edge key (an origin header
read from Secrets Manager at deploy time), which is how the API tells them from calls made around the edge.
"""
from __future__ import annotations

import json
import pathlib
from typing import Any

from chalicelib.web.edge import EDGE_KEY
from infra.cfn.common import RETAINED, Resources, logical_id, sub_name
from infra.definition import REST_STAGE, WEBSOCKET_PATHS, WEBSOCKET_STAGE

FUNCTIONS_DIR = pathlib.Path(__file__).with_name("edge_functions")
EDGE_KEY_HEADER = EDGE_KEY  # the origin header the API checks (chalicelib/web/edge.py)
REST_PATH_PATTERN = "/api/*"
# AWS managed policies (their ids are the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
CLOUDFRONT_HOSTED_ZONE = "Z2FDTNDATAQYW2"  # the alias target zone of every CloudFront distribution
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]


def function_code(name: str) -> str:
    code = (FUNCTIONS_DIR / f"{name}.js").read_text()
    return code.replace("__STAGE__", WEBSOCKET_STAGE).replace("__WEBSOCKET_PATHS__", json.dumps(list(WEBSOCKET_PATHS)))


def _edge_key() -> dict[str, Any]:
    # A dynamic reference: CloudFormation reads the generated secret when it deploys; it never sits in the template.
    return {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": logical_id("edge-origin-key", "secret")}, ":SecretString}}"]]}


def _api_origin(origin_id: str, api: str, *, path: str = "") -> dict[str, Any]:
    origin: dict[str, Any] = {
        "Id": origin_id,
        "DomainName": {"Fn::Sub": f"${{{api}}}.execute-api.${{AWS::Region}}.amazonaws.com"},
        "CustomOriginConfig": {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"], "OriginReadTimeout": 30},
        "OriginCustomHeaders": [{"HeaderName": EDGE_KEY_HEADER, "HeaderValue": _edge_key()}],
    }
    return origin | ({"OriginPath": path} if path else {})


def _api_behavior(path: str, origin_id: str) -> dict[str, Any]:
    return {
        "PathPattern": path,
        "TargetOriginId": origin_id,
        "ViewerProtocolPolicy": "https-only",  # agents and API clients must not be redirected (a redirect loses a POST)
        "AllowedMethods": ALL_METHODS,
        "CachedMethods": ["GET", "HEAD"],
        "CachePolicyId": CACHING_DISABLED,
        "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST_HEADER,
        "Compress": True,
        "FunctionAssociations": [{"EventType": "viewer-request",
                                  "FunctionARN": {"Fn::GetAtt": ["ApiRequestFunction", "FunctionMetadata.FunctionARN"]}}],
    }


def _viewer_function(name: str, comment: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudFront::Function",
        "Properties": {
            "Name": sub_name(name),
            "AutoPublish": True,
            "FunctionConfig": {"Comment": comment, "Runtime": "cloudfront-js-2.0"},
            "FunctionCode": function_code(name.replace("-", "_")),
        },
    }


def edge() -> Resources:
    domain = {"Ref": "BaseDomain"}
    wildcard = {"Fn::Sub": "*.${BaseDomain}"}
    resources: Resources = {
        "FrontendBucket": {
            "Type": "AWS::S3::Bucket",
            **RETAINED,
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
                                                   "RestrictPublicBuckets": True},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                # Old builds stay a while, so a rollback of the web app is a copy, not a rebuild.
                "VersioningConfiguration": {"Status": "Enabled"},
                "LifecycleConfiguration": {"Rules": [{"Id": "old-builds", "Status": "Enabled",
                                                      "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]},
            },
        },
        "FrontendBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "FrontendBucket"},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "CloudFrontReads", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                     "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${FrontendBucket.Arn}/*"},
                     "Condition": {"StringEquals": {"AWS:SourceArn": {
                         "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"}}}},
                    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": [{"Fn::GetAtt": ["FrontendBucket", "Arn"]}, {"Fn::Sub": "${FrontendBucket.Arn}/*"}],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                ]},
            },
        },
        "FrontendOriginAccessControl": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {"OriginAccessControlConfig": {"Name": sub_name("frontend"), "OriginAccessControlOriginType": "s3",
                                                         "SigningBehavior": "always", "SigningProtocol": "sigv4"}},
        },
        "ApiRequestFunction": _viewer_function("api-request", "Viewer host and address for the API; the WebSocket API's stage path"),
        "SpaRequestFunction": _viewer_function("spa-request", "Client-side routes get index.html"),
    }
    behaviors = [_api_behavior(path, "websocket") for path in WEBSOCKET_PATHS] + [_api_behavior(REST_PATH_PATTERN, "rest")]
    resources["Distribution"] = {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {"DistributionConfig": {
            "Enabled": True,
            "Comment": {"Fn::Sub": "PatchMon ${Stage}"},
            "Aliases": [domain, wildcard],
            "ViewerCertificate": {"AcmCertificateArn": {"Ref": "CertificateArn"}, "SslSupportMethod": "sni-only",
                                  "MinimumProtocolVersion": "TLSv1.2_2021"},
            "HttpVersion": "http2and3",
            "IPV6Enabled": True,
            "PriceClass": {"Ref": "PriceClass"},
            "DefaultRootObject": "index.html",
            "Origins": [
                {"Id": "frontend", "DomainName": {"Fn::GetAtt": ["FrontendBucket", "RegionalDomainName"]},
                 "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": {"Fn::GetAtt": ["FrontendOriginAccessControl", "Id"]}},
                _api_origin("rest", "RestApi", path=f"/{REST_STAGE}"),
                _api_origin("websocket", "WebSocketApi"),
            ],
            "DefaultCacheBehavior": {
                "TargetOriginId": "frontend",
                "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": ["GET", "HEAD"],
                "CachePolicyId": CACHING_OPTIMIZED,
                "ResponseHeadersPolicyId": SECURITY_HEADERS,
                "Compress": True,
                "FunctionAssociations": [{"EventType": "viewer-request",
                                          "FunctionARN": {"Fn::GetAtt": ["SpaRequestFunction", "FunctionMetadata.FunctionARN"]}}],
            },
            "CacheBehaviors": behaviors,
        }},
    }
    for name, target in (("apex", domain), ("wildcard", wildcard)):
        for kind in ("A", "AAAA"):
            resources[logical_id("dns", name, kind.lower())] = {
                "Type": "AWS::Route53::RecordSet",
                "Condition": "HasHostedZone",
                "Properties": {"HostedZoneId": {"Ref": "HostedZoneId"}, "Name": target, "Type": kind,
                               "AliasTarget": {"DNSName": {"Fn::GetAtt": ["Distribution", "DomainName"]},
                                               "HostedZoneId": CLOUDFRONT_HOSTED_ZONE}},
            }
    return resources
