"""Host groups: a named, coloured bucket of hosts; membership is set on the hosts, one by one or in bulk."""
from __future__ import annotations

import pytest

from tests.factories.fleet import enrol
from tests.factories.identity import make_tenant, sign_in

GROUP_FIELDS = {"id", "name", "description", "color", "host_count", "created_at", "updated_at"}


@pytest.fixture
def admin(client, aws):
    return sign_in(client, make_tenant(), "root", role="superadmin")


def _create(admin, **body) -> dict:
    response = admin.post("/api/v1/host-groups", body)
    assert response.status_code == 201, response.body
    return response.json_body


def _groups(admin) -> list[dict]:
    response = admin.get("/api/v1/host-groups")
    assert response.status_code == 200, response.body
    return response.json_body["groups"]


def _group_ids_of(admin, host_id: str) -> list[str]:
    return admin.get(f"/api/v1/hosts/{host_id}").json_body["group_ids"]


def _members(admin, group_id: str, query: str = "") -> list[str]:
    response = admin.get(f"/api/v1/host-groups/{group_id}/hosts{query}")
    assert response.status_code == 200, response.body
    return [h["friendly_name"] for h in response.json_body["hosts"]]


# --- create -----------------------------------------------------------------------------------------
def test_create_group_with_name_description_and_colour(admin):
    # When
    response = admin.post("/api/v1/host-groups", {"name": "Production", "description": "prod fleet", "color": "#EF4444"})
    # Then
    assert response.status_code == 201
    group = response.json_body
    assert set(group) == GROUP_FIELDS
    assert (group["name"], group["description"], group["color"]) == ("Production", "prod fleet", "#EF4444")
    assert group["created_at"] == group["updated_at"] and group["created_at"].endswith("Z")
    assert admin.get(f"/api/v1/host-groups/{group['id']}").json_body == group


def test_create_group_without_colour_gets_the_documented_default(admin):
    group = _create(admin, name="web")
    assert (group["color"], group["description"]) == ("#3B82F6", None)


def test_create_group_accepts_lower_case_hex(admin):
    assert _create(admin, name="web", color="#a1b2c3")["color"] == "#a1b2c3"


