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
