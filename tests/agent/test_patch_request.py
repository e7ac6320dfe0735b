"""`run_patch` messages: defaults, allow-listed package names, and the messages that are ignored."""
from __future__ import annotations

import pytest

from patchmon_agent.patching import PatchRequest, parse_run_patch
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)

RUN = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"


def test_patch_all_is_the_default_when_no_type_is_given():
    assert parse_run_patch({"type": "run_patch", "patch_run_id": RUN}) == PatchRequest(RUN, "patch_all", (), False)


def test_package_names_are_kept_in_order_once_each_when_valid():
    message = {"patch_run_id": RUN, "patch_type": "patch_package", "package_names": ["openssl", "libc6:amd64", "openssl", "g++-12"],
               "dry_run": True}
    assert parse_run_patch(message) == PatchRequest(RUN, "patch_package", ("openssl", "g++-12"), True)


@pytest.mark.parametrize("bad", ["-y", "--config=/etc/x", "a b", "pkg;rm -rf /", "", ".hidden", "openssl\n", "x" * 257, 7, None])
def test_invalid_package_names_are_dropped_when_listed(bad, caplog):
    # When
    request = parse_run_patch({"patch_run_id": RUN, "patch_type": "patch_package", "package_names": [bad, "curl"]})
    # Then
    assert request is not None and request.package_names == ("curl",)
    assert any(r.getMessage() == "invalid package names dropped" for r in caplog.records)


def test_single_package_name_is_used_when_no_list_is_given():
    request = parse_run_patch({"patch_run_id": RUN, "patch_type": "patch_package", "package_name": "nginx"})
    assert request is not None and request.package_names == ("nginx",)


@pytest.mark.parametrize("message", [
    {"patch_run_id": RUN, "patch_type": "patch_package", "package_names": ["-rf", "a b"]},
    {"patch_run_id": RUN, "patch_type": "patch_package"},
    {"patch_type": "patch_all"},
    {"patch_run_id": "../../hosts/update", "patch_type": "patch_all"},
    {"patch_run_id": RUN, "patch_type": "reboot"},
])
def test_message_is_ignored_when_nothing_valid_is_left_to_run(message):
    assert parse_run_patch(message) is None


def test_dry_run_must_be_true_itself_when_read():
    request = parse_run_patch({"patch_run_id": RUN, "dry_run": "false"})
    assert request is not None and request.dry_run is False


def test_names_beyond_one_hundred_are_dropped_when_listed():
    request = parse_run_patch({"patch_run_id": RUN, "patch_type": "patch_package", "package_names": [f"p{i}" for i in range(150)]})
    assert request is not None and len(request.package_names) == 100 and request.package_names[-1] == "p99"
