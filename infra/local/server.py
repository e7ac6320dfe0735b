"""The local stack: the whole product on one port, with moto as the embedded AWS.

    python -m infra.local [--port 8000]      (or `make run`)

One aiohttp server serves the WebSocket API (API Gateway semantics, `infra/local/ws_gateway.py`),
its `@connections` management API, the REST API (the Chalice app as API Gateway invokes it) and the
frontend, adding to API requests the headers CloudFront adds in AWS (`infra/local/edge.py`). Beside it
run the SQS pump and the scheduler, which invoke `functions/` as Lambda would.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import signal
import sys
import threading
import time
import warnings
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from infra.definition import DEFINITION, REST_MAX_PAYLOAD_BYTES, WEBSOCKET_PATHS, WEBSOCKET_STAGE, physical_name
from infra.local import config as local_config
from infra.local import persistence
from infra.local.aws import EmbeddedAws, Resources, provision, resolve_environment
from infra.local.edge import read_edge_key
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.rest import RestGateway, gateway_response
from infra.local.scheduler import LocalScheduler
from infra.local.sqs_pump import SqsPump
from infra.local.ws_gateway import GatewayConfig, WebSocketGateway

log = logging.getLogger("patchmon.local")


class LocalStack:
    """Starts and stops every part of the local stack, in order."""

    def __init__(self, cfg: local_config.LocalConfig) -> None:
        self.cfg = cfg
        self.aws = EmbeddedAws(cfg.moto_port)
        self.resources: Resources | None = None
        self.runtime = LambdaRuntime(DEFINITION, cfg.stage)
        self.pump: SqsPump | None = None
        self.scheduler: LocalScheduler | None = None
        self.gateway: WebSocketGateway | None = None
        self._runner: web.AppRunner | None = None
        self._snapshot_stop = threading.Event()
        self._snapshot_thread: threading.Thread | None = None

    @property
    def snapshot_path(self):
        return self.cfg.data_dir / "snapshot.json"

    def start_aws(self) -> None:
        """Start moto, create the definition's resources, restore saved data and set the functions' environment."""
        self.aws.start()
        self.resources = provision(self.aws.client, DEFINITION, self.cfg.stage, visibility_timeout=self.cfg.queue_visibility_timeout)
        management = f"http://{self.cfg.host}:{self.cfg.port}/{WEBSOCKET_STAGE}"
        os.environ.update(resolve_environment(DEFINITION, self.resources, management))
        # Not "local": Powertools drops root-logger records whose logger name contains the service name.
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "patchmon-local")
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        os.environ["OPERATOR_KEY_SHA256"] = hashlib.sha256(self.operator_key().encode()).hexdigest()
        self.runtime.enforce_grants(self.resources.secret_arns)
        self.scheduler = LocalScheduler(self.aws.client, self.resources, self.runtime)
        snapshot = persistence.load(self.snapshot_path) if self.cfg.persist else None
        if snapshot:
            counts = persistence.restore(self.aws.client, self.resources, snapshot)
            self.scheduler.restore(snapshot.get("scheduler", {}))
            log.info("restored %(items)d items, %(messages)d queued messages, %(schedules)d schedules", counts)

    def operator_key(self) -> str:
        """The local operator API key: kept in the data directory (0600), made on first start."""
        path = self.cfg.data_dir / "operator-key"
        if self.cfg.persist and path.exists():
            return path.read_text().strip()
        key = secrets.token_urlsafe(32)
        if self.cfg.persist:
            self.cfg.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(key + "\n")
        os.environ.setdefault("PATCHMON_OPERATOR_KEY", key)
        return key

    def ensure_default_tenant(self) -> None:
        """Create the tenant served at plain localhost, on the Max plan so every feature can be tried."""
        from chalicelib.tenant import service as tenant_service

        slug = os.environ.get("DEFAULT_TENANT_SLUG", "")
        if slug:
            tenant_service.ensure(slug, name="Default organisation", plan="max")

    def build_web_app(self) -> web.Application:
        """Build the HTTP application: WebSocket paths, @connections, REST API, frontend."""
        from app import app as chalice_app  # imported after the environment is set, as Lambda would

        ws_routes = {f.websocket_route: f.name for f in DEFINITION.functions if f.websocket_route}
        edge_key = read_edge_key(self.aws.client("secretsmanager"))
        self.gateway = WebSocketGateway(
            GatewayConfig(stage=WEBSOCKET_STAGE, route_selection_key=DEFINITION.websocket_route_selection_key,
                          route_keys=frozenset(ws_routes), idle_timeout=self.cfg.ws_idle_timeout,
                          max_duration=self.cfg.ws_max_duration, answer_pings=self.cfg.ws_answer_pings,
                          disconnect_drop_rate=self.cfg.ws_disconnect_drop_rate),
            invoke=lambda route, event: self.runtime.invoke(ws_routes[route], event), edge_key=edge_key,
        )
        web_app = web.Application(client_max_size=REST_MAX_PAYLOAD_BYTES, middlewares=[_too_large])
        self.gateway.register(web_app, WEBSOCKET_PATHS)
        api = DEFINITION.function("api")
        rest = RestGateway(chalice_app, function_name=physical_name(self.cfg.stage, api.service_name), timeout_seconds=api.timeout_seconds,
                           edge_key=edge_key, scope=lambda: self.runtime.acting_as(api.name))
        web_app.router.add_route("*", "/api/{tail:.*}", rest.handle)
        web_app.router.add_route("*", "/{tail:.*}", _static_handler(self.cfg.frontend_dir))
        return web_app

    async def serve(self) -> None:
        """Run until cancelled."""
        self.start_aws()
        self.ensure_default_tenant()
        web_app = self.build_web_app()
        self._runner = web.AppRunner(web_app, access_log_class=_AccessLogger, access_log=logging.getLogger("patchmon.local.access"))
        await self._runner.setup()
        await web.TCPSite(self._runner, self.cfg.host, self.cfg.port).start()
        assert self.resources and self.scheduler
        self.pump = SqsPump(self.aws.client, self.resources, DEFINITION, self.runtime)
        self.pump.start()
        self.scheduler.start()
        if self.cfg.persist:
            self._snapshot_thread = threading.Thread(target=self._snapshot_loop, name="snapshot", daemon=True)
            self._snapshot_thread.start()
        url = f"http://{'localhost' if self.cfg.host in ('127.0.0.1', '0.0.0.0') else self.cfg.host}:{self.cfg.port}"
        log.info("queues: %s", ", ".join(self.pump.mappings))
        print(f"\n  PatchMon Cloud is running at {url}\n  health: {url}/api/v1/health   API docs: {url}/api/v1/docs\n"
              f"  data: {self.cfg.data_dir if self.cfg.persist else '(not persisted)'}   stop: Ctrl-C\n", flush=True)
        await asyncio.Event().wait()

    def _snapshot_loop(self) -> None:
        # A snapshot reads every item; on a big local data set, keep it under ~10% of the time.
        wait = self.cfg.snapshot_interval
        while not self._snapshot_stop.wait(wait):
            started = time.monotonic()
            self.save_snapshot()
            wait = max(self.cfg.snapshot_interval, 10 * (time.monotonic() - started))

    def save_snapshot(self) -> None:
        if not (self.cfg.persist and self.resources and self.scheduler):
            return
        try:
            persistence.save(self.snapshot_path, persistence.take(self.aws.client, self.resources, self.scheduler.state()))
        except Exception:
            log.exception("snapshot failed")

    async def shutdown(self) -> None:
        """Stop taking work, close connections, save data, stop moto."""
        log.info("shutting down")
        self._snapshot_stop.set()
        for part in (self.scheduler, self.pump):
            if part:
                await asyncio.to_thread(part.stop)
        if self.gateway:
            await self.gateway.close_all()
        if self._runner:
            await self._runner.cleanup()
        await asyncio.to_thread(self.save_snapshot)
        self.aws.stop()
        log.info("stopped")


class _AccessLogger(AbstractAccessLogger):
    """One line per request, without the query string: it can carry one-time WebSocket tickets."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.0fms", request.method, request.path, response.status, time * 1000)


