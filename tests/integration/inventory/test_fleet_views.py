"""Fleet-wide views: the packages page and its drill-downs, the repositories page and the dashboard summary,
each checked number by number after a known sequence of agent reports."""
from __future__ import annotations

import pytest

from chalicelib.core.db import client, main_table
from tests.factories.fleet import enrol, full_report, package, packages
from tests.factories.identity import make_tenant, sign_in


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _report(pkgs, *, repos=None, os_type: str = "Ubuntu", os_version: str = "22.04", hostname: str = "web-01",
            needs_reboot: bool = False) -> dict:
    report = {**full_report(pkgs, hostname=hostname, needs_reboot=needs_reboot), "osType": os_type, "osVersion": os_version}
    if repos is not None:
        report["repositories"] = repos
    return report


def _send(agent, report) -> None:
    response = agent.post("/hosts/update", report)
    assert response.status_code == 200, response.body


def _counts(admin, query: str = "") -> dict[str, tuple[int, int, int]]:
    """The packages page as {name: (installed, outdated, security)}, every page."""
    found: dict[str, tuple[int, int, int]] = {}
    cursor = None
    for _ in range(50):
        sep = "&" if query else ""
        response = admin.get(f"/api/v1/packages?{query}{sep}limit=200" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.body
        for p in response.json_body["packages"]:
            found[p["name"]] = (p["installed_hosts"], p["outdated_hosts"], p["security_hosts"])
        cursor = response.json_body["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("pagination does not end")


def _repo(name: str, url: str, *, distribution: str = "jammy", components: str = "main", secure: bool = False) -> dict:
    return {"name": name, "url": url, "distribution": distribution, "components": components, "repoType": "deb", "isEnabled": True,
            "isSecure": secure}


MAIN = _repo("ubuntu-main", "http://archive.ubuntu.com/ubuntu")
SECURITY = _repo("ubuntu-security", "https://security.ubuntu.com/ubuntu", distribution="jammy-security", secure=True)
DOCKER = _repo("docker", "https://download.docker.com/linux/ubuntu", components="stable", secure=True)


def _repos(admin) -> dict[str, dict]:
    response = admin.get("/api/v1/repositories")
    assert response.status_code == 200, response.body
    return {r["name"]: r for r in response.json_body["repositories"]}


def _host_ids(response) -> list[str]:
    assert response.status_code == 200, response.body
    return sorted(h["host_id"] for h in response.json_body["hosts"])


def _role(admin, name: str, permissions: list[str]) -> None:
    response = admin.put(f"/api/v1/permissions/roles/{name}", {"permissions": permissions})
    assert response.status_code == 200, response.body


# --- packages page ----------------------------------------------------------------------------------
def test_package_host_counts_follow_reports_changes_and_deletions(admin):
    """installed / outdated / security host counts after each step of a known sequence of reports."""
    # Given two hosts reporting overlapping packages
    a, b = enrol(admin, "a"), enrol(admin, "b")
    _send(a, _report([package("openssl", "3.0.2", available="3.0.3", security=True), package("curl", "7.81"),
                      package("vim", "8.2", available="9.0")]))
    _send(b, _report([package("openssl", "3.0.3"), package("vim", "8.2", available="9.0")], hostname="b"))
    assert _counts(admin) == {"openssl": (2, 1, 1), "curl": (1, 0, 0), "vim": (2, 2, 0)}
    # When a upgrades openssl
    _send(a, _report([package("openssl", "3.0.3"), package("curl", "7.81"), package("vim", "8.2", available="9.0")]))
    assert _counts(admin) == {"openssl": (2, 0, 0), "curl": (1, 0, 0), "vim": (2, 2, 0)}
    # When b removes vim and gains a security update for curl
    _send(b, _report([package("openssl", "3.0.3"), package("curl", "7.81", available="7.88", security=True)], hostname="b"))
    assert _counts(admin) == {"openssl": (2, 0, 0), "curl": (2, 1, 1), "vim": (1, 1, 0)}
    # When a is deleted
    assert admin.delete(f"/api/v1/hosts/{a.host_id}").status_code == 200
    assert _counts(admin) == {"openssl": (1, 0, 0), "curl": (1, 1, 1)}
    # When b is deleted too
    assert admin.delete(f"/api/v1/hosts/{b.host_id}").status_code == 200
    assert _counts(admin) == {}


def test_same_report_twice_does_not_count_a_host_twice(admin):
    a = enrol(admin, "a")
    report = _report([package("openssl", "3.0.2", available="3.0.3", security=True)])
    _send(a, report)
    _send(a, report)
    assert _counts(admin) == {"openssl": (1, 1, 1)}


def test_reporting_again_after_new_credentials_does_not_count_the_host_twice(admin):
    """New credentials forget the section hashes, so the next report is sent in full; the counts must not move."""
    # Given
    a = enrol(admin, "a")
    report = _report([package("openssl", "3.0.2", available="3.0.3", security=True)], repos=[MAIN], needs_reboot=True)
    _send(a, report)
    before = (_counts(admin), _repos(admin), _stats(admin))
    fresh = admin.post(f"/api/v1/hosts/{a.host_id}/regenerate-credentials").json_body
    a.api_id, a.api_key = fresh["apiId"], fresh["apiKey"]
    # When
    _send(a, report)
    # Then
    assert (_counts(admin), _repos(admin), _stats(admin)) == before


def test_packages_page_rows_have_name_description_category_and_latest_version(admin):
    a = enrol(admin, "a")
    _send(a, _report([package("openssl", "3.0.2", available="3.0.3", security=True), package("curl", "7.81")]))
    response = admin.get("/api/v1/packages")
    assert response.status_code == 200
    assert response.json_body == {"packages": [
        {"name": "curl", "description": "curl package", "category": "utils", "latest_version": None, "installed_hosts": 1,
         "outdated_hosts": 0, "security_hosts": 0},
        {"name": "openssl", "description": "openssl package", "category": "utils", "latest_version": "3.0.3", "installed_hosts": 1,
         "outdated_hosts": 1, "security_hosts": 1},
    ], "next_cursor": None}


@pytest.fixture
def catalogue(admin):
    """Two hosts, nine packages: some outdated, some with security updates."""
    a, b = enrol(admin, "a"), enrol(admin, "b")
    _send(a, _report(packages(6, outdated=3, security=1) + [package("openssl", "3.0.2", available="3.0.3", security=True)]))
    _send(b, _report(packages(4) + [package("openssh-server", "8.9")], hostname="b"))
    return a, b


PACKAGE_FILTERS = {
    "": ["openssh-server", "openssl", "pkg-00000", "pkg-00001", "pkg-00002", "pkg-00003", "pkg-00004", "pkg-00005"],
    "needs_updates=true": ["openssl", "pkg-00000", "pkg-00001", "pkg-00002"],
    "security=true": ["openssl", "pkg-00000"],
    "search=openss": ["openssh-server", "openssl"],
    "search=pkg-0000&needs_updates=true": ["pkg-00000", "pkg-00001", "pkg-00002"],
    "search=pkg&security=1": ["pkg-00000"],
    "needs_updates=false": ["openssh-server", "openssl", "pkg-00000", "pkg-00001", "pkg-00002", "pkg-00003", "pkg-00004", "pkg-00005"],
    "search=nothing": [],
}


def test_packages_page_filters_return_exactly_the_matching_packages(admin, catalogue):
    answers = {query: sorted(_counts(admin, query)) for query in PACKAGE_FILTERS}
    assert answers == PACKAGE_FILTERS


def test_packages_page_cursor_walks_every_package_once(admin, catalogue):
    seen, sizes, cursor = [], [], None
    for _ in range(20):
        page = admin.get("/api/v1/packages?limit=3" + (f"&cursor={cursor}" if cursor else "")).json_body
        seen += [p["name"] for p in page["packages"]]
        sizes.append(len(page["packages"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == PACKAGE_FILTERS[""]
    assert sizes == [3, 3, 2]


@pytest.mark.parametrize(("path", "message"), [
    ("/api/v1/packages?limit=0", "limit must be between 1 and 200"),
    ("/api/v1/packages?limit=1000", "limit must be between 1 and 200"),
    ("/api/v1/packages?limit=abc", "limit must be an integer"),
    ("/api/v1/packages?cursor=bogus", "Invalid cursor"),
    ("/api/v1/packages?needs_updates=maybe", "needs_updates must be true or false"),
    ("/api/v1/packages?security=sure", "security must be true or false"),
    ("/api/v1/packages/openssl/hosts?limit=0", "limit must be between 1 and 200"),
    ("/api/v1/packages/openssl/hosts?cursor=bogus", "Invalid cursor"),
    ("/api/v1/repositories?limit=999", "limit must be between 1 and 200"),
    ("/api/v1/repositories?cursor=bogus", "Invalid cursor"),
])
def test_fleet_lists_refuse_bad_query_parameters(admin, catalogue, path, message):
    response = admin.get(path)
    assert response.status_code == 400 and response.json_body == {"error": message, "code": "invalid_input"}


def test_a_cursor_of_one_list_is_refused_by_another(admin, catalogue):
    cursor = admin.get("/api/v1/packages?limit=1").json_body["next_cursor"]
    assert cursor
    for path in (f"/api/v1/packages/openssl/hosts?cursor={cursor}", f"/api/v1/repositories?cursor={cursor}",
                 f"/api/v1/hosts?cursor={cursor}"):
        response = admin.get(path)
        assert response.status_code == 400 and response.json_body["error"] == "Invalid cursor"


def test_packages_of_another_tenant_are_not_counted_nor_shown(admin, client, catalogue):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    theirs = enrol(other, "theirs")
    _send(theirs, _report([package("openssl", "1.1.1", available="3.0.3", security=True), package("their-only", "1")]))
    assert _counts(admin)["openssl"] == (1, 1, 1)
    assert admin.get("/api/v1/packages/their-only").status_code == 404
    assert admin.get("/api/v1/packages/their-only/hosts").status_code == 404
    assert _host_ids(admin.get("/api/v1/packages/openssl/hosts")) == [catalogue[0].host_id]
    assert _counts(other) == {"openssl": (1, 1, 1), "their-only": (1, 0, 0)}


def test_latest_version_is_the_newest_available_across_hosts(admin):
    # Given: a sees 3.0.5 available, then b reports that it sees only 3.0.4
    a, b = enrol(admin, "a"), enrol(admin, "b")
    _send(a, _report([package("openssl", "3.0.2", available="3.0.5")]))
    _send(b, _report([package("openssl", "3.0.2", available="3.0.4")], hostname="b"))
    # Then
    assert admin.get("/api/v1/packages/openssl").json_body["latest_version"] == "3.0.5"


def test_packages_page_search_ignores_case(admin):
    a = enrol(admin, "a")
    _send(a, _report([package("NetworkManager", "1.36"), package("curl", "7.81")]))
    assert sorted(_counts(admin, "search=networkmanager")) == ["NetworkManager"]


# --- package drill-down -----------------------------------------------------------------------------
def test_package_detail_and_its_hosts(admin):
    # Given
    a, b, c = enrol(admin, "a"), enrol(admin, "b"), enrol(admin, "c")
    _send(a, _report([package("openssl", "3.0.2", available="3.0.3", security=True)]))
    _send(b, _report([package("openssl", "3.0.3")], hostname="b"))
    _send(c, _report([package("curl", "7.81")], hostname="c"))
    # When
    detail = admin.get("/api/v1/packages/openssl")
    hosts = admin.get("/api/v1/packages/openssl/hosts")
    # Then
    assert detail.status_code == 200 and detail.json_body == {
        "name": "openssl", "description": "openssl package", "category": "utils", "latest_version": "3.0.3",
        "installed_hosts": 2, "outdated_hosts": 1, "security_hosts": 1}
    rows = {h["host_id"]: h for h in hosts.json_body["hosts"]}
    assert sorted(rows) == sorted([a.host_id, b.host_id]) and hosts.json_body["next_cursor"] is None
    assert {k: rows[a.host_id][k] for k in ("current_version", "available_version", "needs_update", "is_security_update")} == {
        "current_version": "3.0.2", "available_version": "3.0.3", "needs_update": True, "is_security_update": True}
    assert {k: rows[b.host_id][k] for k in ("current_version", "available_version", "needs_update", "is_security_update")} == {
        "current_version": "3.0.3", "available_version": "", "needs_update": False, "is_security_update": False}
    assert not {"pk", "sk", "gsi1pk", "gsi1sk"} & set(rows[a.host_id])


def test_package_hosts_cursor_walks_every_host_once(admin):
    expected = []
    for i in range(5):
        agent = enrol(admin, f"h{i}")
        _send(agent, _report([package("openssl", "3.0.2")], hostname=f"h{i}"))
        expected.append(agent.host_id)
    seen, cursor = [], None
    for _ in range(20):
        page = admin.get("/api/v1/packages/openssl/hosts?limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(page["hosts"]) <= 2
        seen += [h["host_id"] for h in page["hosts"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(expected) and len(seen) == 5


def test_package_with_special_characters_is_reachable_url_encoded(admin):
    a = enrol(admin, "a")
    _send(a, _report([package("libstdc++6", "12.3"), package("python3.11", "3.11.4")]))
    assert admin.get("/api/v1/packages/libstdc%2B%2B6").json_body["name"] == "libstdc++6"
    assert _host_ids(admin.get("/api/v1/packages/libstdc%2B%2B6/hosts")) == [a.host_id]
    assert admin.get("/api/v1/packages/python3.11").json_body["installed_hosts"] == 1


@pytest.mark.parametrize("path", ["/api/v1/packages/no-such-package", "/api/v1/packages/no-such-package/hosts"])
def test_unknown_package_is_not_found(admin, path):
    a = enrol(admin, "a")
    _send(a, _report([package("curl", "7.81")]))
    response = admin.get(path)
    assert response.status_code == 404 and response.json_body == {"error": "Package not found", "code": "not_found"}


def test_package_no_host_has_any_more_is_not_found(admin):
    a = enrol(admin, "a")
    _send(a, _report([package("curl", "7.81"), package("telnet", "0.17")]))
    _send(a, _report([package("curl", "7.81")]))
    assert admin.get("/api/v1/packages/telnet").status_code == 404
    assert admin.get("/api/v1/packages/telnet/hosts").status_code == 404
    assert sorted(_counts(admin)) == ["curl"]


# --- repositories -----------------------------------------------------------------------------------
def test_repositories_collapse_across_hosts_and_count_their_hosts(admin):
    # Given
    a, b = enrol(admin, "a"), enrol(admin, "b")
    _send(a, _report(packages(1), repos=[MAIN, SECURITY]))
    _send(b, _report(packages(1), repos=[MAIN, DOCKER], hostname="b"))
    # When
    repos = _repos(admin)
    # Then
    assert {n: r["host_count"] for n, r in repos.items()} == {"ubuntu-main": 2, "ubuntu-security": 1, "docker": 1}
    main = repos["ubuntu-main"]
    assert {k: main[k] for k in ("url", "distribution", "components", "repo_type", "is_secure")} == {
        "url": "http://archive.ubuntu.com/ubuntu", "distribution": "jammy", "components": "main", "repo_type": "deb", "is_secure": False}
    assert repos["ubuntu-security"]["is_secure"] is True
    assert _host_ids(admin.get(f"/api/v1/repositories/{main['repo_id']}/hosts")) == sorted([a.host_id, b.host_id])
    assert _host_ids(admin.get(f"/api/v1/repositories/{repos['docker']['repo_id']}/hosts")) == [b.host_id]
    assert admin.get(f"/api/v1/hosts/{a.host_id}").json_body["repos_count"] == 2


def test_repository_host_counts_follow_changes_and_deletions(admin):
    # Given
    a, b = enrol(admin, "a"), enrol(admin, "b")
    _send(a, _report(packages(1), repos=[MAIN, SECURITY]))
    _send(b, _report(packages(1), repos=[MAIN], hostname="b"))
    security_id = _repos(admin)["ubuntu-security"]["repo_id"]
    # When a drops the security repo and adds docker
    _send(a, _report(packages(1), repos=[MAIN, DOCKER]))
    # Then
    assert {n: r["host_count"] for n, r in _repos(admin).items()} == {"ubuntu-main": 2, "docker": 1}
    assert admin.get(f"/api/v1/repositories/{security_id}/hosts").status_code == 404
    # When b is deleted
    admin.delete(f"/api/v1/hosts/{b.host_id}")
    repos = _repos(admin)
    assert {n: r["host_count"] for n, r in repos.items()} == {"ubuntu-main": 1, "docker": 1}
    assert _host_ids(admin.get(f"/api/v1/repositories/{repos['ubuntu-main']['repo_id']}/hosts")) == [a.host_id]


def test_repository_with_a_new_url_is_a_new_repository(admin):
    a = enrol(admin, "a")
    _send(a, _report(packages(1), repos=[MAIN]))
    _send(a, _report(packages(1), repos=[{**MAIN, "url": "http://mirror.example.com/ubuntu"}]))
    repos = admin.get("/api/v1/repositories").json_body["repositories"]
    assert [(r["url"], r["host_count"]) for r in repos] == [("http://mirror.example.com/ubuntu", 1)]


def test_repositories_page_cursor_walks_every_repository_once(admin):
    a = enrol(admin, "a")
    repos = [_repo(f"r{i}", f"https://repo{i}.example.com/") for i in range(5)]
    _send(a, _report(packages(1), repos=repos))
    seen, cursor = [], None
    for _ in range(20):
        page = admin.get("/api/v1/repositories?limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(page["repositories"]) <= 2
        seen += [r["name"] for r in page["repositories"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"r{i}" for i in range(5)]


def test_unknown_repository_or_one_of_another_tenant_is_not_found(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    theirs = enrol(other, "theirs")
    _send(theirs, _report(packages(1), repos=[DOCKER]))
    their_id = _repos(other)["docker"]["repo_id"]
    for repo_id in ("no-such-repo", their_id):
        response = admin.get(f"/api/v1/repositories/{repo_id}/hosts")
        assert response.status_code == 404 and response.json_body == {"error": "Repository not found", "code": "not_found"}
    assert _repos(admin) == {}


# --- dashboard --------------------------------------------------------------------------------------
def _stats(admin) -> dict:
    response = admin.get("/api/v1/dashboard/stats")
    assert response.status_code == 200, response.body
    return response.json_body


def test_dashboard_numbers_follow_a_known_sequence_of_reports(admin):
    """Totals, hosts needing updates, security updates, reboots, OS and status distribution after each step."""
    # Given: four new hosts, none reported yet
    a, b, c, d = (enrol(admin, n) for n in ("a", "b", "c", "d"))
    assert _stats(admin) == {
        "total_hosts": 4, "hosts_needing_updates": 0, "hosts_with_security_updates": 0, "hosts_reboot_required": 0,
        "hosts_by_status": {"pending": 4}, "os_distribution": {}, "offline_hosts": 0, "up_to_date_hosts": 0,
        "packages_needing_updates": 0, "packages_with_security_updates": 0}
    # When a (2 updates, 1 security, reboot), b (Debian, current) and c (1 update) report; d stays pending
    _send(a, _report(packages(5, outdated=2, security=1), needs_reboot=True))
    _send(b, _report(packages(5), os_type="Debian", os_version="12", hostname="b"))
    _send(c, _report(packages(5, outdated=1), hostname="c"))
    assert _stats(admin) == {
        "total_hosts": 4, "hosts_needing_updates": 2, "hosts_with_security_updates": 1, "hosts_reboot_required": 1,
        "hosts_by_status": {"active": 3, "pending": 1}, "os_distribution": {"Ubuntu 22.04": 2, "Debian 12": 1},
        "offline_hosts": 0, "up_to_date_hosts": 1, "packages_needing_updates": 2, "packages_with_security_updates": 1}
    # When a is patched and rebooted, and c is upgraded to 24.04
    _send(a, _report(packages(5)))
    _send(c, _report(packages(5, outdated=1), os_version="24.04", hostname="c"))
    assert _stats(admin) == {
        "total_hosts": 4, "hosts_needing_updates": 1, "hosts_with_security_updates": 0, "hosts_reboot_required": 0,
        "hosts_by_status": {"active": 3, "pending": 1}, "os_distribution": {"Ubuntu 22.04": 1, "Ubuntu 24.04": 1, "Debian 12": 1},
        "offline_hosts": 0, "up_to_date_hosts": 2, "packages_needing_updates": 1, "packages_with_security_updates": 0}
    # When b and the pending d are deleted
    admin.delete(f"/api/v1/hosts/{b.host_id}")
    admin.delete(f"/api/v1/hosts/{d.host_id}")
    assert _stats(admin) == {
        "total_hosts": 2, "hosts_needing_updates": 1, "hosts_with_security_updates": 0, "hosts_reboot_required": 0,
        "hosts_by_status": {"active": 2}, "os_distribution": {"Ubuntu 22.04": 1, "Ubuntu 24.04": 1},
        "offline_hosts": 0, "up_to_date_hosts": 1, "packages_needing_updates": 1, "packages_with_security_updates": 0}


def test_dashboard_counts_each_outdated_package_once_however_many_hosts_have_it(admin):
    """Packages needing updates (and with security updates) count packages, not hosts, and follow updates and deletions."""
    # Given two hosts with the same outdated package, one of them with a security update for it
    a, b = enrol(admin, "a"), enrol(admin, "b")
    _send(a, _report([package("openssl", "3.0.2", available="3.0.3", security=True), package("curl", "7.81")]))
    _send(b, _report([package("openssl", "3.0.2", available="3.0.3"), package("curl", "7.81", available="7.82")], hostname="b"))
    stats = _stats(admin)
    assert (stats["packages_needing_updates"], stats["packages_with_security_updates"]) == (2, 1)
    # When a is patched: b still needs both
    _send(a, _report([package("openssl", "3.0.3"), package("curl", "7.81")]))
    stats = _stats(admin)
    assert (stats["packages_needing_updates"], stats["packages_with_security_updates"]) == (2, 0)
    # When b is deleted
    assert admin.delete(f"/api/v1/hosts/{b.host_id}").status_code == 200
    stats = _stats(admin)
    assert (stats["packages_needing_updates"], stats["packages_with_security_updates"]) == (0, 0)


def test_a_report_that_makes_packages_outdated_writes_the_fleet_counters_once(admin):
    """The host's counters and the package counters it moves go to the STATS item in one write."""
    # Given a host whose packages are all current
    a = enrol(admin, "a")
    _send(a, _report(packages(5)))
    writes: list[str] = []

    def record(model, params, **_):
        if model.name in ("UpdateItem", "TransactWriteItems") and "STATS" in str(params.get("body")):
            writes.append(model.name)

    clients = {id(c): c for c in (client("dynamodb"), main_table().meta.client)}.values()
    for c in clients:
        c.meta.events.register("before-call.dynamodb.*", record)
    try:
        # When two packages become outdated (so the host starts needing updates as well)
        _send(a, _report(packages(5, outdated=2)))
    finally:
        for c in clients:
            c.meta.events.unregister("before-call.dynamodb.*", record)
    # Then
    assert writes == ["UpdateItem"]
    stats = _stats(admin)
    assert (stats["hosts_needing_updates"], stats["packages_needing_updates"]) == (1, 2)


def test_dashboard_counts_a_partial_report_that_changes_the_updates(admin):
    # Given
    a = enrol(admin, "a")
    _send(a, _report(packages(3), needs_reboot=True))
    # When only the packages section is sent, now with two security updates
    _send(a, {"sections": ["packages"], "packages": packages(3, outdated=2, security=2), "osType": "Ubuntu", "needsReboot": False})
    # Then the updates count, and the reboot flag (taken only from full reports) stays
    stats = _stats(admin)
    assert (stats["hosts_needing_updates"], stats["hosts_with_security_updates"], stats["hosts_reboot_required"]) == (1, 1, 1)


def test_dashboard_of_another_tenant_is_separate(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    theirs = enrol(other, "theirs")
    _send(theirs, _report(packages(2, outdated=1)))
    enrol(admin, "mine")
    assert (_stats(admin)["total_hosts"], _stats(admin)["hosts_needing_updates"]) == (1, 0)
    assert (_stats(other)["total_hosts"], _stats(other)["hosts_needing_updates"]) == (1, 1)


# --- permissions ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/packages", "/api/v1/packages/openssl", "/api/v1/packages/openssl/hosts"])
def test_user_without_can_view_packages_cannot_see_packages(admin, client, catalogue, path):
    _role(admin, "hosts_only", ["can_view_hosts", "can_view_dashboard"])
    user = sign_in(client, admin.tenant, "hosts-only", role="hosts_only")
    response = user.get(path)
    assert response.status_code == 403 and response.json_body == {"error": "Insufficient permissions", "code": "forbidden"}


@pytest.mark.parametrize("path", ["/api/v1/repositories", "/api/v1/repositories/{id}/hosts"])
def test_user_without_can_view_hosts_cannot_see_repositories(admin, client, catalogue, path):
    _role(admin, "packages_only", ["can_view_packages"])
    user = sign_in(client, admin.tenant, "pkgs-only", role="packages_only")
    repo_id = _repos(admin)["ubuntu-main"]["repo_id"]
    response = user.get(path.replace("{id}", repo_id))
    assert response.status_code == 403 and response.json_body["code"] == "forbidden"
    assert sorted(_counts(user)) == PACKAGE_FILTERS[""]  # the packages page itself is allowed


def test_user_without_can_view_dashboard_cannot_see_the_stats(admin, client):
    _role(admin, "hosts_only", ["can_view_hosts"])
    user = sign_in(client, admin.tenant, "hosts-only", role="hosts_only")
    response = user.get("/api/v1/dashboard/stats")
    assert response.status_code == 403 and response.json_body["code"] == "forbidden"


def test_readonly_user_sees_packages_repositories_and_the_dashboard(admin, client, catalogue):
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    assert _counts(viewer) == _counts(admin)
    assert _repos(viewer) == _repos(admin)
    assert _stats(viewer) == _stats(admin)


def test_a_filtered_packages_page_is_filled_when_the_matches_are_sparse(admin):
    # Given 120 packages of which only the last three match the search (DynamoDB filters after its Limit)
    _send(enrol(admin, "a"), _report(packages(117) + [package(f"zlib{i}", "1.2") for i in range(3)]))
    # When
    page = admin.get("/api/v1/packages?search=zlib&limit=50").json_body
    # Then the first page holds every match and says there is nothing more
    assert [p["name"] for p in page["packages"]] == ["zlib0", "zlib1", "zlib2"]
    assert page["next_cursor"] is None


def test_a_filtered_packages_page_continues_after_the_last_package_it_returned(admin):
    # Given seven matches spread among 60 packages
    names = [f"pkg-{i:05d}" for i in range(60)]
    _send(enrol(admin, "a"), _report([package(n, "1.0", available="1.1" if i % 9 == 0 else None) for i, n in enumerate(names)]))
    expected = [n for i, n in enumerate(names) if i % 9 == 0]
    # When walked two at a time
    seen, cursor = [], None
    for _ in range(10):
        page = admin.get("/api/v1/packages?needs_updates=true&limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(page["packages"]) <= 2
        seen += [p["name"] for p in page["packages"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Then every match comes exactly once, in order
    assert seen == expected
