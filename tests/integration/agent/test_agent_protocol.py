"""The agent protocol as the official agent speaks it: startup, hash-gated ticks, partial and full reports."""
from __future__ import annotations

import pytest

from tests.factories.fleet import enrol, full_report, hashes_of, package, packages
from tests.factories.identity import make_tenant, sign_in


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def test_official_agent_startup_and_two_hash_gated_ticks_follow_the_contract(admin):
    agent = enrol(admin)
    # startup: interval, integrations, empty ping, full report
    assert agent.get("/settings/update-interval").json_body == {"updateInterval": 60}
    integrations = agent.get("/hosts/integrations").json_body
    assert integrations["success"] is True and integrations["integrations"] == {"docker": False, "compliance": False}
    ping = agent.post("/hosts/ping").json_body
    assert ping["message"] == "Ping successful" and ping["hashGate"] is True and ping["agentStartup"] is True
    assert ping["requestFull"] == ["packages", "repos", "interfaces", "hostname"]
    report = full_report(packages(40, outdated=3, security=1))
    updated = agent.post("/hosts/update", {**report, "hashes": hashes_of(report)})
    assert updated.status_code == 200
    assert updated.json_body == {"message": "Host updated successfully", "packagesProcessed": 40, "updatesAvailable": 3, "securityUpdates": 1}
    # tick 1: nothing changed -> no requestFull
    tick = agent.post("/hosts/ping", {"hashes": hashes_of(report), "agentVersion": "1.5.0"}).json_body
    assert "requestFull" not in tick and tick["hashGate"] is True
    # tick 2: one package gained an update -> only packages requested, then a partial report
    report["packages"][10] = package("pkg-00010", "1.0", available="1.2", security=True)
    tick = agent.post("/hosts/ping", {"hashes": hashes_of(report)}).json_body
    assert tick["requestFull"] == ["packages"]
    partial = {"sections": ["packages"], "packages": report["packages"], "hashes": {"packagesHash": hashes_of(report)["packagesHash"]},
               "osType": "Ubuntu", "hostname": "web-01"}
    response = agent.post("/hosts/update", partial).json_body
    assert response["updatesAvailable"] == 4 and response["securityUpdates"] == 2


@pytest.mark.parametrize(("headers", "message"), [
    ({"X-API-ID": "", "X-API-KEY": ""}, "API credentials required"),
    ({"X-API-ID": "patchmon_0000000000000000", "X-API-KEY": "x" * 64}, "Invalid API credentials"),
])
def test_agent_routes_refuse_with_401_when_credentials_are_missing_or_wrong(admin, headers, message):
    response = admin.client.http.post("/api/v1/hosts/ping", headers={"Host": "localhost", **headers}, body=b"")
    assert response.status_code == 401 and response.json_body["error"] == message


def test_credential_headers_are_matched_case_insensitively(admin):
    agent = enrol(admin)
    response = admin.client.http.post("/api/v1/hosts/ping", body=b"",
                                      headers={"Host": "localhost", "x-api-id": agent.api_id, "X-Api-Key": agent.api_key})
    assert response.status_code == 200


def test_wrong_key_for_a_real_id_is_refused(admin):
    agent = enrol(admin)
    agent.api_key = "0" * 64
    assert agent.post("/hosts/ping").status_code == 401


def _history(admin, agent):
    return admin.get(f"/api/v1/hosts/{agent.host_id}/reports").json_body["reports"]


@pytest.mark.parametrize(("body", "message"), [
    ({"osType": "Ubuntu"}, "Packages array is required"),
    ({"packages": []}, "Packages array is required"),
    ({"sections": ["nonsense"], "packages": [{"name": "a"}]}, "sections must include at least one of: packages, repos, interfaces, hostname"),
    ({"sections": ["packages"], "packages": []}, "Packages array is required"),
    ({"sections": ["repos"], "packages": [{"name": "a"}], "repositories": []}, "packages sent but the packages section is not claimed"),
    ({"sections": ["packages"], "packages": [{"name": "a"}], "repositories": [{"name": "r"}]},
     "repositories sent but the repos section is not claimed"),
    ({"packages": [{"name": "a"}], "hashes": {"packagesHash": "0" * 64}}, "packages hash mismatch"),
    ({"packages": [{"name": f"p{i}"} for i in range(10_001)]}, "Packages array exceeds maximum size"),
])
def test_invalid_report_is_rejected_with_its_message_and_only_a_history_row_is_written(admin, aws, body, message):
    # Given
    agent = enrol(admin)
    before = [i for i in aws.table_items() if not i["sk"]["S"].startswith(("REPORT#", "COUNTER#", "AUDIT#", "SESSION#"))]
    # When
    response = agent.post("/hosts/update", body)
    # Then
    assert response.status_code == 400 and response.json_body["error"] == message
    after = [i for i in aws.table_items() if not i["sk"]["S"].startswith(("REPORT#", "COUNTER#", "AUDIT#", "SESSION#"))]
    assert after == before
    history = _history(admin, agent)
    assert history[0]["status"] == "error" and history[0]["error"] == message


