"""Constants of our run_patch extension, shared by the server and the agent: names, limits and the pattern of an exclusion."""
from __future__ import annotations

import re

import pytest

from chalicelib.agent_protocol import constants as k

EXCLUDE = re.compile(k.PATCH_EXCLUDE_PATTERN)


@pytest.mark.parametrize("pattern", ["nginx", "linux-image-*", "lib?ssl*", "*-dbg", "?", "g++-12", "python3.11", "a" * 256])
def test_exclusion_pattern_accepts_package_names_with_wildcards(pattern):
    assert EXCLUDE.fullmatch(pattern)


@pytest.mark.parametrize("pattern", ["-x", "--exclude=a", ".hidden", "a b", "[ab]", "a/b", "a;b", "", "nginx\n"])
def test_exclusion_pattern_refuses_options_and_shell_characters(pattern):
    assert not EXCLUDE.fullmatch(pattern)


def test_every_package_name_is_also_an_exclusion_pattern():
    assert k.PATCH_PACKAGE_NAME_PATTERN.replace("._+\\-", "._+\\-*?").replace("[a-zA-Z0-9]", "[a-zA-Z0-9*?]", 1) == k.PATCH_EXCLUDE_PATTERN


def test_reboot_policies_and_decisions_are_the_documented_words():
    assert k.PATCH_REBOOT_POLICIES == ("never", "if_required", "always")
    assert k.PATCH_REBOOT_DECISIONS == ("rebooting", "not_required", "not_allowed", "skipped")


def test_extension_stages_differ_from_every_patchmon_stage():
    patchmon = {k.PATCH_STAGE_STARTED, k.PATCH_STAGE_PROGRESS, k.PATCH_STAGE_COMPLETED, k.PATCH_STAGE_FAILED, k.PATCH_STAGE_CANCELLED,
                k.PATCH_STAGE_DRY_RUN_COMPLETED}
    assert {k.PATCH_STAGE_REBOOTED, k.PATCH_STAGE_REBOOT_FAILED} == {"rebooted", "reboot_failed"}
    assert not patchmon & {k.PATCH_STAGE_REBOOTED, k.PATCH_STAGE_REBOOT_FAILED}


def test_extension_limits_and_field_names_are_those_the_server_sends():
    assert (k.MAX_PATCH_EXCLUDE_PATTERNS, k.MAX_PATCH_HOOKS, k.MAX_PATCH_HOOK_LENGTH, k.PATCH_HOOK_TIMEOUT_SECONDS) == (100, 10, 1024, 600)
    assert (k.RUN_PATCH_EXCLUDE_PACKAGES, k.RUN_PATCH_PRE_HOOKS, k.RUN_PATCH_POST_HOOKS, k.RUN_PATCH_POST_REBOOT_HOOKS,
            k.RUN_PATCH_REBOOT) == ("exclude_packages", "pre_hooks", "post_hooks", "post_reboot_hooks", "reboot")
    assert k.REPORT_HELD_PACKAGES == "heldPackages"
