"""Hosts as a user of the API sees them: enrolment, the host list, detail, changes, credentials and deletion."""
from __future__ import annotations

import base64
import json
import re

import pytest

from chalicelib.tenant import service as tenant_service
from chalicelib.tenant.schemas import TenantCreate
from tests.factories.fleet import enrol, full_report, package, packages
from tests.factories.identity import make_tenant, sign_in


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _names(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [h["friendly_name"] for h in response.json_body["hosts"]]


def _host(admin, host_id: str) -> dict:
    response = admin.get(f"/api/v1/hosts/{host_id}")
    assert response.status_code == 200, response.body
    return response.json_body


def _walk(admin, path: str, *, key: str = "hosts", field: str = "friendly_name") -> tuple[list[str], list[int]]:
    """Follow next_cursor to the end; return every item's `field` and the size of each page."""
    seen: list[str] = []
    sizes: list[int] = []
    cursor = None
    while True:
        sep = "&" if "?" in path else "?"
        response = admin.get(f"{path}{sep}cursor={cursor}" if cursor else path)
        assert response.status_code == 200, response.body
        items = response.json_body[key]
        seen += [i[field] for i in items]
        sizes.append(len(items))
        cursor = response.json_body["next_cursor"]
        if cursor is None:
            return seen, sizes
        assert len(sizes) < 50, "pagination does not end"


def _bulk_delete(admin, host_ids: list[str]):
    return admin.client.http.delete("/api/v1/hosts/bulk", headers=admin.headers(), body=json.dumps({"hostIds": host_ids}))


def _report(pkgs, *, os_type: str = "Ubuntu", os_version: str = "22.04", hostname: str = "web-01", needs_reboot: bool = False) -> dict:
    return {**full_report(pkgs, hostname=hostname, needs_reboot=needs_reboot), "osType": os_type, "osVersion": os_version}


def _group(admin, name: str, color: str = "#112233") -> str:
    response = admin.post("/api/v1/host-groups", {"name": name, "color": color})
    assert response.status_code == 201, response.body
    return response.json_body["id"]


def _role(admin, name: str, permissions: list[str]) -> None:
    response = admin.put(f"/api/v1/permissions/roles/{name}", {"permissions": permissions})
    assert response.status_code == 200, response.body


# --- create ----------------------------------------------------------------------------------------
def test_create_host_returns_its_credentials_once_and_a_pending_host(admin):
    """Creating a host answers 201 with its API id and key; later reads never show the key."""
    # When
    response = admin.post("/api/v1/hosts/create", {"friendly_name": "web-01.prod"})
    # Then
    assert response.status_code == 201
    body = response.json_body
    assert set(body) == {"hostId", "friendlyName", "apiId", "apiKey", "hostGroups", "instructions"}
    assert body["friendlyName"] == "web-01.prod" and body["hostGroups"] == []
    assert re.fullmatch(r"patchmon_[0-9a-f]{16}", body["apiId"]) and re.fullmatch(r"[0-9a-f]{64}", body["apiKey"])
    host = _host(admin, body["hostId"])
    assert {k: host[k] for k in ("host_id", "friendly_name", "api_id", "status", "group_ids", "packages_count", "updates_count",
                                 "security_count", "needs_reboot", "docker_enabled", "compliance_enabled", "auto_update", "hostname")} == {
        "host_id": body["hostId"], "friendly_name": "web-01.prod", "api_id": body["apiId"], "status": "pending", "group_ids": [],
        "packages_count": 0, "updates_count": 0, "security_count": 0, "needs_reboot": False, "docker_enabled": False,
        "compliance_enabled": False, "auto_update": True, "hostname": None}
    listing = admin.get("/api/v1/hosts")
    for later in (json.dumps(host), listing.body.decode()):
        assert body["apiKey"] not in later and "key_hash" not in later and "apiKey" not in later


def test_create_host_with_integrations_turned_on_tells_the_agent(admin):
    """docker_enabled / compliance_enabled given at creation are stored and announced to the agent."""
    # When
    agent = enrol(admin, "box", docker_enabled=True, compliance_enabled=True)
    # Then
    host = _host(admin, agent.host_id)
    assert (host["docker_enabled"], host["compliance_enabled"]) == (True, True)
    assert agent.get("/hosts/integrations").json_body["integrations"] == {"docker": True, "compliance": True}


@pytest.mark.parametrize(("body", "message"), [
    ({"friendly_name": ""}, "friendly_name: String should have at least 1 character"),
    ({"friendly_name": "x" * 256}, "friendly_name: String should have at most 255 characters"),
    ({"friendly_name": 123}, "friendly_name: Input should be a valid string"),
    ({"friendly_name": None}, "friendly_name: Input should be a valid string"),
    ({"friendly_name": ["web"]}, "friendly_name: Input should be a valid string"),
    ({}, "friendly_name: Field required"),
    ({"friendly_name": "web", "hostGroupIds": "g1"}, "hostGroupIds: Input should be a valid list"),
    ({"friendly_name": "web", "docker_enabled": "perhaps"}, "docker_enabled: Input should be a valid boolean, unable to interpret input"),
    ({"friendly_name": "web", "os": "linux"}, "os: Extra inputs are not permitted"),
])
def test_create_host_with_an_invalid_body_is_refused_and_writes_nothing(admin, body, message):
    """A malformed create request answers 400 {"error"} and no host is counted or listed."""
    # When
    response = admin.post("/api/v1/hosts/create", body)
    # Then
    assert response.status_code == 400
    assert response.json_body == {"error": message, "code": "invalid_input"}
    assert admin.get("/api/v1/hosts").json_body["hosts"] == []
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 0


@pytest.mark.parametrize("name", ["   ", "\t\n"])
def test_create_host_with_a_blank_friendly_name_is_refused(admin, name):
    """A friendly name is required: one made only of whitespace is no name."""
    # When
    response = admin.post("/api/v1/hosts/create", {"friendly_name": name})
    # Then
    assert response.status_code == 400
    assert response.json_body == {"error": "friendly_name: must not be blank", "code": "invalid_input"}
    assert admin.get("/api/v1/hosts").json_body["hosts"] == []


def test_create_host_accepts_a_name_of_exactly_255_characters(admin):
    name = "n" * 255
    response = admin.post("/api/v1/hosts/create", {"friendly_name": name})
    assert response.status_code == 201 and _host(admin, response.json_body["hostId"])["friendly_name"] == name


def test_create_host_places_it_in_the_groups_given(admin):
    """hostGroupIds (or host_group_ids) place the new host in those groups; the answer names them."""
    # Given
    web, db = _group(admin, "web", "#FF0000"), _group(admin, "db", "#00FF00")
    # When
    response = admin.post("/api/v1/hosts/create", {"friendly_name": "h", "hostGroupIds": [web, db, web]})
    other = admin.post("/api/v1/hosts/create", {"friendly_name": "h2", "host_group_ids": [db]})
    # Then
    assert response.status_code == 201 and other.status_code == 201
    assert response.json_body["hostGroups"] == [{"id": web, "name": "web", "color": "#FF0000"}, {"id": db, "name": "db", "color": "#00FF00"}]
    assert _host(admin, response.json_body["hostId"])["group_ids"] == [web, db]
    assert _host(admin, other.json_body["hostId"])["group_ids"] == [db]


def test_create_host_with_an_unknown_group_is_refused_and_writes_nothing(admin, client):
    """A group id that does not exist (here or only in another tenant) refuses the host."""
    # Given
    web = _group(admin, "web")
    other_admin = sign_in(client, make_tenant("other"), "root", role="superadmin")
    foreign = _group(other_admin, "foreign")
    for bad in ("no-such-group", foreign):
        # When
        response = admin.post("/api/v1/hosts/create", {"friendly_name": "h", "hostGroupIds": [web, bad]})
        # Then
        assert response.status_code == 400
        assert response.json_body == {"error": f"Host group not found: {bad}", "code": "invalid_input"}
    assert admin.get("/api/v1/hosts").json_body["hosts"] == []
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 0


def test_create_host_beyond_the_plan_host_limit_is_refused_until_a_host_is_deleted(client, aws):
    """The plan's host limit answers 403 plan_limit_reached, writes nothing, and frees up on delete."""
    # Given
    tiny = tenant_service.create(TenantCreate(slug="tiny", name="Tiny", plan="free", host_limit=2))
    admin = sign_in(client, tiny, "root", role="superadmin")
    first = enrol(admin, "one")
    enrol(admin, "two")
    # When
    refused = admin.post("/api/v1/hosts/create", {"friendly_name": "three"})
    # Then
    assert refused.status_code == 403
    assert refused.json_body == {"error": "Host limit reached (2) for your plan", "code": "plan_limit_reached"}
    assert _names(admin.get("/api/v1/hosts")) == ["one", "two"]
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 2
    # When a host is deleted, there is room again
    assert admin.delete(f"/api/v1/hosts/{first.host_id}").status_code == 200
    assert admin.post("/api/v1/hosts/create", {"friendly_name": "three"}).status_code == 201
    assert _names(admin.get("/api/v1/hosts")) == ["three", "two"]


# --- list ------------------------------------------------------------------------------------------
def test_host_list_is_ordered_by_friendly_name_ignoring_case(admin):
    for name in ("charlie", "Alpha", "bravo", "Delta"):
        enrol(admin, name)
    assert _names(admin.get("/api/v1/hosts")) == ["Alpha", "bravo", "charlie", "Delta"]


@pytest.fixture
def fleet(admin):
    """Four hosts with known groups, OS, updates and reboot state."""
    g1, g2 = _group(admin, "g1"), _group(admin, "g2")
    alpha = enrol(admin, "alpha", hostGroupIds=[g1])
    bravo = enrol(admin, "bravo", hostGroupIds=[g2])
    enrol(admin, "charlie", hostGroupIds=[g1, g2])  # never reports: pending
    delta = enrol(admin, "delta")
    assert alpha.post("/hosts/update", _report(packages(4, outdated=2, security=1), hostname="web-a", needs_reboot=True)).status_code == 200
    assert bravo.post("/hosts/update", _report(packages(3), os_type="Debian", os_version="12", hostname="DB-Bravo")).status_code == 200
    assert delta.post("/hosts/update", _report(packages(3, outdated=1), hostname="cache-d")).status_code == 200
    return {"g1": g1, "g2": g2}


HOST_FILTERS = {
    "": ["alpha", "bravo", "charlie", "delta"],
    "status=pending": ["charlie"],
    "status=active": ["alpha", "bravo", "delta"],
    "status=offline": [],
    "os=ubuntu": ["alpha", "delta"],
    "os=Debian": ["bravo"],
    "os=windows": [],
    "needs_updates=true": ["alpha", "delta"],
    "needs_updates=false": ["alpha", "bravo", "charlie", "delta"],
    "security=true": ["alpha"],
    "security=1": ["alpha"],
    "reboot_required=true": ["alpha"],
    "search=ALP": ["alpha"],
    "search=db-bravo": ["bravo"],  # the hostname the agent reported, in any case
    "search=cache": ["delta"],
    "search=zzz": [],
    "needs_updates=true&reboot_required=true": ["alpha"],
    "status=active&os=ubuntu&security=true": ["alpha"],
}


def test_host_list_filters_return_exactly_the_matching_hosts(admin, fleet):
    """Each filter (status, os, needs_updates, security, reboot_required, search) and their combinations."""
    # When
    answers = {query: _names(admin.get(f"/api/v1/hosts?{query}")) for query in HOST_FILTERS}
    # Then
    assert answers == HOST_FILTERS


def test_host_list_group_filter_returns_the_members_of_that_group(admin, fleet):
    assert _names(admin.get(f"/api/v1/hosts?group={fleet['g1']}")) == ["alpha", "charlie"]
    assert _names(admin.get(f"/api/v1/hosts?group={fleet['g2']}")) == ["bravo", "charlie"]
    assert _names(admin.get(f"/api/v1/hosts?group={fleet['g1']}&needs_updates=true")) == ["alpha"]
    assert _names(admin.get("/api/v1/hosts?group=no-such-group")) == []


def test_host_list_ungrouped_filter_returns_the_hosts_in_no_group(admin, fleet):
    # Given a host that had groups and lost them
    echo = enrol(admin, "echo", hostGroupIds=[fleet["g1"]])
    assert admin.put(f"/api/v1/hosts/{echo.host_id}/groups", {"group_ids": []}).status_code == 200
    # When / Then: hosts never grouped and hosts whose groups were cleared
    assert _names(admin.get("/api/v1/hosts?group=ungrouped")) == ["delta", "echo"]
    assert _names(admin.get("/api/v1/hosts?group=ungrouped&status=active")) == ["delta"]


def test_host_list_entries_carry_the_check_in_state_and_no_secrets(admin, fleet):
    hosts = {h["friendly_name"]: h for h in admin.get("/api/v1/hosts").json_body["hosts"]}
    alpha, charlie = hosts["alpha"], hosts["charlie"]
    assert (alpha["updates_count"], alpha["security_count"], alpha["needs_reboot"], alpha["os_type"]) == (2, 1, True, "Ubuntu")
    assert alpha["last_seen_at"] is not None and charlie["last_seen_at"] is None
    assert (alpha["connected"], alpha["connected_since"]) == (False, None)
    assert not {"key_hash", "search_text", "pk", "sk", "gsi1pk", "gsi1sk", "os_type_lower"} & set(alpha)


def test_host_list_cursor_walks_every_host_once_in_name_order(admin):
    """With more hosts than a page holds, following next_cursor yields each host exactly once."""
    # Given
    names = [f"host-{i:02d}" for i in range(11)]
    for name in reversed(names):
        enrol(admin, name)
    # When
    seen, sizes = _walk(admin, "/api/v1/hosts?limit=4")
    # Then
    assert seen == names
    assert sizes == [4, 4, 3]


def test_host_list_cursor_with_a_filter_yields_every_match_once(admin):
    # Given: every third host has an update
    expected = []
    for i in range(9):
        agent = enrol(admin, f"h{i}")
        outdated = 1 if i % 3 == 0 else 0
        agent.post("/hosts/update", _report(packages(2, outdated=outdated)))
        if outdated:
            expected.append(f"h{i}")
    # When
    seen, _ = _walk(admin, "/api/v1/hosts?limit=2&needs_updates=true")
    # Then
    assert seen == expected == ["h0", "h3", "h6"]


def test_host_list_default_page_is_fifty_hosts(admin):
    for i in range(51):
        enrol(admin, f"h{i:02d}")
    first = admin.get("/api/v1/hosts").json_body
    assert len(first["hosts"]) == 50 and first["next_cursor"] is not None
    rest = admin.get(f"/api/v1/hosts?cursor={first['next_cursor']}").json_body
    assert _names_of(rest) == ["h50"] and rest["next_cursor"] is None


HOST_SORTS = {
    "sort=updates_count&order=desc": ["alpha", "delta", "bravo", "charlie"],  # 2, 1, 0, 0 updates; ties by name
    "sort=updates_count": ["bravo", "charlie", "delta", "alpha"],
    "sort=hostname": ["delta", "bravo", "alpha", "charlie"],  # cache-d, DB-Bravo, web-a (case ignored); no hostname last
    "sort=os&order=desc": ["alpha", "delta", "bravo", "charlie"],  # ubuntu 22.04 > debian 12; ties by name
    "sort=status": ["alpha", "bravo", "delta", "charlie"],  # active < pending
    "sort=friendly_name&order=desc": ["delta", "charlie", "bravo", "alpha"],
}


def test_host_list_sorts_by_each_column_in_either_direction(admin, fleet):
    # When
    answers = {query: _names(admin.get(f"/api/v1/hosts?{query}")) for query in HOST_SORTS}
    # Then
    assert answers == HOST_SORTS


def test_sorted_host_list_pages_walk_every_host_once_and_cursors_belong_to_their_order(admin, fleet):
    # Given
    first = admin.get("/api/v1/hosts?sort=updates_count&order=desc&limit=3").json_body
    # When
    second = admin.get(f"/api/v1/hosts?sort=updates_count&order=desc&limit=3&cursor={first['next_cursor']}").json_body
    other_order = admin.get(f"/api/v1/hosts?sort=hostname&limit=3&cursor={first['next_cursor']}")
    # Then
    assert _names_of(first) + _names_of(second) == HOST_SORTS["sort=updates_count&order=desc"]
    assert second["next_cursor"] is None
    assert other_order.status_code == 400 and other_order.json_body["error"] == "Invalid cursor"


@pytest.mark.parametrize(("query", "message"), [
    ("sort=api_key", "sort must be one of: friendly_name, hostname, status, os, last_report_at, updates_count, security_count, created_at"),
    ("sort=hostname&order=sideways", "order must be asc or desc"),
])
def test_host_list_with_an_unknown_sort_is_refused(admin, query, message):
    response = admin.get(f"/api/v1/hosts?{query}")
    assert response.status_code == 400 and response.json_body["error"] == message


def _names_of(page: dict) -> list[str]:
    return [h["friendly_name"] for h in page["hosts"]]


@pytest.mark.parametrize(("query", "message"), [
    ("limit=0", "limit must be between 1 and 200"),
    ("limit=201", "limit must be between 1 and 200"),
    ("limit=-5", "limit must be between 1 and 200"),
    ("limit=ten", "limit must be an integer"),
    ("cursor=not-a-cursor", "Invalid cursor"),
    ("cursor=" + base64.urlsafe_b64encode(b'{"pk":"T#someone-else#HOSTS"}').decode(), "Invalid cursor"),
    ("needs_updates=maybe", "needs_updates must be true or false"),
    ("security=2", "security must be true or false"),
    ("reboot_required=yes please", "reboot_required must be true or false"),
])
def test_host_list_with_a_bad_query_parameter_is_refused(admin, query, message):
    enrol(admin, "one")
    response = admin.get(f"/api/v1/hosts?{query}")
    assert response.status_code == 400
    assert response.json_body == {"error": message, "code": "invalid_input"}


def test_host_list_refuses_a_cursor_issued_for_another_tenant(admin, client):
    # Given: a cursor of tenant B's host list
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    for name in ("a", "b", "c"):
        enrol(other, name)
    cursor = other.get("/api/v1/hosts?limit=1").json_body["next_cursor"]
    assert cursor
    # When
    response = admin.get(f"/api/v1/hosts?cursor={cursor}")
    # Then
    assert response.status_code == 400 and response.json_body["error"] == "Invalid cursor"


# --- detail --------------------------------------------------------------------------------------
def test_host_detail_shows_the_facts_of_the_last_report(admin):
    # Given
    agent = enrol(admin, "web")
    agent.post("/hosts/update", full_report(packages(6, outdated=3, security=2), hostname="web-01", needs_reboot=True))
    # When
    host = _host(admin, agent.host_id)
    # Then
    assert {k: host[k] for k in ("status", "hostname", "os_type", "os_version", "architecture", "kernel_version", "agent_version", "ip",
                                 "packages_count", "updates_count", "security_count", "needs_reboot", "reboot_reason",
                                 "package_manager", "repos_count", "ram_installed", "load_average", "secure", "connected")} == {
        "status": "active", "hostname": "web-01", "os_type": "Ubuntu", "os_version": "22.04", "architecture": "x86_64",
        "kernel_version": "5.15.0-91-generic", "agent_version": "1.5.0", "ip": "10.0.0.5", "packages_count": 6, "updates_count": 3,
        "security_count": 2, "needs_reboot": True, "reboot_reason": "kernel update", "package_manager": "apt", "repos_count": 1,
        "ram_installed": 3.8, "load_average": [0.1, 0.2, 0.3], "secure": False, "connected": False}
    assert host["network_interfaces"][0]["addresses"][0]["address"] == "10.0.0.5"
    assert host["last_report_at"] is not None and host["last_report_at"] == host["last_seen_at"]
    assert not {"key_hash", "search_text", "pk", "sk"} & set(host)


def test_get_host_that_does_not_exist_or_belongs_to_another_tenant_is_not_found(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    foreign = enrol(other, "theirs")
    for host_id in ("no-such-host", foreign.host_id):
        response = admin.get(f"/api/v1/hosts/{host_id}")
        assert response.status_code == 404
        assert response.json_body == {"error": "Host not found", "code": "not_found"}


# --- rename, groups, auto-update ------------------------------------------------------------------
def test_rename_host_changes_its_name_order_search_and_the_agent_ping(admin):
    # Given
    agent = enrol(admin, "aaa")
    enrol(admin, "mmm")
    # When
    response = admin.patch(f"/api/v1/hosts/{agent.host_id}/friendly-name", {"friendlyName": "zzz"})
    # Then
    assert response.status_code == 200
    assert response.json_body["friendly_name"] == "zzz" and response.json_body["host_id"] == agent.host_id
    assert _host(admin, agent.host_id)["friendly_name"] == "zzz"
    assert _names(admin.get("/api/v1/hosts")) == ["mmm", "zzz"]
    assert _names(admin.get("/api/v1/hosts?search=zz")) == ["zzz"]
    assert _names(admin.get("/api/v1/hosts?search=aaa")) == []
    assert agent.post("/hosts/ping").json_body["friendlyName"] == "zzz"


def test_rename_host_accepts_the_snake_case_field_name(admin):
    agent = enrol(admin, "old")
    assert admin.patch(f"/api/v1/hosts/{agent.host_id}/friendly-name", {"friendly_name": "new"}).status_code == 200
    assert _host(admin, agent.host_id)["friendly_name"] == "new"


@pytest.mark.parametrize(("body", "message"), [
    ({"friendlyName": ""}, "friendlyName: String should have at least 1 character"),
    ({"friendlyName": "  "}, "friendlyName: must not be blank"),
    ({"friendlyName": "x" * 256}, "friendlyName: String should have at most 255 characters"),
    ({"friendlyName": 7}, "friendlyName: Input should be a valid string"),
    ({}, "friendlyName: Field required"),
])
def test_rename_host_with_an_invalid_name_is_refused_and_keeps_the_old_name(admin, body, message):
    agent = enrol(admin, "keep-me")
    response = admin.patch(f"/api/v1/hosts/{agent.host_id}/friendly-name", body)
    assert response.status_code == 400 and response.json_body == {"error": message, "code": "invalid_input"}
    assert _host(admin, agent.host_id)["friendly_name"] == "keep-me"


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("patch", "/friendly-name", {"friendlyName": "x"}),
    ("put", "/groups", {"groupIds": []}),
    ("patch", "/auto-update", {"autoUpdate": False}),
    ("post", "/regenerate-credentials", None),
    ("delete", "", None),
    ("get", "/packages", None),
    ("get", "/reports", None),
])
def test_changing_or_reading_an_unknown_host_is_not_found(admin, method, suffix, body):
    call = getattr(admin, method)
    response = call(f"/api/v1/hosts/no-such-host{suffix}", body) if body is not None else call(f"/api/v1/hosts/no-such-host{suffix}")
    assert response.status_code == 404 and response.json_body == {"error": "Host not found", "code": "not_found"}


