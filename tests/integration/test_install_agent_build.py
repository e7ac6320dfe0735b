"""Our agent's build: the version check (with its update gating) and the download."""
from __future__ import annotations

import hashlib

import pytest

from chalicelib.install import artefact
from chalicelib.tenant import service as tenant_service
from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in

OCTETS = {"Accept": "application/octet-stream"}
VERSION_FIELDS = {"currentVersion", "latestVersion", "hasUpdate", "autoUpdateDisabled", "autoUpdateDisabledReason", "downloadUrl",
                  "releaseNotes", "minServerVersion", "architecture", "agentType", "hash"}


@pytest.fixture(autouse=True)
def _fresh_build(monkeypatch):
    monkeypatch.delenv(artefact.ARTEFACT_PATH_ENV, raising=False)
    artefact.reset_cache()
    yield
    artefact.reset_cache()


@pytest.fixture
def world(client, aws):
    tenant = make_tenant("alpha")
    admin = sign_in(client, tenant, "alpha_root", role="superadmin")
    return {"tenant": tenant, "admin": admin, "agent": enrol(admin, "alpha-web")}


def _version(agent, query: str = "?arch=amd64&os=linux&type=python&currentVersion=0.0.1"):
    return agent.client.http.get(f"/api/v1/hosts/agent/version{query}", headers=agent.headers())


def _download(agent, query: str = "?arch=amd64&os=linux", **headers: str):
    return agent.client.http.get(f"/api/v1/hosts/agent/download{query}", headers=agent.headers(**headers))


def _set_tenant(tenant, **changes) -> None:
    tenant_service.update_settings(tenant.tenant_id, tenant.settings.model_copy(update=changes))
    tenant_service.clear_cache()


def test_version_answers_the_reference_fields_when_our_agent_asks(world):
    response = _version(world["agent"])
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == VERSION_FIELDS
    built = artefact.build()
    assert body["latestVersion"] == built.version == "0.1.0"
    assert body["hash"] == built.sha256
    assert body["currentVersion"] == "0.0.1"
    assert body["downloadUrl"] == "/api/v1/hosts/agent/download?arch=amd64&os=linux"
    assert (body["agentType"], body["architecture"], body["minServerVersion"]) == ("python", "amd64", None)
    assert (body["hasUpdate"], body["autoUpdateDisabled"], body["autoUpdateDisabledReason"]) == (True, False, None)


def test_download_serves_the_bytes_whose_hash_the_version_advertises(world):
    advertised = _version(world["agent"]).json_body["hash"]
    response = _download(world["agent"], **OCTETS)
    assert response.status_code == 200
    assert hashlib.sha256(response.body).hexdigest() == advertised
    assert response.headers["X-Checksum-SHA256"] == advertised
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == 'attachment; filename="patchmon-agent.pyz"'
    assert response.body.startswith(b"#!/usr/bin/env python3\n")


def test_download_answers_406_when_the_client_does_not_accept_binary(world):
    for accept in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        response = _download(world["agent"], **accept)
        assert response.status_code == 406
        assert "application/octet-stream" in response.json_body["error"]


@pytest.mark.parametrize("query", ["?arch=amd64&os=linux&type=go&currentVersion=1.4.0", "?arch=amd64&os=linux&currentVersion=0.0.1",
                                   "?arch=amd64&os=windows&type=python", "?arch=amd64&os=freebsd&type=python"])
def test_version_answers_404_when_the_platform_is_not_our_linux_agent(world, query):
    """The official Go agent must never replace itself with our Python build."""
    response = _version(world["agent"], query)
    assert response.status_code == 404
    assert response.json_body["error"] == "No agent build for this platform"


def test_download_answers_404_when_the_os_is_not_linux(world):
    response = _download(world["agent"], "?arch=amd64&os=windows", **OCTETS)
    assert response.status_code == 404
    assert response.json_body["error"] == "No agent build for this platform"


@pytest.mark.parametrize(("current", "expected"), [("0.0.9", True), ("0.1.0", False), ("0.1", False), ("v0.0.10", True),
                                                   ("0.2.0", False), ("0.10.0", False), ("", False), ("garbage", False)])
def test_has_update_only_when_the_build_is_numerically_newer(world, current, expected):
    body = _version(world["agent"], f"?arch=amd64&os=linux&type=python&currentVersion={current}").json_body
    assert body["hasUpdate"] is expected


def test_has_update_is_false_when_the_tenant_disables_auto_update(world):
    _set_tenant(world["tenant"], agent_auto_update=False)
    body = _version(world["agent"]).json_body
    assert (body["hasUpdate"], body["autoUpdateDisabled"]) == (False, True)
    assert "organisation" in body["autoUpdateDisabledReason"]


def test_has_update_is_false_when_the_host_disables_auto_update(world):
    agent = world["agent"]
    changed = world["admin"].patch(f"/api/v1/hosts/{agent.host_id}/auto-update", {"auto_update": False})
    assert changed.status_code == 200, changed.body
    body = _version(agent).json_body
    assert (body["hasUpdate"], body["autoUpdateDisabled"]) == (False, True)
    assert "host" in body["autoUpdateDisabledReason"]


def test_version_and_download_answer_404_when_no_build_is_available(world, monkeypatch, tmp_path):
    monkeypatch.setattr(artefact, "SOURCE_DIR", tmp_path / "nowhere")
    artefact.reset_cache()
    for response in (_version(world["agent"]), _download(world["agent"], **OCTETS),
                     world["admin"].get("/api/v1/agent/version")):
        assert response.status_code == 404
        assert response.json_body["error"] == "Agent build not available"


def test_prebuilt_artefact_is_served_when_agent_artefact_path_is_set(world, monkeypatch, tmp_path):
    # Given a prebuilt .pyz (as shipped in the Lambda package) of a newer agent
    source = tmp_path / "src" / "patchmon_agent"
    source.mkdir(parents=True)
    (source / "__init__.py").write_text('__version__ = "9.9.9"\n')
    (source / "__main__.py").write_text("def main():\n    return 0\n")
    prebuilt = tmp_path / "patchmon-agent.pyz"
    prebuilt.write_bytes(artefact.build(tmp_path / "src").data)
    monkeypatch.setenv(artefact.ARTEFACT_PATH_ENV, str(prebuilt))
    monkeypatch.setattr(artefact, "SOURCE_DIR", tmp_path / "nowhere")
    artefact.reset_cache()
    # Then
    body = _version(world["agent"]).json_body
    assert body["latestVersion"] == "9.9.9"
    assert _download(world["agent"], **OCTETS).body == prebuilt.read_bytes()


def test_signed_in_user_sees_the_served_version_when_asking(world):
    body = world["admin"].get("/api/v1/agent/version").json_body
    assert set(body) == VERSION_FIELDS
    assert body["latestVersion"] == "0.1.0" and body["hasUpdate"] is False and body["downloadUrl"] == "/api/v1/agent/download"


def test_settings_manager_downloads_the_agent_and_others_may_not(world):
    admin = world["admin"]
    response = admin.get("/api/v1/agent/download", **OCTETS)
    assert response.status_code == 200
    assert hashlib.sha256(response.body).hexdigest() == admin.get("/api/v1/agent/version").json_body["hash"]
    reader = sign_in(admin.client, world["tenant"], "reader", role="readonly")
    assert reader.get("/api/v1/agent/download", **OCTETS).status_code == 403


def test_version_needs_agent_credentials_when_asked(world):
    response = world["agent"].client.http.get("/api/v1/hosts/agent/version?type=python", headers={"Host": "alpha.localhost"})
    assert response.status_code == 401
