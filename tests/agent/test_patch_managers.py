"""The commands of a patch run per package manager, manager detection, and how exit codes are read."""
from __future__ import annotations

import pytest

from patchmon_agent.patching import managers

DPKG = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"]
NAMES = ("openssl", "libssl3")

# manager -> (refresh, patch_all real, patch_all dry run, patch_package real, patch_package dry run); names follow the package ones
COMMANDS = {
    "apt": (["apt-get", "update", "-qq"],
            ["apt-get", *DPKG, "--with-new-pkgs", "upgrade", "-y"],
            ["apt-get", "-s", "--with-new-pkgs", "upgrade"],
            ["apt-get", *DPKG, "--only-upgrade", "install", "-y"],
            ["apt-get", "-s", "--only-upgrade", "install"]),
    "dnf": (["dnf", "makecache", "-q", "-y"], ["dnf", "upgrade", "-y"], ["dnf", "upgrade", "--assumeno"],
            ["dnf", "upgrade", "-y"], ["dnf", "upgrade", "--assumeno"]),
    "yum": (["yum", "makecache", "-q", "-y"], ["yum", "upgrade", "-y"], ["yum", "upgrade", "--assumeno"],
            ["yum", "upgrade", "-y"], ["yum", "upgrade", "--assumeno"]),
    "zypper": (["zypper", "--non-interactive", "refresh"],
               ["zypper", "--non-interactive", "update", "--auto-agree-with-licenses"],
               ["zypper", "--non-interactive", "update", "--dry-run"],
               ["zypper", "--non-interactive", "update", "--auto-agree-with-licenses"],
               ["zypper", "--non-interactive", "update", "--dry-run"]),
    "pacman": (["pacman", "-Sy", "--noconfirm"], ["pacman", "-Syu", "--noconfirm"], ["pacman", "-Syu", "-p"],
               ["pacman", "-S", "--noconfirm"], ["pacman", "-S", "-p"]),
}


def _argvs(manager: str, patch_type: str, dry_run: bool) -> list[list[str]]:
    names = NAMES if patch_type == "patch_package" else ()
    return [list(s.argv) for s in managers.steps(manager, patch_type=patch_type, package_names=names, dry_run=dry_run)]


@pytest.mark.parametrize("manager", sorted(COMMANDS))
def test_patch_all_refreshes_then_upgrades_everything_when_real(manager):
    refresh, upgrade, *_ = COMMANDS[manager]
    assert _argvs(manager, "patch_all", False) == [refresh, upgrade]


@pytest.mark.parametrize("manager", sorted(COMMANDS))
def test_patch_all_dry_run_is_only_the_simulation_when_dry(manager):
    assert _argvs(manager, "patch_all", True) == [COMMANDS[manager][2]]


@pytest.mark.parametrize("manager", sorted(COMMANDS))
def test_patch_package_refreshes_then_upgrades_the_named_packages_when_real(manager):
    refresh, *_, upgrade, _dry = COMMANDS[manager]
    assert _argvs(manager, "patch_package", False) == [refresh, [*upgrade, *NAMES]]


@pytest.mark.parametrize("manager", sorted(COMMANDS))
def test_patch_package_dry_run_simulates_the_named_packages_when_dry(manager):
    assert _argvs(manager, "patch_package", True) == [[*COMMANDS[manager][4], *NAMES]]


def test_patch_all_ignores_package_names_when_given():
    steps = managers.steps("dnf", patch_type="patch_all", package_names=("openssl",), dry_run=True)
    assert [list(s.argv) for s in steps] == [["dnf", "upgrade", "--assumeno"]]


@pytest.mark.parametrize(("manager", "env"), [("apt", {"LC_MESSAGES": "C", "DEBIAN_FRONTEND": "noninteractive"}),
                                              ("dnf", {"LC_MESSAGES": "C"}), ("zypper", {"LC_MESSAGES": "C"})])
def test_every_step_runs_with_untranslated_messages_and_apt_never_asks(manager, env):
    steps = managers.steps(manager, patch_type="patch_all")
    assert [dict(s.env) for s in steps] == [env, env]


@pytest.mark.parametrize(("present", "expected"), [
    ({"apt-get", "dnf", "zypper"}, "apt"), ({"dnf", "yum", "zypper"}, "dnf"), ({"yum"}, "yum"),
    ({"zypper", "pacman"}, "zypper"), ({"pacman"}, "pacman"), ({"pacman", "apk"}, "pacman"),
])
def test_first_patchable_manager_found_is_used_when_detected(present, expected):
    assert managers.detect(lambda name: f"/usr/bin/{name}" if name in present else None) == expected


def test_apk_is_refused_for_patching_when_it_is_the_only_manager():
    with pytest.raises(managers.UnsupportedManager) as refused:
        managers.detect(lambda name: "/sbin/apk" if name == "apk" else None)
    assert str(refused.value) == 'package manager "apk" not supported for patching (apt, dnf, yum, zypper, pacman required)'


def test_host_without_any_manager_is_refused_when_detected():
    with pytest.raises(managers.UnsupportedManager, match="no supported package manager found"):
        managers.detect(lambda _name: None)


@pytest.mark.parametrize(("manager", "rc", "output", "dry_run", "ok"), [
    ("apt", 0, "", False, True),
    ("apt", 100, "E: Unable to locate package nosuch\n", True, False),
    ("apt", 1, "some output\n", True, False),  # apt has no lenient exit 1
    ("dnf", 1, "Dependencies resolved.\nUpgrading:\n openssl x86_64 1:3.2.2-6.el9_5 baseos 1.4 M\nOperation aborted.\n", True, True),
    ("dnf", 1, "Operation aborted.\n", False, False),  # only a dry run stops on purpose
    ("dnf", 1, "", True, False),
    ("dnf", 1, "No match for argument: nosuch\nError: No packages marked for upgrade.\n", True, False),
    ("yum", 1, "Error: Package: foo requires bar\n", True, False),
    ("dnf", 1, " Problem: conflicting requests\n  - nothing provides libfoo.so.1 needed by bar-1.0\n", True, False),
    ("pacman", 1, "error: target not found: nosuch\n", True, False),
    ("zypper", 102, "1 package to upgrade.\n", False, True),  # reboot needed
    ("zypper", 103, "libzypp and zypper updated\n", True, True),
    ("zypper", 104, "No provider of 'nosuch' found.\n", True, False),
    ("zypper", 4, "Problem: nothing provides 'libfoo'\n", True, False),
    ("pacman", 2, "anything\n", True, False),
])
def test_exit_status_and_output_decide_success_when_a_step_ends(manager, rc, output, dry_run, ok):
    assert managers.step_succeeded(manager, rc, output, dry_run=dry_run) is ok
