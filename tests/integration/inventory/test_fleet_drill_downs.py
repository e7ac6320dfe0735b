"""The package and repository drill-downs: one repository with its host count, and host rows that name their host."""
from __future__ import annotations

import pytest

from chalicelib.core import keys
from chalicelib.core.db import main_table
from tests.factories.fleet import REPOS, enrol, full_report, package
from tests.factories.identity import make_tenant, sign_in

HOST_FIELDS = ("friendly_name", "hostname", "status", "os_type", "os_version")
DOCKER = {"name": "docker", "url": "https://download.docker.com/linux/ubuntu", "distribution": "jammy", "components": "stable",
          "repoType": "deb", "isEnabled": True, "isSecure": True}


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _send(agent, *, hostname: str, os_type: str = "Ubuntu", os_version: str = "22.04", repos=None) -> None:
    report = {**full_report([package("openssl", "3.0.2")], hostname=hostname), "osType": os_type, "osVersion": os_version}
    report["repositories"] = repos if repos is not None else REPOS
    response = agent.post("/hosts/update", report)
    assert response.status_code == 200, response.body


def _repo_id(admin, name: str) -> str:
    return next(r["repo_id"] for r in admin.get("/api/v1/repositories").json_body["repositories"] if r["name"] == name)


@pytest.fixture
def two_hosts(admin):
    """`web` (Ubuntu 22.04) and `db` (Debian 12) both have openssl and the Ubuntu main repository."""
    web, db = enrol(admin, "web"), enrol(admin, "db")
    _send(web, hostname="web-01.example.com")
    _send(db, hostname="db-01.example.com", os_type="Debian", os_version="12")
    return web, db


# --- host names in the drill-down host lists ---------------------------------------------------------
@pytest.mark.parametrize("kind", ["package", "repository"])
def test_drill_down_rows_name_their_host_with_its_status_and_os_when_listed(admin, two_hosts, kind):
    # Given
    web, db = two_hosts
    path = "/api/v1/packages/openssl/hosts" if kind == "package" else f"/api/v1/repositories/{_repo_id(admin, 'ubuntu-main')}/hosts"
    # When
    response = admin.get(path)
    # Then
    assert response.status_code == 200, response.body
    rows = {r["host_id"]: r for r in response.json_body["hosts"]}
    assert {h: {f: rows[h][f] for f in HOST_FIELDS} for h in rows} == {
        web.host_id: {"friendly_name": "web", "hostname": "web-01.example.com", "status": "active", "os_type": "Ubuntu", "os_version": "22.04"},
        db.host_id: {"friendly_name": "db", "hostname": "db-01.example.com", "status": "active", "os_type": "Debian", "os_version": "12"},
    }
    if kind == "package":
        assert rows[web.host_id]["current_version"] == "3.0.2"
    else:
        assert rows[web.host_id]["url"] == REPOS[0]["url"]


def test_drill_down_row_follows_a_host_rename_when_listed(admin, two_hosts):
    web, _ = two_hosts
    admin.patch(f"/api/v1/hosts/{web.host_id}/friendly-name", {"friendlyName": "frontend"})
    rows = {r["host_id"]: r for r in admin.get("/api/v1/packages/openssl/hosts").json_body["hosts"]}
    assert rows[web.host_id]["friendly_name"] == "frontend"


@pytest.mark.parametrize("kind", ["package", "repository"])
def test_drill_down_reads_the_page_hosts_in_one_batch_when_listed(admin, kind):
    """A page is the index query and one batch read of its hosts, never a read per row."""
    # Given five hosts with the package and repository
    for i in range(5):
        _send(enrol(admin, f"h{i}"), hostname=f"h{i}")
    path = "/api/v1/packages/openssl/hosts" if kind == "package" else f"/api/v1/repositories/{_repo_id(admin, 'ubuntu-main')}/hosts"
    calls: list[tuple[str, str]] = []
    events = main_table().meta.client.meta.events

    def record(model, params, **_):
        calls.append((model.name, str(params.get("body"))))

    # When
    events.register("before-call.dynamodb.*", record)
    try:
        response = admin.get(path)
    finally:
        events.unregister("before-call.dynamodb.*", record)
    # Then
    assert len(response.json_body["hosts"]) == 5 and all(r["friendly_name"] for r in response.json_body["hosts"])
    on_hosts = [name for name, body in calls if "HOST#" in body]
    assert on_hosts == ["BatchGetItem"]
    batch = next(body for name, body in calls if name == "BatchGetItem")
    assert "ProjectionExpression" in batch and "friendly_name" in batch and "network_interfaces" not in batch  # projected