@pytest.mark.parametrize(("body", "message"), [
    ({"name": "g", "color": "red"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
    ({"name": "g", "color": "#FFF"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
    ({"name": "g", "color": "#GGGGGG"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
    ({"name": "g", "color": "3B82F6"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
    ({"name": "g", "color": "#3B82F6 "}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
    ({"name": "g", "color": "#3B82F6FF"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
    ({"name": "g", "color": None}, "color: Input should be a valid string"),
    ({"name": "g", "color": 3900150}, "color: Input should be a valid string"),
    ({"name": ""}, "name: String should have at least 1 character"),
    ({"name": "   "}, "name: must not be blank"),
    ({"name": "n" * 101}, "name: String should have at most 100 characters"),
    ({"name": 5}, "name: Input should be a valid string"),
    ({"description": "no name"}, "name: Field required"),
    ({"name": "g", "description": "d" * 501}, "description: String should have at most 500 characters"),
    ({"name": "g", "hosts": []}, "hosts: Extra inputs are not permitted"),
])
def test_create_group_with_an_invalid_body_is_refused_and_writes_nothing(admin, body, message):
    # When
    response = admin.post("/api/v1/host-groups", body)
    # Then
    assert response.status_code == 400
    assert response.json_body == {"error": message, "code": "invalid_input"}
    assert _groups(admin) == []


def test_create_group_with_a_name_already_taken_is_a_conflict_whatever_the_case(admin):
    # Given
    first = _create(admin, name="Web")
    for name in ("Web", "web", "WEB"):
        # When
        response = admin.post("/api/v1/host-groups", {"name": name})
        # Then
        assert response.status_code == 409
        assert response.json_body == {"error": "A host group with this name already exists", "code": "conflict"}
    assert _groups(admin) == [first]


def test_the_same_group_name_may_exist_in_two_tenants(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    _create(admin, name="web")
    assert other.post("/api/v1/host-groups", {"name": "web"}).status_code == 201


# --- list and get ------------------------------------------------------------------------------------
def test_list_groups_by_name_ignoring_case(admin):
    for name in ("staging", "Database", "cache", "Web"):
        _create(admin, name=name)
    assert [g["name"] for g in _groups(admin)] == ["cache", "Database", "staging", "Web"]
    assert all(set(g) == GROUP_FIELDS for g in _groups(admin))


def test_list_groups_shows_only_the_callers_tenant(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    _create(other, name="theirs")
    mine = _create(admin, name="mine")
    assert _groups(admin) == [mine]


def test_get_group_that_does_not_exist_or_belongs_to_another_tenant_is_not_found(admin, client):
    other = sign_in(client, make_tenant("other"), "root", role="superadmin")
    foreign = _create(other, name="theirs")
    for group_id in ("no-such-group", foreign["id"]):
        for path in (f"/api/v1/host-groups/{group_id}", f"/api/v1/host-groups/{group_id}/hosts"):
            response = admin.get(path)
            assert response.status_code == 404
            assert response.json_body == {"error": "Host group not found", "code": "not_found"}


# --- update ------------------------------------------------------------------------------------------
def test_update_group_changes_name_description_and_colour(admin, clock_at):
    # Given
    group = _create(admin, name="web", description="old", color="#111111")
    clock_at.advance(minutes=5)
    # When
    response = admin.put(f"/api/v1/host-groups/{group['id']}", {"name": "frontend", "description": "new", "color": "#222222"})
    # Then
    assert response.status_code == 200
    updated = response.json_body
    assert (updated["id"], updated["name"], updated["description"], updated["color"]) == (group["id"], "frontend", "new", "#222222")
    assert updated["created_at"] == group["created_at"] and updated["updated_at"] > group["updated_at"]
    assert admin.get(f"/api/v1/host-groups/{group['id']}").json_body == updated


def test_update_group_keeps_the_colour_and_description_it_is_not_given(admin):
    """Renaming a group does not reset its colour to the default nor drop its description."""
    # Given
    group = _create(admin, name="web", description="front end", color="#EF4444")
    # When
    response = admin.put(f"/api/v1/host-groups/{group['id']}", {"name": "frontend"})
    # Then
    assert response.status_code == 200
    assert (response.json_body["color"], response.json_body["description"]) == ("#EF4444", "front end")
    stored = admin.get(f"/api/v1/host-groups/{group['id']}").json_body
    assert (stored["name"], stored["color"], stored["description"]) == ("frontend", "#EF4444", "front end")


def test_update_group_clears_the_description_when_it_is_sent_as_null(admin):
    group = _create(admin, name="web", description="front end")
    response = admin.put(f"/api/v1/host-groups/{group['id']}", {"name": "web", "description": None})
    assert response.status_code == 200 and admin.get(f"/api/v1/host-groups/{group['id']}").json_body["description"] is None


def test_update_group_to_another_groups_name_is_a_conflict_but_its_own_name_is_fine(admin):
    web, db = _create(admin, name="web"), _create(admin, name="db")
    refused = admin.put(f"/api/v1/host-groups/{db['id']}", {"name": "WEB"})
    assert refused.status_code == 409 and refused.json_body["error"] == "A host group with this name already exists"
    assert admin.get(f"/api/v1/host-groups/{db['id']}").json_body["name"] == "db"
    assert admin.put(f"/api/v1/host-groups/{web['id']}", {"name": "Web", "color": "#000000"}).status_code == 200
    assert admin.get(f"/api/v1/host-groups/{web['id']}").json_body["name"] == "Web"


@pytest.mark.parametrize("body", [{"name": "web", "color": "blue"}, {"name": ""}, {"color": "#000000"}])
def test_update_group_with_an_invalid_body_changes_nothing(admin, body):
    group = _create(admin, name="web", color="#123456")
    response = admin.put(f"/api/v1/host-groups/{group['id']}", body)
    assert response.status_code == 400 and response.json_body["code"] == "invalid_input"
    assert admin.get(f"/api/v1/host-groups/{group['id']}").json_body == group


def test_update_group_that_does_not_exist_is_not_found(admin):
    response = admin.put("/api/v1/host-groups/no-such-group", {"name": "x"})
    assert response.status_code == 404 and response.json_body == {"error": "Host group not found", "code": "not_found"}
    assert _groups(admin) == []


# --- delete ------------------------------------------------------------------------------------------
def test_delete_empty_group(admin):
    # Given
    gone, kept = _create(admin, name="gone"), _create(admin, name="kept")
    # When
    response = admin.delete(f"/api/v1/host-groups/{gone['id']}")
    # Then
    assert response.status_code == 200 and response.json_body == {"message": "Host group deleted successfully"}
    assert admin.get(f"/api/v1/host-groups/{gone['id']}").status_code == 404
    assert _groups(admin) == [kept]
    assert admin.post("/api/v1/host-groups", {"name": "gone"}).status_code == 201  # the name is free again


def test_delete_group_that_still_has_hosts_is_refused_until_they_leave(admin):
    """The documented rule: a group with hosts cannot be deleted; the server refuses too."""
    # Given
    group = _create(admin, name="web")
    a = enrol(admin, "a", hostGroupIds=[group["id"]])
    # When
    refused = admin.delete(f"/api/v1/host-groups/{group['id']}")
    # Then
    assert refused.status_code == 409
    assert refused.json_body == {"error": "Host group still has hosts; move them out of it first", "code": "conflict"}
    assert admin.get(f"/api/v1/host-groups/{group['id']}").status_code == 200
    assert _group_ids_of(admin, a.host_id) == [group["id"]]
    # When the host leaves, the group can go
    admin.put(f"/api/v1/hosts/{a.host_id}/groups", {"groupIds": []})
    assert admin.delete(f"/api/v1/host-groups/{group['id']}").status_code == 200


def test_delete_group_whose_only_member_was_deleted(admin):
    group = _create(admin, name="web")
    a = enrol(admin, "a", hostGroupIds=[group["id"]])
    admin.delete(f"/api/v1/hosts/{a.host_id}")
    assert admin.delete(f"/api/v1/host-groups/{group['id']}").status_code == 200


def test_delete_group_that_does_not_exist_is_not_found(admin):
    response = admin.delete("/api/v1/host-groups/no-such-group")
    assert response.status_code == 404 and response.json_body == {"error": "Host group not found", "code": "not_found"}


# --- members -----------------------------------------------------------------------------------------
def test_group_members_are_listed_by_name_and_follow_membership_changes(admin):
    # Given
    web, db = _create(admin, name="web"), _create(admin, name="db")
    c = enrol(admin, "c", hostGroupIds=[web["id"]])
    enrol(admin, "a", hostGroupIds=[web["id"], db["id"]])
    enrol(admin, "b", hostGroupIds=[db["id"]])
    enrol(admin, "ungrouped")
    # Then
    assert _members(admin, web["id"]) == ["a", "c"]
    assert _members(admin, db["id"]) == ["a", "b"]
    # When c moves to db
    admin.put(f"/api/v1/hosts/{c.host_id}/groups", {"groupIds": [db["id"]]})
    assert _members(admin, web["id"]) == ["a"]
    assert _members(admin, db["id"]) == ["a", "b", "c"]
    assert _members(admin, _create(admin, name="empty")["id"]) == []


def test_group_members_pages_walk_every_member_once(admin):
    group = _create(admin, name="web")
    names = [f"m{i}" for i in range(7)]
    for name in names:
        enrol(admin, name, hostGroupIds=[group["id"]])
        enrol(admin, f"x-{name}")  # not a member
    seen, cursor = [], None
    for _ in range(20):
        page = admin.get(f"/api/v1/host-groups/{group['id']}/hosts?limit=3" + (f"&cursor={cursor}" if cursor else "")).json_body
        seen += [h["friendly_name"] for h in page["hosts"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == names


# --- bulk assign -------------------------------------------------------------------------------------
def _bulk(admin, body):
    return admin.put("/api/v1/hosts/bulk/groups", body)


def test_bulk_assign_sets_the_groups_of_each_host_it_names_and_only_those(admin):
    """Bulk assign replaces each named host's groups; it does not add to them."""
    # Given
    web, db, cache = (_create(admin, name=n)["id"] for n in ("web", "db", "cache"))
    a = enrol(admin, "a", hostGroupIds=[web])
    b = enrol(admin, "b", hostGroupIds=[web, cache])
    c = enrol(admin, "c", hostGroupIds=[cache])
    # When
    response = _bulk(admin, {"hostIds": [a.host_id, b.host_id, a.host_id], "groupIds": [db]})
    # Then
    assert response.status_code == 200 and response.json_body == {"updated": 2}
    assert (_group_ids_of(admin, a.host_id), _group_ids_of(admin, b.host_id), _group_ids_of(admin, c.host_id)) == ([db], [db], [cache])
    assert _members(admin, db) == ["a", "b"] and _members(admin, web) == []


def test_bulk_assign_with_no_groups_clears_the_memberships(admin):
    web = _create(admin, name="web")["id"]
    a = enrol(admin, "a", hostGroupIds=[web])
    assert _bulk(admin, {"hostIds": [a.host_id], "groupIds": []}).json_body == {"updated": 1}
    assert _group_ids_of(admin, a.host_id) == []


def test_bulk_assign_with_an_unknown_group_changes_no_host(admin):
    web = _create(admin, name="web")["id"]
    a, b = enrol(admin, "a", hostGroupIds=[web]), enrol(admin, "b")
    response = _bulk(admin, {"hostIds": [a.host_id, b.host_id], "groupIds": [web, "no-such-group"]})
    assert response.status_code == 400 and response.json_body == {"error": "Host group not found: no-such-group", "code": "invalid_input"}
    assert (_group_ids_of(admin, a.host_id), _group_ids_of(admin, b.host_id)) == ([web], [])


def test_bulk_assign_with_an_unknown_host_changes_no_host(admin):
    """An id that is not a host of this tenant refuses the whole request before anything is written."""
    web, db = _create(admin, name="web")["id"], _create(admin, name="db")["id"]
    a, b = enrol(admin, "a", hostGroupIds=[web]), enrol(admin, "b", hostGroupIds=[web])
    response = _bulk(admin, {"hostIds": [a.host_id, "no-such-host", b.host_id], "groupIds": [db]})
    assert response.status_code == 404 and response.json_body == {"error": "Host not found", "code": "not_found"}
    assert (_group_ids_of(admin, a.host_id), _group_ids_of(admin, b.host_id)) == ([web], [web])


@pytest.mark.parametrize("body", [{"hostIds": [], "groupIds": []}, {"groupIds": []}, {"hostIds": ["x"]}, {"hostIds": "x", "groupIds": []}])
def test_bulk_assign_with_a_malformed_body_is_refused(admin, body):
    response = _bulk(admin, body)
    assert response.status_code == 400 and response.json_body["code"] == "invalid_input"


# --- permissions -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/host-groups", {"name": "new"}),
    ("put", "/api/v1/host-groups/{id}", {"name": "renamed"}),
    ("delete", "/api/v1/host-groups/{id}", None),
])
def test_user_without_can_manage_hosts_cannot_change_groups(admin, client, method, path, body):
    # Given
    group = _create(admin, name="web")
    viewer = sign_in(client, admin.tenant, "viewer", role="readonly")
    # When
    call = getattr(viewer, method)
    target = path.replace("{id}", group["id"])
    response = call(target, body) if body is not None else call(target)
    # Then
    assert response.status_code == 403 and response.json_body == {"error": "Insufficient permissions", "code": "forbidden"}
    assert _groups(admin) == [group]
    # ... while reading is allowed
    assert viewer.get("/api/v1/host-groups").json_body["groups"] == [group]
    assert viewer.get(f"/api/v1/host-groups/{group['id']}").json_body == group


@pytest.mark.parametrize("path", ["/api/v1/host-groups", "/api/v1/host-groups/{id}", "/api/v1/host-groups/{id}/hosts"])
def test_user_without_can_view_hosts_cannot_read_groups(admin, client, path):
    group = _create(admin, name="web")
    assert admin.put("/api/v1/permissions/roles/dash_only", {"permissions": ["can_view_dashboard"]}).status_code == 200
    outsider = sign_in(client, admin.tenant, "outsider", role="dash_only")
    response = outsider.get(path.replace("{id}", group["id"]))
    assert response.status_code == 403 and response.json_body["code"] == "forbidden"


def test_host_manager_can_manage_groups(admin, client):
    """Group management follows the reference route table (can_manage_hosts), so host_manager may do it."""
    manager = sign_in(client, admin.tenant, "ops", role="host_manager")
    group = _create(manager, name="ops-group")
    assert manager.put(f"/api/v1/host-groups/{group['id']}", {"name": "renamed"}).status_code == 200
    assert manager.delete(f"/api/v1/host-groups/{group['id']}").status_code == 200
    assert _groups(admin) == []


# --- members, when few hosts are in the group ---------------------------------------------------------
def test_group_members_first_page_is_filled_when_members_are_sparse(admin):
    """DynamoDB applies its Limit before the group filter; the page reads on until it holds its members."""
    # Given 40 hosts outside the group, by name before its two members
    group = _create(admin, name="web")
    for i in range(40):
        enrol(admin, f"a-{i:02d}")
    enrol(admin, "z-1", hostGroupIds=[group["id"]])
    enrol(admin, "z-2", hostGroupIds=[group["id"]])
    # When
    page = admin.get(f"/api/v1/host-groups/{group['id']}/hosts?limit=2").json_body
    # Then
    assert [h["friendly_name"] for h in page["hosts"]] == ["z-1", "z-2"]
    assert page["next_cursor"] is None


def test_group_members_pages_walk_every_sparse_member_once_when_the_limit_is_small(admin):
    # Given five members spread among 45 hosts
    group = _create(admin, name="web")
    members = []
    for i in range(45):
        name = f"h{i:02d}"
        in_group = i % 9 == 4
        enrol(admin, name, hostGroupIds=[group["id"]] if in_group else [])
        members += [name] if in_group else []
    # When walked two at a time
    seen, cursor = [], None
    for _ in range(20):
        page = admin.get(f"/api/v1/host-groups/{group['id']}/hosts?limit=2" + (f"&cursor={cursor}" if cursor else "")).json_body
        assert len(page["hosts"]) <= 2
        seen += [h["friendly_name"] for h in page["hosts"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Then every member comes once, in name order
    assert len(members) == 5 and seen == members