def test_set_host_groups_replaces_them_and_an_empty_list_clears_them(admin):
    # Given
    g1, g2, g3 = _group(admin, "g1"), _group(admin, "g2"), _group(admin, "g3")
    agent = enrol(admin, "h", hostGroupIds=[g1])
    # When
    response = admin.put(f"/api/v1/hosts/{agent.host_id}/groups", {"groupIds": [g2, g3, g2]})
    # Then
    assert response.status_code == 200 and response.json_body["group_ids"] == [g2, g3]
    assert _host(admin, agent.host_id)["group_ids"] == [g2, g3]
    assert _names(admin.get(f"/api/v1/hosts?group={g1}")) == []
    # When cleared
    assert admin.put(f"/api/v1/hosts/{agent.host_id}/groups", {"groupIds": []}).json_body["group_ids"] == []
    assert _host(admin, agent.host_id)["group_ids"] == []


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"groupIds": ["no-such-group"]}, 400, "Host group not found: no-such-group"),
    ({"groupIds": "g1"}, 400, "groupIds: Input should be a valid list"),
    ({}, 400, "groupIds: Field required"),
])
def test_set_host_groups_with_a_bad_body_changes_nothing(admin, body, status, message):
    g1 = _group(admin, "g1")
    agent = enrol(admin, "h", hostGroupIds=[g1])
    response = admin.put(f"/api/v1/hosts/{agent.host_id}/groups", body)
    assert response.status_code == status and response.json_body["error"] == message
    assert _host(admin, agent.host_id)["group_ids"] == [g1]


