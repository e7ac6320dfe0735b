"""Our `run_patch` extension fields: exclusions, hooks and the reboot policy, each checked strictly and dropped (noted) when invalid."""
from __future__ import annotations

import pytest

from patchmon_agent.patching import PatchRequest, parse_run_patch
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)

RUN = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"


def _parse(**fields) -> PatchRequest:
    request = parse_run_patch({"type": "run_patch", "patch_run_id": RUN, **fields})
    assert request is not None
    return request


def test_message_without_extension_fields_keeps_todays_behaviour():
    request = _parse()
    assert (request.exclude_packages, request.pre_hooks, request.post_hooks, request.post_reboot_hooks) == ((), (), (), ())
    assert request.reboot is None and request.notes == () and not request.has_hooks


def test_every_extension_field_is_kept_when_valid():
    request = _parse(exclude_packages=["linux-image-*", "docker-ce", "lib?ssl*", "docker-ce"], pre_hooks=["systemctl stop app"],
                     post_hooks=["systemctl start app", "curl -fsS http://127.0.0.1/health"], post_reboot_hooks=["uptime"],
                     reboot="if_required")
    assert request.exclude_packages == ("linux-image-*", "docker-ce", "lib?ssl*")
    assert request.pre_hooks == ("systemctl stop app",) and request.post_reboot_hooks == ("uptime",)
    assert request.post_hooks == ("systemctl start app", "curl -fsS http://127.0.0.1/health")
    assert request.reboot == "if_required" and request.notes == () and request.has_hooks


@pytest.mark.parametrize("bad", ["-x", "--exclude=foo", "a b", "pkg;reboot", "", "*/etc", "[ab]", "x" * 257, 7, None])
def test_invalid_exclusion_is_dropped_and_noted_when_listed(bad, caplog):
    # When
    request = _parse(exclude_packages=[bad, "nginx"])
    # Then the valid pattern is kept, and the run's output will say what was ignored
    assert request.exclude_packages == ("nginx",)
    assert len(request.notes) == 1 and request.notes[0].startswith("exclude_packages item ")
    assert any(r.getMessage() == "run_patch field dropped" for r in caplog.records)


@pytest.mark.parametrize("bad", ["nginx", {"a": 1}, ["p"] * 101])
def test_exclusions_that_are_not_a_short_list_are_dropped_whole(bad):
    request = _parse(exclude_packages=bad)
    assert request.exclude_packages == () and request.notes == ("exclude_packages ignored: not a list of at most 100 patterns",)


def test_hundred_exclusions_of_256_characters_are_accepted():
    patterns = [f"p{i}-" + "x" * 250 for i in range(100)]
    assert len(_parse(exclude_packages=patterns).exclude_packages) == 100


@pytest.mark.parametrize("bad", [["ok", ""], ["ok", "   "], ["a\nb"], ["a\x00b"], ["x" * 1025], ["ok", 3], "echo hi", ["h"] * 11])
def test_invalid_hook_list_is_dropped_whole_and_noted(bad):
    # When a list holds one bad hook
    request = _parse(pre_hooks=bad, post_hooks=["echo post"])
    # Then none of that list runs (a partial sequence could do harm), the other list stays
    assert request.pre_hooks == () and request.post_hooks == ("echo post",)
    assert len(request.notes) == 1 and request.notes[0].startswith("pre_hooks ignored: ")


def test_ten_hooks_of_1024_characters_are_accepted():
    hooks = ["echo " + "x" * 1019] * 10
    assert _parse(post_reboot_hooks=hooks).post_reboot_hooks == tuple(hooks)


@pytest.mark.parametrize("policy", ["never", "if_required", "always"])
def test_reboot_policy_is_kept_when_known(policy):
    assert _parse(reboot=policy).reboot == policy


@pytest.mark.parametrize("bad", ["sometimes", "ALWAYS", True, 1, ["always"]])
def test_unknown_reboot_policy_is_dropped_and_noted(bad):
    request = _parse(reboot=bad)
    assert request.reboot is None and request.notes[0].startswith("reboot ignored: ")


def test_invalid_extension_fields_never_stop_the_run_itself():
    request = _parse(patch_type="patch_package", package_names=["curl"], exclude_packages="x", pre_hooks=5, reboot={})
    assert request.package_names == ("curl",) and len(request.notes) == 3
