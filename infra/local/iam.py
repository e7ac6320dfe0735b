"""The functions' grants (`infra/definition.py`), enforced in the local stack as IAM enforces them in AWS.

While a function runs (`acting_as`), every AWS call it makes must be allowed by one of its grants, or it fails
with AccessDeniedException, as it would in AWS. A grant missing from the definition therefore fails the
end-to-end tests here instead of the first deployment. Actions are checked, and for secrets the secret too
(the one resource a function's grants single out); the template holds the exact ARNs.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.client
from botocore.exceptions import ClientError

from infra.definition import Definition, Function, SecretArn

log = logging.getLogger("patchmon.local.iam")

_TRANSACT_WRITE_ACTIONS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                           "ConditionCheck": "dynamodb:ConditionCheckItem"}


@dataclass(frozen=True)
class Allowed:
    actions: frozenset[str]
    secret_arns: frozenset[str]


_acting: contextvars.ContextVar[tuple[str, Allowed] | None] = contextvars.ContextVar("acting_function", default=None)
_original_make_api_call = botocore.client.BaseClient._make_api_call


def required_actions(signing_name: str, operation: str, params: Mapping[str, Any]) -> list[str]:
    """The IAM actions AWS checks for one API call."""
    if signing_name == "execute-api":  # @connections: every operation is ManageConnections
        return ["execute-api:ManageConnections"]
    if signing_name == "dynamodb" and operation == "TransactWriteItems":
        return sorted({_TRANSACT_WRITE_ACTIONS[kind] for item in params.get("TransactItems", []) for kind in item})
    if signing_name == "dynamodb" and operation == "TransactGetItems":
        return ["dynamodb:GetItem"]
    actions = [f"{signing_name}:{operation}"]
    if signing_name == "scheduler" and operation in ("CreateSchedule", "UpdateSchedule"):
        actions.append("iam:PassRole")  # the schedule's target role is passed to the Scheduler
    return actions


def allowed(fn: Function, secret_arns: Mapping[str, str]) -> Allowed:
    return Allowed(frozenset(a for g in fn.all_grants for a in g.actions),
                   frozenset(secret_arns[g.resource.secret] for g in fn.all_grants if isinstance(g.resource, SecretArn)))


def guarded_make_api_call(self: botocore.client.BaseClient, operation: str, params: dict[str, Any]) -> Any:
    acting = _acting.get()
    if acting is not None:
        name, grants = acting
        signing_name = self.meta.service_model.signing_name
        for action in required_actions(signing_name, operation, params):
            secret = params.get("SecretId") if signing_name == "secretsmanager" else None
            if action not in grants.actions or (secret is not None and secret not in grants.secret_arns):
                message = f"function {name} is not authorized to perform: {action}" + (f" on {secret}" if secret else "")
                log.error("%s (add the grant in infra/definition.py)", message)
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, operation)
    return _original_make_api_call(self, operation, params)


class GrantGuard:
    """Checks the calls of the definition's functions against their grants, once installed."""

    def __init__(self, definition: Definition, secret_arns: Mapping[str, str]) -> None:
        self._allowed = {fn.name: allowed(fn, secret_arns) for fn in definition.functions}

    @staticmethod
    def install() -> None:
        """Route every botocore call of this process through the check (calls outside a function pass)."""
        botocore.client.BaseClient._make_api_call = guarded_make_api_call  # type: ignore[method-assign]

    @contextlib.contextmanager
    def acting_as(self, function_name: str) -> Iterator[None]:
        token = _acting.set((function_name, self._allowed[function_name]))
        try:
            yield
        finally:
            _acting.reset(token)
