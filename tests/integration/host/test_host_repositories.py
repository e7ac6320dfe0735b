"""A host's repositories as a user of the API sees them: GET /hosts/{host_id}/repositories."""
from __future__ import annotations

import pytest

from chalicelib.core.db import main_table
from tests.factories.fleet import REPOS, enrol, full_report, packages
from tests.factories.identity import make_tenant, sign_in

SECURE = {"name": "docker", "url": "https://download.docker.com/linux/ubuntu", "distribution": "jammy", "components": "stable",
          "repoType": "deb", "isEnabled": True, "isSecure": True}
DISABLED = {"name": "ubuntu-universe", "url": "http://archive.ubuntu.com/ubuntu", "distribution": "jammy", "components": "universe",
            "repoType": "deb-src", "isEnabled": False, "isSecure": False}


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _report(repos: list[dict]) -> dict:
    return {**full_report(packages(2)), "repositories": repos}


def _repositories(session, host_id: str, query: str = ""):
    return session.get(f"/api/v1/hosts/{host_id}/repositories{query}")


def test_host_repositories_lists_the_repositories_of_its_last_report(admin):
    """Each repository the host reported is listed once, with its URL, suite, type and flags."""
    # Given
    agent = enrol(admin, "web")
    assert agent.post("/hosts/update", _report([*REPOS, SECURE, DISABLED])).status_code == 200
    # When
    response = _repositories(admin, agent.host_id)
    # Then
    assert response.status_code == 200, response.body
    rows = {r["name"]: r for r in response.json_body["repositories"]}
    assert set(rows) == {"ubuntu-main", "docker", "ubuntu-universe"}
    assert response.json_body["next_cursor"] is None
    docker = rows["docker"]
    assert {k: docker[k] for k in ("url", "distribution", "components", "repo_type", "is_enabled", "is_secure", "host_id")} == {
        "url": "https://download.docker.com/linux/ubuntu", "distribution": "jammy", "components": "stable", "repo_type": "deb",
        "is_enabled": True, "is_secure": True, "host_id": agent.host_id}
    assert rows["ubuntu-universe"]["is_enabled"] is False
    assert docker["repo_id"] and docker["updated_at"]
    assert not {"pk", "sk", "gsi1pk", "gsi1sk"} & set(docker)


def test_host_repositories_follow_the_latest_report(admin):
    """A repository the host no longer reports is no longer listed."""
    agent = enrol(admin, "web")
    agent.post("/hosts/update", _report([*REPOS, SECURE]))
    agent.post("/hosts/update", _report([SECURE]))
    assert [r["name"] for r in _repositories(admin, agent.host_id).json_body["repositories"]] == ["docker"]


def test_host_repositories_of_a_host_that_has_not_reported_is_an_empty_list(admin):
    agent = enrol(admin, "pending")
    response = _repositories(admin, agent.host_id)
    assert response.status_code == 200
    assert response.json_body == {"repositories": [], "next_cursor": None}


def test_host_repositories_cursor_walks_every_repository_once(admin):
    # Given
    repos = [{**REPOS[0], "name": f"mirror-{i}", "url": f"http://mirror-{i}.example/ubuntu"} for i in range(5)]
    agent = enrol(admin, "web")
    agent.post("/hosts/update", _report(repos))
    # When
    seen, sizes, cursor = [], [], None
    while True:
        body = _repositories(admin, agent.host_id, f"?limit=2&cursor={cursor}" if cursor else "?limit=2").json_body
        seen += [r["name"] for r in body["repositories"]]
        sizes.append(len(body["repositories"]))
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert len(sizes) < 10, "pagination does not end"
    # Then
    assert sorted(seen) == [f"mirror-{i}" for i in range(5)] and sizes[:2] == [2, 2]


def test_host_repositories_of_an_unknown_host_is_not_found(admin):
    response = _repositories(admin, "no-such-host")
    assert response.status_code == 404
    assert response.json_body == {"error": "Host not found", "code": "not_found"}


def test_host_repositories_of_another_tenants_host_is_not_found(admin, client):
    """Another organisation's host answers 404, as an unknown one does, and nothing of it is shown."""
    # Given
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    foreign = enrol(other, "theirs")
    foreign.post("/hosts/update", _report([SECURE]))
    # When
    response = _repositories(admin, foreign.host_id)
    # Then
    assert response.status_code == 404
    assert "download.docker.com" not in response.body.decode()


def test_host_repositories_refuses_a_cursor_of_another_hosts_repositories(admin):
    other = enrol(admin, "other")
    other.post("/hosts/update", _report([*REPOS, SECURE]))
    mine = enrol(admin, "mine")
    cursor = _repositories(admin, other.host_id, "?limit=1").json_body["next_cursor"]
    response = _repositories(admin, mine.host_id, f"?cursor={cursor}")
    assert response.status_code == 400 and response.json_body["error"] == "Invalid cursor"


@pytest.mark.parametrize(("query", "message"), [("limit=0", "limit must be between 1 and 200"), ("limit=x", "limit must be an integer"),
                                                ("cursor=@@@", "Invalid cursor")])
def test_host_repositories_with_a_bad_query_parameter_is_refused(admin, query, message):
    agent = enrol(admin, "web")
    response = _repositories(admin, agent.host_id, f"?{query}")
    assert response.status_code == 400 and response.json_body == {"error": message, "code": "invalid_input"}


def test_host_repositories_can_be_read_by_a_readonly_user(admin, client):
    agent = enrol(admin, "web")
    agent.post("/hosts/update", _report(REPOS))
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    assert [r["name"] for r in _repositories(viewer, agent.host_id).json_body["repositories"]] == ["ubuntu-main"]


def test_host_repositories_reads_the_host_and_one_page_of_its_partition(admin):
    """Answering costs two DynamoDB requests on the host's data: the host record and one query of its partition."""
    # Given
    agent = enrol(admin, "web")
    agent.post("/hosts/update", _report([*REPOS, SECURE, DISABLED]))
    calls: list[tuple[str, str]] = []
    events = main_table().meta.client.meta.events

    def record(model, params, **_):
        calls.append((model.name, params["body"] if isinstance(params.get("body"), str) else str(params.get("body"))))

    # When
    events.register("before-call.dynamodb.*", record)
    try:
        response = _repositories(admin, agent.host_id)
    finally:
        events.unregister("before-call.dynamodb.*", record)
    # Then
    assert response.status_code == 200
    on_host = [name for name, body in calls if agent.host_id in body]
    assert on_host == ["GetItem", "Query"]
