"""Sign-in, first-time setup, sign-up, token refresh, logout and sessions."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.auth import service
from chalicelib.auth.schemas import Login, Refresh, VerifyTfa
from chalicelib.user import service as user_service
from chalicelib.user.schemas import SetupAdmin, Signup
from chalicelib.web import cookies
from chalicelib.web.auth import require_csrf
from chalicelib.web.route import Request, json_response, route

bp = Blueprint(__name__)
TAGS = ("auth",)


def _client(request: Request) -> service.Client:
    return service.Client(ip=request.source_ip, user_agent=request.headers.get("user-agent", "")[:256],
                          device_trust_cookie=request.cookies.get(cookies.DEVICE_TRUST))


def _signed_in(result: service.SignIn, status: int = 200) -> Response:
    set_cookies = []
    if result.access_token:
        set_cookies += [cookies.build(cookies.ACCESS, result.access_token, max_age=result.access_max_age),
                        cookies.build(cookies.REFRESH, result.refresh_token, max_age=result.refresh_max_age, path="/api/v1/auth"),
                        cookies.build(cookies.CSRF, result.csrf_token, max_age=result.refresh_max_age, http_only=False)]
    if result.device_trust:
        value, max_age = result.device_trust
        set_cookies.append(cookies.build(cookies.DEVICE_TRUST, value, max_age=max_age))
    return json_response(result.body, status, cookies=set_cookies)


@route(bp, "/auth/setup-status", summary="Whether first-time setup is still pending, and whether it needs the setup link",
       tags=TAGS, public=True)
def get_setup_status(request: Request) -> dict:
    needs_setup = user_service.needs_setup(request.tenant)
    return {"needs_setup": needs_setup, "setup_link_required": needs_setup and request.tenant.setup_link_sha256 is not None}


@route(bp, "/auth/setup-admin", methods=("POST",), summary="Create the first (superadmin) user of the organisation",
       tags=TAGS, public=True, rate_limit="auth", request_model=SetupAdmin, status=201, error_statuses=(403, 409))
def setup_admin(request: Request) -> Response:
    return _signed_in(service.setup_admin(request.tenant, request.body, client=_client(request)), 201)


@route(bp, "/auth/signup-enabled", summary="Whether self-registration is open", tags=TAGS, public=True)
def get_signup_enabled(request: Request) -> dict:
    return {"signupEnabled": request.tenant.settings.signup_enabled}


@route(bp, "/auth/signup", methods=("POST",), summary="Register an account with the default role (when enabled)",
       tags=TAGS, public=True, rate_limit="auth", request_model=Signup, status=201, error_statuses=(409,))
def signup(request: Request) -> Response:
    return _signed_in(service.signup(request.tenant, request.body, client=_client(request)), 201)


@route(bp, "/auth/login", methods=("POST",), summary="Sign in with username or email and password",
       tags=TAGS, public=True, rate_limit="auth", request_model=Login)
def login(request: Request) -> Response:
    body: Login = request.body
    return _signed_in(service.login(request.tenant, login=body.username, password=body.password,
                                    remember_me=body.remember_me, client=_client(request)))


@route(bp, "/auth/verify-tfa", methods=("POST",), summary="Complete sign-in with a TOTP or backup code",
       tags=TAGS, public=True, rate_limit="auth", request_model=VerifyTfa)
def verify_tfa(request: Request) -> Response:
    body: VerifyTfa = request.body
    return _signed_in(service.verify_tfa(request.tenant, ticket=body.tfa_ticket, code=body.token,
                                         remember_me=body.remember_me, client=_client(request)))


@route(bp, "/auth/refresh", methods=("POST",), summary="Exchange a refresh token (cookie or body) for a new access token",
       tags=TAGS, public=True, rate_limit="auth", request_model=Refresh)
def refresh(request: Request) -> Response:
    token = request.body.refresh_token
    if not token:
        # The cookie is sent automatically by browsers: require the CSRF header with it.
        require_csrf(request.headers, request.cookies)
        token = request.cookies.get(cookies.REFRESH, "")
    return _signed_in(service.refresh(request.tenant, refresh_token=token or ""))


@route(bp, "/auth/logout", methods=("POST",), summary="Sign out of this session", tags=TAGS, authenticated=True)
def logout(request: Request) -> Response:
    service.logout(request.ctx)
    cleared = [cookies.clear(cookies.ACCESS), cookies.clear(cookies.REFRESH, path="/api/v1/auth"), cookies.clear(cookies.CSRF, http_only=False)]
    return json_response({"message": "Logout successful"}, cookies=cleared)


@route(bp, "/auth/heartbeat", methods=("POST",), summary="Record user activity (keeps an idle session alive)", tags=TAGS, authenticated=True)
def heartbeat(request: Request) -> dict:
    service.heartbeat(request.ctx)
    return {"ok": True}


@route(bp, "/auth/sessions", summary="List my active sessions", tags=TAGS, authenticated=True)
def list_sessions(request: Request) -> dict:
    return {"sessions": service.list_sessions(request.ctx)}


@route(bp, "/auth/sessions", methods=("DELETE",), summary="Sign out every other session of mine", tags=TAGS, authenticated=True)
def revoke_other_sessions(request: Request) -> dict:
    ended = service.revoke_other_sessions(request.ctx)
    return {"message": "Other sessions revoked", "revoked": ended}


@route(bp, "/auth/sessions/{session_id}", methods=("DELETE",), summary="Sign out one of my sessions", tags=TAGS, authenticated=True)
def revoke_session(request: Request) -> dict:
    service.revoke_session(request.ctx, session_id=request.path_params["session_id"])
    return {"message": "Session revoked"}