def test_auto_update_toggle_is_stored(admin):
    agent = enrol(admin, "h")
    off = admin.patch(f"/api/v1/hosts/{agent.host_id}/auto-update", {"autoUpdate": False})
    assert off.status_code == 200 and off.json_body["auto_update"] is False
    assert _host(admin, agent.host_id)["auto_update"] is False
    on = admin.patch(f"/api/v1/hosts/{agent.host_id}/auto-update", {"auto_update": True})
    assert on.status_code == 200 and _host(admin, agent.host_id)["auto_update"] is True


@pytest.mark.parametrize("body", [{}, {"autoUpdate": "sometimes"}, {"autoUpdate": None}, {"autoUpdate": True, "extra": 1}])
def test_auto_update_with_a_bad_body_is_refused(admin, body):
    agent = enrol(admin, "h")
    response = admin.patch(f"/api/v1/hosts/{agent.host_id}/auto-update", body)
    assert response.status_code == 400 and response.json_body["code"] == "invalid_input"
    assert _host(admin, agent.host_id)["auto_update"] is True


# --- credentials ---------------------------------------------------------------------------------
def test_regenerated_credentials_replace_the_old_ones_and_keep_the_inventory(admin):
    # Given
    agent = enrol(admin, "h")
    agent.post("/hosts/update", full_report(packages(5, outdated=2)))
    old_id, old_key = agent.api_id, agent.api_key
    # When
    response = admin.post(f"/api/v1/hosts/{agent.host_id}/regenerate-credentials")
    # Then
    assert response.status_code == 200 and set(response.json_body) == {"apiId", "apiKey"}
    new_id, new_key = response.json_body["apiId"], response.json_body["apiKey"]
    assert new_id != old_id and new_key != old_key and re.fullmatch(r"[0-9a-f]{64}", new_key)
    assert agent.post("/hosts/ping").status_code == 401
    refused = agent.post("/hosts/update", full_report(packages(1)))
    assert refused.status_code == 401 and refused.json_body["error"] == "Invalid API credentials"
    agent.api_id, agent.api_key = new_id, new_key
    assert agent.post("/hosts/ping").status_code == 200
    host = _host(admin, agent.host_id)
    assert host["api_id"] == new_id and host["packages_count"] == 5 and host["updates_count"] == 2
    assert new_key not in json.dumps(host)


