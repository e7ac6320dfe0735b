"""Run the definition's functions in process, the way Lambda calls them: handler(event, context)."""
from __future__ import annotations

import contextlib
import importlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.definition import Definition, Function, physical_name
from infra.local.aws import function_arn
from infra.local.iam import GrantGuard

log = logging.getLogger("patchmon.local.lambda")

# Chalice keeps the current request on the app object: fine in Lambda, where a container runs one
# invocation at a time, but two threads of this process would see each other's requests. Every
# invocation of app.py's handlers (REST and WebSocket) therefore holds this lock.
APP_LOCK = threading.Lock()


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    invoked_function_arn: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


class LambdaRuntime:
    """Resolves handlers by their dotted path and invokes them with a fresh context."""

    def __init__(self, definition: Definition, stage: str) -> None:
        self._definition = definition
        self._stage = stage
        self._handlers: dict[str, Callable[[dict, Any], Any]] = {}
        self._lock = threading.Lock()
        self._guard: GrantGuard | None = None

    def enforce_grants(self, secret_arns: dict[str, str]) -> None:
        """From now on, a function's AWS calls outside its grants fail as they would in AWS (infra/local/iam.py)."""
        self._guard = GrantGuard(self._definition, secret_arns)
        self._guard.install()

    def acting_as(self, name: str) -> contextlib.AbstractContextManager[None]:
        """The scope of one invocation of function `name`, for the grant check."""
        return self._guard.acting_as(name) if self._guard else contextlib.nullcontext()

    def function(self, name: str) -> Function:
        return self._definition.function(name)

    def function_by_arn(self, arn: str) -> Function | None:
        """Return the function whose (would-be) ARN this is."""
        return next((f for f in self._definition.functions if function_arn(self._stage, f.service_name) == arn), None)

    def handler(self, fn: Function) -> Callable[[dict, Any], Any]:
        with self._lock:
            if fn.name not in self._handlers:
                module_name, attribute = fn.handler.rsplit(".", 1)
                self._handlers[fn.name] = getattr(importlib.import_module(module_name), attribute)
            return self._handlers[fn.name]

    def context(self, fn: Function) -> LambdaContext:
        return LambdaContext(physical_name(self._stage, fn.service_name), fn.memory_mb, fn.timeout_seconds,
                             function_arn(self._stage, fn.service_name))

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        """Invoke a function synchronously; exceptions propagate, as a function error does to Lambda's caller."""
        fn = self.function(name)
        context = self.context(fn)
        started = time.monotonic()
        try:
            with self.acting_as(name):
                if fn.handler.startswith("app."):
                    with APP_LOCK:
                        return self.handler(fn)(event, context)
                return self.handler(fn)(event, context)
        finally:
            elapsed = time.monotonic() - started
            if elapsed > fn.timeout_seconds:
                # In-process code cannot be killed; Lambda would have stopped it with "Task timed out".
                log.warning("function exceeded its timeout: %s took %.1fs (limit %ss)", name, elapsed, fn.timeout_seconds)
