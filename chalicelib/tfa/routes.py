"""The signed-in user's TFA (Profile → Multi-Factor Authentication) and trusted devices."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.tfa import service, trusted_devices
from chalicelib.tfa.schemas import (
    BackupCodesRead,
    MessageRead,
    TfaPasswordConfirm,
    TfaSetupRead,
    TfaSetupVerify,
    TfaStatusRead,
    TrustedDeviceList,
)
from chalicelib.web import cookies
from chalicelib.web.route import Request, json_response, route

bp = Blueprint(__name__)


@route(bp, "/tfa/setup", summary="Start TFA setup: a new secret, its otpauth URI and QR code", tags=("tfa",),
       authenticated=True, response_model=TfaSetupRead, error_statuses=(400, 409))
def get_tfa_setup(request: Request) -> dict:
    return service.setup(request.ctx)


@route(bp, "/tfa/verify-setup", methods=("POST",), summary="Enable TFA with a code from the app; returns the backup codes once",
       tags=("tfa",), authenticated=True, request_model=TfaSetupVerify, response_model=BackupCodesRead, error_statuses=(409,))
def verify_tfa_setup(request: Request) -> dict:
    return service.verify_setup(request.ctx, token=request.body.token)


@route(bp, "/tfa/disable", methods=("POST",), summary="Disable TFA (password required); revokes every trusted device",
       tags=("tfa",), authenticated=True, rate_limit="password", request_model=TfaPasswordConfirm, response_model=MessageRead)
def disable_tfa(request: Request) -> dict:
    service.disable(request.ctx, password=request.body.password)
    return {"message": "TFA disabled"}


@route(bp, "/tfa/status", summary="Whether TFA is enabled, and how many backup codes are left", tags=("tfa",),
       authenticated=True, response_model=TfaStatusRead)
def get_tfa_status(request: Request) -> dict:
    return service.status(request.ctx)


@route(bp, "/tfa/regenerate-backup-codes", methods=("POST",), summary="Replace the backup codes (password required)",
       tags=("tfa",), authenticated=True, rate_limit="password", request_model=TfaPasswordConfirm, response_model=BackupCodesRead)
def regenerate_backup_codes(request: Request) -> dict:
    return service.regenerate_backup_codes(request.ctx, password=request.body.password)


@route(bp, "/auth/trusted-devices", summary="List this user's trusted devices", tags=("tfa",),
       authenticated=True, response_model=TrustedDeviceList)
def list_trusted_devices(request: Request) -> dict:
    return {"devices": trusted_devices.list_(request.ctx, current_cookie=request.cookies.get(cookies.DEVICE_TRUST))}


@route(bp, "/auth/trusted-devices", methods=("DELETE",), summary="Forget every trusted device, this browser's included",
       tags=("tfa",), authenticated=True, response_model=MessageRead)
def delete_trusted_devices(request: Request) -> Response:
    trusted_devices.revoke_all(request.ctx.tenant_id, request.ctx.user_id, ctx=request.ctx)
    return json_response({"message": "All trusted devices revoked"}, cookies=[cookies.clear(cookies.DEVICE_TRUST)])


@route(bp, "/auth/trusted-devices/{device_id}", methods=("DELETE",), summary="Revoke one trusted device",
       tags=("tfa",), authenticated=True, response_model=MessageRead, error_statuses=(404,))
def delete_trusted_device(request: Request) -> Response:
    was_current = trusted_devices.revoke(request.ctx, device_id=request.path_params["device_id"],
                                         current_cookie=request.cookies.get(cookies.DEVICE_TRUST))
    return json_response({"message": "Trusted device revoked"}, cookies=[cookies.clear(cookies.DEVICE_TRUST)] if was_current else None)
