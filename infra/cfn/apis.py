"""The REST API (Chalice's routes, from the same swagger `chalice package` generates) and the WebSocket API.

Plain CloudFormation rather than `chalice package`'s SAM output: Chalice takes the Lambda runtime from the
build machine's Python, emits no `ReportBatchItemFailures`, and a SAM template cannot be linted as deeply
or deployed into moto. The API itself is what Chalice would deploy: its swagger, one proxy integration
per route to the `api` function.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from infra.cfn.common import Resources, logical_id, sub_name
from infra.definition import GATEWAY_RESPONSES, REST_STAGE, REST_THROTTLE, WEBSOCKET_STAGE, Definition

API_FUNCTION = logical_id("api", "function")


def swagger() -> dict[str, Any]:
    """Chalice's swagger for app.py's routes, integrated with our `api` function."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # importing the app needs a region, not an account
    from chalice.deploy.swagger import CFNSwaggerGenerator

    from app import app

    text = json.dumps(CFNSwaggerGenerator().generate_swagger(app), sort_keys=True)
    body = json.loads(text.replace("${APIHandler.Arn}", f"${{{API_FUNCTION}.Arn}}"))
    # What API Gateway answers by itself, in the product's error shape (the local stack answers the same).
    body["x-amazon-apigateway-gateway-responses"] = {
        kind: {"statusCode": status, "responseTemplates": {"application/json": json.dumps(payload)}}
        for kind, (status, payload) in GATEWAY_RESPONSES.items()
    }
    return body


def rest_api() -> Resources:
    body = swagger()
    # A deployment is a snapshot: a new one (a new logical id) whenever the routes change, or they would not go live.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:10]
    deployment_id = f"RestApiDeployment{digest}"
    resources: Resources = {
        "RestApi": {
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {"Name": sub_name("rest"), "Body": body, "EndpointConfiguration": {"Types": ["REGIONAL"]}},
        },
        deployment_id: {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "RestApi"}}},
        "RestApiStage": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {
                "RestApiId": {"Ref": "RestApi"},
                "StageName": REST_STAGE,
                "DeploymentId": {"Ref": deployment_id},
                "TracingEnabled": True,
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": REST_THROTTLE[0],
                                    "ThrottlingBurstLimit": REST_THROTTLE[1]}],
            },
        },
        "RestApiPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": API_FUNCTION}, "Principal": "apigateway.amazonaws.com",
                           "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*"}},
        },
    }
    return resources


def websocket_api(definition: Definition) -> Resources:
    routes = [logical_id(f.name, "route") for f in definition.functions if f.websocket_route]
    return {
        "WebSocketApi": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {"Name": sub_name("websocket"), "ProtocolType": "WEBSOCKET",
                           "RouteSelectionExpression": f"$request.body.{definition.websocket_route_selection_key}"},
        },
        "WebSocketDeployment": {"Type": "AWS::ApiGatewayV2::Deployment", "DependsOn": routes, "Properties": {"ApiId": {"Ref": "WebSocketApi"}}},
        "WebSocketStage": {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {"ApiId": {"Ref": "WebSocketApi"}, "StageName": WEBSOCKET_STAGE, "DeploymentId": {"Ref": "WebSocketDeployment"}},
        },
    }