@pytest.mark.parametrize("raw", [b"{not json", b"[1,2]", b"\xff\xfe"])
def test_malformed_report_body_is_invalid_request_body(admin, raw):
    agent = enrol(admin)
    response = agent.post("/hosts/update", raw=raw)
    assert response.status_code == 400 and response.json_body["error"] == "Invalid request body"


def test_oversize_ping_is_invalid_request_body(admin):
    agent = enrol(admin)
    response = agent.post("/hosts/ping", raw=b'{"agentVersion": "' + b"x" * 9000 + b'"}')
    assert response.status_code == 400 and response.json_body["error"] == "Invalid request body"


def test_host_becomes_active_with_its_facts_after_the_first_report(admin):
    agent = enrol(admin)
    assert admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["status"] == "pending"
    agent.post("/hosts/update", full_report(packages(5, outdated=2), needs_reboot=True))
    host = admin.get(f"/api/v1/hosts/{agent.host_id}").json_body
    assert host["status"] == "active" and host["hostname"] == "web-01" and host["os_type"] == "Ubuntu"
    assert host["needs_reboot"] is True and host["reboot_reason"] == "kernel update"
    assert host["updates_count"] == 2 and host["network_interfaces"][0]["name"] == "eth0"


def test_packages_page_and_dashboard_count_hosts_across_the_fleet(admin):
    a, b = enrol(admin, "a"), enrol(admin, "b")
    a.post("/hosts/update", full_report([package("openssl", "3.0.2", available="3.0.3", security=True), package("curl", "7.81")]))
    b.post("/hosts/update", full_report([package("openssl", "3.0.3"), package("vim", "8.2", available="9.0")], hostname="b"))
    pkgs = {p["name"]: p for p in admin.get("/api/v1/packages").json_body["packages"]}
    assert pkgs["openssl"]["installed_hosts"] == 2 and pkgs["openssl"]["outdated_hosts"] == 1 and pkgs["openssl"]["security_hosts"] == 1
    assert pkgs["vim"]["outdated_hosts"] == 1 and pkgs["curl"]["outdated_hosts"] == 0
    hosts = admin.get("/api/v1/packages/openssl/hosts").json_body["hosts"]
    assert sorted(h["host_id"] for h in hosts) == sorted([a.host_id, b.host_id])
    stats = admin.get("/api/v1/dashboard/stats").json_body
    assert stats["total_hosts"] == 2 and stats["hosts_needing_updates"] == 2 and stats["hosts_with_security_updates"] == 1
    assert stats["os_distribution"] == {"Ubuntu 22.04": 2} and stats["hosts_by_status"] == {"active": 2}


def test_removed_packages_and_deleted_hosts_leave_the_aggregates(admin):
    a, b = enrol(admin, "a"), enrol(admin, "b")
    a.post("/hosts/update", full_report([package("openssl", "3.0.2", available="3.0.3")]))
    b.post("/hosts/update", full_report([package("openssl", "3.0.2", available="3.0.3"), package("vim", "9.0")]))
    b.post("/hosts/update", full_report([package("vim", "9.0")]))
    assert {p["name"]: p["installed_hosts"] for p in admin.get("/api/v1/packages").json_body["packages"]} == {"openssl": 1, "vim": 1}
    admin.delete(f"/api/v1/hosts/{a.host_id}")
    assert [p["name"] for p in admin.get("/api/v1/packages").json_body["packages"]] == ["vim"]
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 1
    assert a.post("/hosts/ping").status_code == 401  # the deleted host's credentials are gone


def test_regenerated_credentials_replace_the_old_ones(admin):
    agent = enrol(admin)
    fresh = admin.post(f"/api/v1/hosts/{agent.host_id}/regenerate-credentials").json_body
    assert agent.post("/hosts/ping").status_code == 401
    agent.api_id, agent.api_key = fresh["apiId"], fresh["apiKey"]
    assert agent.post("/hosts/ping").status_code == 200