def test_old_credentials_still_work_when_regeneration_is_forbidden(admin, client):
    agent = enrol(admin, "h")
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    assert viewer.post(f"/api/v1/hosts/{agent.host_id}/regenerate-credentials").status_code == 403
    assert agent.post("/hosts/ping").status_code == 200


# --- delete ----------------------------------------------------------------------------------------
def test_delete_host_removes_it_its_inventory_and_its_credentials(admin, aws):
    """Deleting a host removes its record, packages, repos and history, decrements every aggregate and kills its key."""
    # Given
    gone, kept = enrol(admin, "gone"), enrol(admin, "kept")
    gone.post("/hosts/update", _report([package("openssl", "3.0.2", available="3.0.3", security=True), package("only-gone", "1")],
                                       needs_reboot=True))
    kept.post("/hosts/update", _report([package("openssl", "3.0.3")], os_type="Debian", os_version="12", hostname="k"))
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 2
    # When
    response = admin.delete(f"/api/v1/hosts/{gone.host_id}")
    # Then
    assert response.status_code == 200 and response.json_body == {"message": "Host deleted successfully"}
    assert admin.get(f"/api/v1/hosts/{gone.host_id}").status_code == 404
    assert admin.get(f"/api/v1/hosts/{gone.host_id}/packages").status_code == 404
    assert admin.get(f"/api/v1/hosts/{gone.host_id}/reports").status_code == 404
    assert _names(admin.get("/api/v1/hosts")) == ["kept"]
    assert admin.get("/api/v1/packages/openssl").json_body == {
        "name": "openssl", "description": "openssl package", "category": "utils", "latest_version": "3.0.3",
        "installed_hosts": 1, "outdated_hosts": 0, "security_hosts": 0}
    assert admin.get("/api/v1/packages/only-gone").status_code == 404
    assert [h["host_id"] for h in admin.get("/api/v1/packages/openssl/hosts").json_body["hosts"]] == [kept.host_id]
    repos = admin.get("/api/v1/repositories").json_body["repositories"]
    assert [(r["name"], r["host_count"]) for r in repos] == [("ubuntu-main", 1)]
    assert [h["host_id"] for h in admin.get(f"/api/v1/repositories/{repos[0]['repo_id']}/hosts").json_body["hosts"]] == [kept.host_id]
    assert admin.get("/api/v1/dashboard/stats").json_body == {
        "total_hosts": 1, "hosts_needing_updates": 0, "hosts_with_security_updates": 0, "hosts_reboot_required": 0,
        "hosts_by_status": {"active": 1}, "os_distribution": {"Debian 12": 1}, "offline_hosts": 0, "up_to_date_hosts": 1,
        "packages_needing_updates": 0, "packages_with_security_updates": 0}
    # Nothing about the host is left behind (packages, repos, report history, agent record), whatever the key layout.
    leftovers = [i for i in aws.table_items() if i.get("host_id", {}).get("S") == gone.host_id]
    assert leftovers == []
    for path, body in (("/hosts/ping", None), ("/hosts/update", full_report(packages(1)))):
        refused = gone.post(path, body)
        assert refused.status_code == 401 and refused.json_body["error"] == "Invalid API credentials"
    assert admin.delete(f"/api/v1/hosts/{gone.host_id}").status_code == 404


