"""Nothing a user types or is given as a secret reaches the logs."""
from __future__ import annotations

import logging

from tests.factories.identity import host_of, login, make_user


def test_passwords_tokens_and_tickets_never_reach_the_logs_when_signing_in(client, tenant, admin, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    # Given a full round of secret-bearing requests
    make_user(tenant, "carol", password="Sup3r-Secret-Pw!")
    signed = login(client, tenant, "carol", "Sup3r-Secret-Pw!").json_body
    login(client, tenant, "carol", "Wr0ng-Secret-Pw!")
    headers = {"Host": host_of(tenant), "Authorization": f"Bearer {signed['token']}", "Content-Type": "application/json"}
    client.http.put("/api/v1/auth/change-password", headers=headers,
                    body=b'{"currentPassword": "Sup3r-Secret-Pw!", "newPassword": "N3w-Secret-Pw!!"}')
    ticket = client.http.post("/api/v1/ws/tickets", headers=headers).json_body["ticket"]
    client.http.post("/api/v1/auth/refresh", headers={"Host": host_of(tenant), "Content-Type": "application/json"},
                     body=f'{{"refresh_token": "{signed["refresh_token"]}"}}'.encode())
    # Then
    output = capsys.readouterr().out + capsys.readouterr().err + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    for secret in ("Sup3r-Secret-Pw!", "Wr0ng-Secret-Pw!", "N3w-Secret-Pw!!", signed["token"], signed["refresh_token"], ticket):
        assert secret not in output


def test_setup_link_tokens_never_reach_the_logs_or_the_audit_log_when_issued_and_used(client, operator, capsys, caplog):
    from chalicelib.audit import service as audit
    from chalicelib.core.tenancy import TenantContext
    from tests.factories.identity import operator_call

    caplog.set_level(logging.DEBUG)
    created = operator_call(client, operator, "post", "/tenants", {"slug": "acme", "name": "Acme"}).json_body
    first = created["setup_link"]["setup_token"]
    second = operator_call(client, operator, "post", f"/tenants/{created['tenant_id']}/setup-link").json_body["setup_token"]
    for token in (first, second):  # a refused one and the right one
        client.http.post("/api/v1/auth/setup-admin", headers={"Host": "acme.localhost", "Content-Type": "application/json"},
                         body=f'{{"username": "first", "email": "f@example.com", "password": "Sup3r-Secret-Pw!", "setupToken": "{token}"}}'.encode())

    output = capsys.readouterr().out + capsys.readouterr().err + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    entries, _ = audit.list_(TenantContext(tenant_id=created["tenant_id"], principal="system:test"), limit=50, cursor=None)
    for token in (first, second):
        assert token not in output and token not in str(entries)
    assert [e["action"] for e in entries if e["action"] == "setup_link_issued"] == ["setup_link_issued"] * 2