@web.middleware
async def _too_large(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return gateway_response("REQUEST_TOO_LARGE")


def _static_handler(root):
    root = root.resolve()

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):
            return gateway_response("MISSING_AUTHENTICATION_TOKEN")
        candidate = (root / request.match_info["tail"]).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            return web.FileResponse(candidate)
        index = root / "index.html"  # the web app routes on the client side
        return web.FileResponse(index) if index.exists() else web.Response(status=404, text="frontend not built")

    return handle


def configure_logging() -> None:
    # Powertools warns on every invocation that publishes no metric; locally that is only noise.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    logging.basicConfig(level=os.environ.get("PATCHMON_LOG_LEVEL", "INFO"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("werkzeug", "botocore", "urllib3", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """Run the local stack until Ctrl-C or SIGTERM."""
    configure_logging()
    stack = LocalStack(local_config.parse(argv))

    async def run() -> None:
        loop = asyncio.get_running_loop()
        serving = asyncio.ensure_future(stack.serve())
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        waiter = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({serving, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if serving in done and serving.exception():
            waiter.cancel()
            await stack.shutdown()
            raise serving.exception()
        serving.cancel()
        await stack.shutdown()

    try:
        asyncio.run(run())
    except OSError as exc:
        print(f"local stack failed to start: {exc}", file=sys.stderr)
        sys.exit(1)