def test_bulk_delete_deletes_the_hosts_named_and_reports_the_rest_as_not_found(admin, client):
    # Given
    a, b, c = enrol(admin, "a"), enrol(admin, "b"), enrol(admin, "c")
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    foreign = enrol(other, "theirs")
    # When
    response = _bulk_delete(admin, [a.host_id, b.host_id, "nope", a.host_id, foreign.host_id])
    # Then
    assert response.status_code == 200
    assert response.json_body == {"deleted": [a.host_id, b.host_id], "not_found": ["nope", foreign.host_id]}
    assert _names(admin.get("/api/v1/hosts")) == ["c"] and c.post("/hosts/ping").status_code == 200
    assert a.post("/hosts/ping").status_code == 401 and b.post("/hosts/ping").status_code == 401
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 1
    assert _names(other.get("/api/v1/hosts")) == ["theirs"] and foreign.post("/hosts/ping").status_code == 200


def test_deleting_a_host_of_another_tenant_is_not_found_and_leaves_it(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    theirs = enrol(other, "theirs")
    response = admin.delete(f"/api/v1/hosts/{theirs.host_id}")
    assert response.status_code == 404 and response.json_body == {"error": "Host not found", "code": "not_found"}
    assert _names(other.get("/api/v1/hosts")) == ["theirs"] and theirs.post("/hosts/ping").status_code == 200
    assert other.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 1


@pytest.mark.parametrize("body", [{"hostIds": []}, {}, {"hostIds": "a"}])
def test_bulk_delete_with_no_host_ids_is_refused(admin, body):
    enrol(admin, "a")
    response = admin.client.http.delete("/api/v1/hosts/bulk", headers=admin.headers(), body=json.dumps(body))
    assert response.status_code == 400 and response.json_body["code"] == "invalid_input"
    assert _names(admin.get("/api/v1/hosts")) == ["a"]


# --- a host's packages and report history -----------------------------------------------------------
@pytest.fixture
def reported(admin):
    agent = enrol(admin, "h")
    pkgs = packages(12, outdated=5, security=2) + [package("openssl", "3.0.2", available="3.0.3", security=True)]
    assert agent.post("/hosts/update", full_report(pkgs)).status_code == 200
    return agent


@pytest.mark.parametrize(("query", "expected"), [
    ("needs_updates=true", ["openssl", "pkg-00000", "pkg-00001", "pkg-00002", "pkg-00003", "pkg-00004"]),
    ("security=true", ["openssl", "pkg-00000", "pkg-00001"]),
    ("search=ssl", ["openssl"]),
    ("search=pkg-0001", ["pkg-00010", "pkg-00011"]),
    ("search=pkg-0000&needs_updates=true", ["pkg-00000", "pkg-00001", "pkg-00002", "pkg-00003", "pkg-00004"]),
    ("search=nothing-like-this", []),
])
def test_host_packages_filters_return_exactly_the_matching_packages(admin, reported, query, expected):
    seen, _ = _walk(admin, f"/api/v1/hosts/{reported.host_id}/packages?{query}", key="packages", field="name")
    assert seen == expected


def test_host_packages_rows_carry_versions_and_flags(admin, reported):
    rows = {p["name"]: p for p in admin.get(f"/api/v1/hosts/{reported.host_id}/packages").json_body["packages"]}
    assert len(rows) == 13
    openssl = rows["openssl"]
    assert {k: openssl[k] for k in ("current_version", "available_version", "needs_update", "is_security_update",
                                    "source_repository", "description", "category", "host_id")} == {
        "current_version": "3.0.2", "available_version": "3.0.3", "needs_update": True, "is_security_update": True,
        "source_repository": "jammy-updates", "description": "openssl package", "category": "utils", "host_id": reported.host_id}
    assert (rows["pkg-00011"]["needs_update"], rows["pkg-00011"]["available_version"]) == (False, "")
    assert not {"pk", "sk", "gsi1pk", "gsi1sk"} & set(openssl)


def test_host_packages_cursor_walks_every_package_once(admin, reported):
    seen, sizes = _walk(admin, f"/api/v1/hosts/{reported.host_id}/packages?limit=5", key="packages", field="name")
    assert seen == ["openssl"] + [f"pkg-{i:05d}" for i in range(12)]
    assert sizes == [5, 5, 3]


@pytest.mark.parametrize(("query", "message"), [
    ("limit=0", "limit must be between 1 and 200"),
    ("limit=x", "limit must be an integer"),
    ("cursor=@@@", "Invalid cursor"),
    ("needs_updates=perhaps", "needs_updates must be true or false"),
])
def test_host_packages_with_a_bad_query_parameter_is_refused(admin, reported, query, message):
    response = admin.get(f"/api/v1/hosts/{reported.host_id}/packages?{query}")
    assert response.status_code == 400 and response.json_body == {"error": message, "code": "invalid_input"}


def test_host_packages_refuses_a_cursor_of_another_hosts_packages(admin, reported):
    other = enrol(admin, "other")
    other.post("/hosts/update", full_report(packages(4)))
    cursor = admin.get(f"/api/v1/hosts/{other.host_id}/packages?limit=1").json_body["next_cursor"]
    response = admin.get(f"/api/v1/hosts/{reported.host_id}/packages?cursor={cursor}")
    assert response.status_code == 400 and response.json_body["error"] == "Invalid cursor"


def test_report_history_lists_reports_newest_first_with_their_outcome(admin, clock_at):
    # Given: a full report, an unchanged one, a rejected one and a partial one, a minute apart
    agent = enrol(admin, "h")
    report = full_report(packages(3))
    assert agent.post("/hosts/update", report).status_code == 200
    clock_at.advance(minutes=1)
    assert agent.post("/hosts/update", report).status_code == 200
    clock_at.advance(minutes=1)
    assert agent.post("/hosts/update", {"osType": "Ubuntu"}).status_code == 400
    clock_at.advance(minutes=1)
    assert agent.post("/hosts/update", {"sections": ["packages"], "packages": packages(4), "osType": "Ubuntu"}).status_code == 200
    # When
    rows = admin.get(f"/api/v1/hosts/{agent.host_id}/reports").json_body["reports"]
    # Then
    assert [(r["status"], r["report_type"]) for r in rows] == [("success", "partial"), ("error", "full"), ("success", "full"),
                                                               ("success", "full")]
    assert [r["at"] for r in rows] == sorted((r["at"] for r in rows), reverse=True)
    assert rows[0]["sections_sent"] == ["packages"] and rows[0]["packages_count"] == 4
    assert rows[1]["error"] == "Packages array is required"
    assert rows[2]["sections_unchanged"] == ["packages", "repos", "interfaces", "hostname"]
    assert rows[3]["sections_unchanged"] == [] and rows[3]["packages_count"] == 3
    # And pages of two walk the same rows in the same order
    seen, sizes = _walk(admin, f"/api/v1/hosts/{agent.host_id}/reports?limit=2", key="reports", field="at")
    assert seen == [r["at"] for r in rows] and sizes[:2] == [2, 2]


def test_report_history_hides_reports_older_than_the_retention(admin, client, clock_at):
    """Rows past the tenant's agent_report_retention_days (default 30) are not listed, even before TTL removes them."""
    # Given
    agent = enrol(admin, "h")
    agent.post("/hosts/update", full_report(packages(2)))
    clock_at.advance(days=31)
    agent.post("/hosts/update", full_report(packages(3)))
    later = sign_in(client, admin.tenant, "later", role="readonly")  # the first session has long expired
    # When
    rows = later.get(f"/api/v1/hosts/{agent.host_id}/reports").json_body["reports"]
    # Then
    assert [r["packages_count"] for r in rows] == [3]


def test_host_packages_default_page_is_one_hundred(admin):
    agent = enrol(admin, "h")
    agent.post("/hosts/update", full_report(packages(101)))
    first = admin.get(f"/api/v1/hosts/{agent.host_id}/packages").json_body
    assert len(first["packages"]) == 100 and first["next_cursor"] is not None
    rest = admin.get(f"/api/v1/hosts/{agent.host_id}/packages?cursor={first['next_cursor']}").json_body
    assert [p["name"] for p in rest["packages"]] == ["pkg-00100"] and rest["next_cursor"] is None


def test_host_packages_search_ignores_case(admin):
    agent = enrol(admin, "h")
    agent.post("/hosts/update", full_report([package("NetworkManager", "1.36"), package("curl", "7.81")]))
    rows = admin.get(f"/api/v1/hosts/{agent.host_id}/packages?search=networkmanager").json_body["packages"]
    assert [p["name"] for p in rows] == ["NetworkManager"]


def test_deleting_a_host_after_regenerating_its_credentials_revokes_the_new_ones(admin):
    agent = enrol(admin, "h")
    fresh = admin.post(f"/api/v1/hosts/{agent.host_id}/regenerate-credentials").json_body
    agent.api_id, agent.api_key = fresh["apiId"], fresh["apiKey"]
    assert agent.post("/hosts/ping").status_code == 200
    assert admin.delete(f"/api/v1/hosts/{agent.host_id}").status_code == 200
    assert agent.post("/hosts/ping").status_code == 401
    assert admin.get("/api/v1/dashboard/stats").json_body["total_hosts"] == 0


# --- permissions -----------------------------------------------------------------------------------
MANAGE_CALLS = [
    ("post", "/api/v1/hosts/create", {"friendly_name": "x"}),
    ("patch", "/api/v1/hosts/{id}/friendly-name", {"friendlyName": "renamed"}),
    ("put", "/api/v1/hosts/{id}/groups", {"groupIds": []}),
    ("put", "/api/v1/hosts/bulk/groups", {"hostIds": ["{id}"], "groupIds": []}),
    ("patch", "/api/v1/hosts/{id}/auto-update", {"autoUpdate": False}),
    ("post", "/api/v1/hosts/{id}/regenerate-credentials", None),
    ("delete", "/api/v1/hosts/{id}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), MANAGE_CALLS)
def test_user_without_can_manage_hosts_cannot_change_hosts(admin, client, method, path, body):
    """The readonly role may look at hosts but gets 403 for every change, and nothing changes."""
    # Given
    agent = enrol(admin, "h")
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    before = _host(admin, agent.host_id)
    # When
    target = path.replace("{id}", agent.host_id)
    payload = json.loads(json.dumps(body).replace("{id}", agent.host_id)) if body is not None else None
    call = getattr(viewer, method)
    response = call(target, payload) if payload is not None else call(target)
    # Then
    assert response.status_code == 403 and response.json_body == {"error": "Insufficient permissions", "code": "forbidden"}
    assert _host(admin, agent.host_id) == before
    assert _names(admin.get("/api/v1/hosts")) == ["h"]


def test_user_without_can_manage_hosts_cannot_bulk_delete(admin, client):
    agent = enrol(admin, "h")
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    response = _bulk_delete(viewer, [agent.host_id])
    assert response.status_code == 403 and _names(admin.get("/api/v1/hosts")) == ["h"]


def test_readonly_user_can_read_hosts(admin, client):
    agent = enrol(admin, "h")
    agent.post("/hosts/update", full_report(packages(2)))
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    assert _names(viewer.get("/api/v1/hosts")) == ["h"]
    assert viewer.get(f"/api/v1/hosts/{agent.host_id}").json_body["packages_count"] == 2
    assert len(viewer.get(f"/api/v1/hosts/{agent.host_id}/packages").json_body["packages"]) == 2
    assert len(viewer.get(f"/api/v1/hosts/{agent.host_id}/reports").json_body["reports"]) == 1


@pytest.mark.parametrize("path", ["/api/v1/hosts", "/api/v1/hosts/{id}", "/api/v1/hosts/{id}/packages", "/api/v1/hosts/{id}/reports"])
def test_user_without_can_view_hosts_cannot_read_hosts(admin, client, path):
    # Given: a custom role that sees only the dashboard
    agent = enrol(admin, "h")
    _role(admin, "dash_only", ["can_view_dashboard"])
    outsider = sign_in(client, admin.tenant, "outsider", role="dash_only")
    # When
    response = outsider.get(path.replace("{id}", agent.host_id))
    # Then
    assert response.status_code == 403 and response.json_body == {"error": "Insufficient permissions", "code": "forbidden"}


def test_host_manager_role_can_create_and_delete_hosts(admin, client):
    manager = sign_in(client, admin.tenant, "ops", role="host_manager")
    agent = enrol(manager, "by-ops")
    assert _names(admin.get("/api/v1/hosts")) == ["by-ops"]
    assert manager.delete(f"/api/v1/hosts/{agent.host_id}").status_code == 200
    assert _names(admin.get("/api/v1/hosts")) == []


def test_hosts_routes_need_a_signed_in_user(admin):
    response = admin.client.http.get("/api/v1/hosts", headers={"Host": "localhost"})
    assert response.status_code == 401
