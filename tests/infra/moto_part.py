"""The part of the template moto's CloudFormation can create, with stand-ins for the rest.

moto creates tables, queues, functions, roles, rules, log groups, the KMS key, the bucket and the topic, and
skips (or fails on) CloudFront, API Gateway v2, the Scheduler, Secrets Manager, SES and alarms
(../shared/spec/aws-and-tooling-facts.md §2). References to a skipped resource become a stand-in string, so
what remains deploys with every property it has in AWS.
"""
from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.parsing import get_model_map

# moto has this type but cannot deploy a REST API defined by an imported Body (it sees no methods).
NOT_DEPLOYABLE = {"AWS::ApiGateway::Deployment"}


def stand_in(logical: str) -> str:
    return f"not-in-moto-{logical}"


def moto_part(template: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Return the deployable part of `template` and the logical ids left out."""
    supported = get_model_map()
    resources = template["Resources"]
    left_out = {k for k, r in resources.items() if r["Type"] not in supported or r["Type"] in NOT_DEPLOYABLE}

    def sub(text: str) -> str:
        return re.sub(r"\$\{([A-Za-z0-9]+)(\.[A-Za-z.]+)?\}",
                      lambda m: stand_in(m.group(1)) if m.group(1) in left_out else m.group(0), text)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in left_out:
                return stand_in(node["Ref"])
            if set(node) == {"Fn::GetAtt"} and node["Fn::GetAtt"][0] in left_out:
                return stand_in(node["Fn::GetAtt"][0])
            if set(node) == {"Fn::Sub"}:
                value = node["Fn::Sub"]
                return {"Fn::Sub": sub(value) if isinstance(value, str) else [sub(value[0]), walk(value[1])]}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and node.startswith("{{resolve:"):
            return "dynamic-reference"
        return node

    kept = {k: walk(r) for k, r in resources.items() if k not in left_out}
    for resource in kept.values():
        if "DependsOn" in resource:
            resource["DependsOn"] = [d for d in resource["DependsOn"] if d not in left_out]
    return {**template, "Resources": kept, "Outputs": walk(template.get("Outputs", {}))}, left_out