def test_drill_down_leaves_out_a_host_deleted_meanwhile_when_listed(admin, two_hosts):
    """A row whose host record is gone (deleted while its inventory was being removed) is not shown."""
    # Given web's host record is gone but its package and repository rows are still indexed
    web, db = two_hosts
    pk, sk = keys.host_key(admin.tenant.tenant_id, web.host_id)
    main_table().delete_item(Key={"pk": pk, "sk": sk})
    # When
    package_rows = admin.get("/api/v1/packages/openssl/hosts").json_body
    repo_rows = admin.get(f"/api/v1/repositories/{_repo_id(admin, 'ubuntu-main')}/hosts").json_body
    # Then
    assert [r["host_id"] for r in package_rows["hosts"]] == [db.host_id] and package_rows["next_cursor"] is None
    assert [r["host_id"] for r in repo_rows["hosts"]] == [db.host_id]


def test_drill_down_pages_walk_every_host_once_with_their_names(admin):
    names = {}
    for i in range(5):
        agent = enrol(admin, f"h{i}")
        _send(agent, hostname=f"h{i}.example.com")
        names[agent.host_id] = f"h{i}"
    seen, cursor = {}, None
    for _ in range(10):
        page = admin.get("/api/v1/packages/openssl/hosts?limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(page["hosts"]) <= 2
        seen.update({r["host_id"]: r["friendly_name"] for r in page["hosts"]})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == names


# --- one repository ----------------------------------------------------------------------------------
def test_get_repository_returns_it_with_its_host_count(admin, two_hosts):
    # Given
    web, _ = two_hosts
    _send(web, hostname="web-01.example.com", repos=[*REPOS, DOCKER])
    # When
    main = admin.get(f"/api/v1/repositories/{_repo_id(admin, 'ubuntu-main')}")
    docker = admin.get(f"/api/v1/repositories/{_repo_id(admin, 'docker')}")
    # Then
    assert main.status_code == 200 and main.json_body == {
        "repo_id": _repo_id(admin, "ubuntu-main"), "name": "ubuntu-main", "url": REPOS[0]["url"], "distribution": "jammy",
        "components": "main", "repo_type": "deb", "is_secure": False, "host_count": 2}
    assert (docker.json_body["name"], docker.json_body["host_count"], docker.json_body["is_secure"]) == ("docker", 1, True)
    listed = {r["repo_id"]: r for r in admin.get("/api/v1/repositories").json_body["repositories"]}
    assert listed[main.json_body["repo_id"]] == main.json_body


def test_get_repository_unknown_unused_or_of_another_tenant_is_not_found(admin, client, two_hosts):
    # Given a repository of another tenant, and one no host of ours uses any more
    web, db = two_hosts
    _send(web, hostname="web-01.example.com", repos=[*REPOS, DOCKER])
    dropped = _repo_id(admin, "docker")
    _send(web, hostname="web-01.example.com")
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    _send(enrol(other, "theirs"), hostname="theirs", repos=[{**DOCKER, "url": "https://theirs.example.com/"}])
    theirs = _repo_id(other, "docker")
    for repo_id in ("no-such-repo", dropped, theirs):
        # When
        response = admin.get(f"/api/v1/repositories/{repo_id}")
        # Then
        assert response.status_code == 404
        assert response.json_body == {"error": "Repository not found", "code": "not_found"}


def test_get_repository_is_readable_with_can_view_hosts_only(admin, client, two_hosts):
    repo_id = _repo_id(admin, "ubuntu-main")
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    assert viewer.get(f"/api/v1/repositories/{repo_id}").json_body["host_count"] == 2
    admin.put("/api/v1/permissions/roles/dash_only", {"permissions": ["can_view_dashboard"]})
    outsider = sign_in(client, admin.tenant, "outsider", role="dash_only")
    response = outsider.get(f"/api/v1/repositories/{repo_id}")
    assert response.status_code == 403 and response.json_body["code"] == "forbidden"