def test_host_limit_of_the_plan_is_enforced_when_enrolling(client, aws):
    from chalicelib.tenant import service as tenant_service
    from chalicelib.tenant.schemas import TenantCreate

    tiny = tenant_service.create(TenantCreate(slug="tiny", name="Tiny", plan="free", host_limit=1))
    admin = sign_in(client, tiny, "root", role="superadmin")
    assert admin.post("/api/v1/hosts/create", {"friendly_name": "one"}).status_code == 201
    refused = admin.post("/api/v1/hosts/create", {"friendly_name": "two"})
    assert refused.status_code == 403 and refused.json_body["code"] == "plan_limit_reached"


def test_agent_key_is_stored_only_as_a_keyed_hash(admin, aws):
    agent = enrol(admin)
    import json as _json

    assert agent.api_key not in _json.dumps(aws.table_items())


def test_host_list_filters_and_searches(admin):
    a = enrol(admin, "alpha-db")
    enrol(admin, "bravo-web")
    a.post("/hosts/update", full_report([package("x", "1", available="2")], hostname="db1"))
    names = [h["friendly_name"] for h in admin.get("/api/v1/hosts").json_body["hosts"]]
    assert names == ["alpha-db", "bravo-web"]
    assert [h["friendly_name"] for h in admin.get("/api/v1/hosts?needs_updates=true").json_body["hosts"]] == ["alpha-db"]
    assert [h["friendly_name"] for h in admin.get("/api/v1/hosts?search=bravo").json_body["hosts"]] == ["bravo-web"]
    assert [h["friendly_name"] for h in admin.get("/api/v1/hosts?status=pending").json_body["hosts"]] == ["bravo-web"]
    listed = admin.get("/api/v1/hosts").json_body["hosts"][0]
    assert listed["last_seen_at"] and "key_hash" not in listed


def test_partial_report_keeps_system_facts_when_it_carries_zero_values(admin):
    agent = enrol(admin)
    report = full_report(packages(3))
    report["cpuCores"] = 4
    agent.post("/hosts/update", report)
    partial = {"sections": ["packages"], "packages": packages(4), "osType": "Ubuntu", "cpuCores": 0, "ramInstalled": 0,
               "kernelVersion": "", "needsReboot": False}
    assert agent.post("/hosts/update", partial).status_code == 200
    host = admin.get(f"/api/v1/hosts/{agent.host_id}").json_body
    assert host["cpu_cores"] == 4 and host["kernel_version"] == "5.15.0-91-generic" and host["packages_count"] == 4


def test_group_lists_its_hosts_and_bulk_delete_skips_unknown_ids(admin):
    group = admin.post("/api/v1/host-groups", {"name": "web", "color": "#112233"}).json_body
    member = enrol(admin, "in-group", hostGroupIds=[group["id"]])
    other = enrol(admin, "outside")
    listed = admin.get(f"/api/v1/host-groups/{group['id']}/hosts").json_body["hosts"]
    assert [h["host_id"] for h in listed] == [member.host_id]
    import json as _json

    response = admin.client.http.delete("/api/v1/hosts/bulk", headers=admin.headers(),
                                        body=_json.dumps({"hostIds": [member.host_id, "no-such-host"]}))
    assert response.json_body == {"deleted": [member.host_id], "not_found": ["no-such-host"]}
    assert [h["host_id"] for h in admin.get("/api/v1/hosts").json_body["hosts"]] == [other.host_id]


def test_integration_status_is_stored_and_keeps_earlier_install_events(admin):
    agent = enrol(admin)
    first = {"integration": "compliance", "enabled": True, "status": "installing", "install_events": [{"step": "oscap", "status": "ok"}]}
    response = agent.post("/hosts/integration-status", first)
    assert response.json_body == {"success": True, "message": "Integration status received"}
    agent.post("/hosts/integration-status", {"integration": "compliance", "enabled": True, "status": "ready"})
    stored = admin.get(f"/api/v1/hosts/{agent.host_id}").json_body["integration_status"]["compliance"]
    assert stored["status"] == "ready" and stored["install_events"] == [{"step": "oscap", "status": "ok"}]
    assert agent.post("/hosts/integration-status", {"integration": "kubernetes"}).status_code == 400
