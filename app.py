"""PatchMon Cloud: the Chalice app (REST routes and WebSocket handlers). No logic lives here."""
from __future__ import annotations

from chalice import Chalice, ConvertToMiddleware
from chalice.app import WebsocketEvent

from chalicelib.agent import routes as agent_routes
from chalicelib.audit import routes as audit_routes
from chalicelib.auth import routes as auth_routes
from chalicelib.core import errors
from chalicelib.core.observability import logger, metrics, tracer
from chalicelib.host import routes as host_routes
from chalicelib.install import routes as install_routes
from chalicelib.inventory import routes as inventory_routes
from chalicelib.patching import routes as patching_routes
from chalicelib.preferences import routes as preferences_routes
from chalicelib.rbac import routes as rbac_routes
from chalicelib.realtime import agents as realtime_agents
from chalicelib.realtime import routes as realtime_routes
from chalicelib.realtime import service as realtime_service
from chalicelib.realtime.ws_status import routes as ws_status_routes
from chalicelib.settings import routes as settings_routes
from chalicelib.system import routes as system_routes
from chalicelib.tenant import routes as tenant_routes
from chalicelib.tfa import routes as tfa_routes
from chalicelib.user import routes as user_routes
from chalicelib.web.auth import authenticate_agent
from chalicelib.web.edge import viewer_request
from chalicelib.web.websocket import parse_message, refuse

# Logging goes through Powertools; Chalice's own handler would also set the "patchmon" logger tree to ERROR.
app = Chalice(app_name="patchmon", configure_logs=False)
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler), "http")

API_PREFIX = "/api/v1"
for blueprint in (system_routes.bp, tenant_routes.bp, auth_routes.bp, tfa_routes.bp, user_routes.bp, rbac_routes.bp,
                  audit_routes.bp, realtime_routes.bp, agent_routes.bp, host_routes.bp, inventory_routes.bp,
                  settings_routes.bp, ws_status_routes.bp, install_routes.bp, preferences_routes.bp, patching_routes.bp):
    app.register_blueprint(blueprint, url_prefix=API_PREFIX)


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> dict:
    raw = event.to_dict()
    gateway_headers = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
    try:
        headers, source_ip = viewer_request(gateway_headers, source_ip=raw["requestContext"].get("identity", {}).get("sourceIp", ""))
        if "x-api-id" in headers or "x-api-key" in headers:  # an agent (its credentials, as on REST)
            _, _, agent = authenticate_agent(headers, source_ip=source_ip)
            realtime_agents.open_connection(agent, connection_id=event.connection_id, headers=headers)
        else:  # a browser, with a one-time ticket
            realtime_service.open_connection(connection_id=event.connection_id, query=raw.get("queryStringParameters"),
                                             source_ip=source_ip)
    except errors.DomainError as exc:
        return refuse(exc)
    return {"statusCode": 200}


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> None:
    realtime_service.handle_message(connection_id=event.connection_id, message=parse_message(event.body))


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> None:
    realtime_service.close_connection(connection_id=event.connection_id)
