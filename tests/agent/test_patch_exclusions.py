"""`exclude_packages`: each manager's own way of keeping packages back, and apt's temporary holds always taken off again."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from patchmon_agent.patching import PatchRequest, exclusions, managers
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)
from tests.agent.patch_fakes import OutputEndpoint, ScriptedManager

pytestmark = pytest.mark.timeout(60)

RUN = "0193a5b2-7c4e-7d21-9f3a-5b2c7e4d2193"
AT = datetime(2024, 11, 26, 10, 2, 3, tzinfo=UTC)
DPKG = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"]
EXCLUDE = ("linux-image-*", "docker-ce")
NAMES = ("openssl", "docker-ce", "libssl3")
APT_REFRESH = "apt-get update -qq"
APT_UPGRADE_ALL = "apt-get " + " ".join(DPKG) + " --with-new-pkgs upgrade -y"
DPKG_HOLDS = " ".join(exclusions.DPKG_HOLDS)
# dpkg-query in DPKG_HOLDS' format: a held kernel meta-package, two kernels, a config-files-only one and multi-arch libc6.
INSTALLED = ["ii \tbash", "hi \tlinux-image-amd64", "ii \tlinux-image-6.1.0-18-amd64", "rc \tlinux-image-6.1.0-10-amd64",
             "ii \tdocker-ce", "ii \tlibc6:amd64", "ii \tlibc6:i386"]
HOLD = "apt-mark hold docker-ce linux-image-6.1.0-18-amd64"
UNHOLD = "apt-mark unhold docker-ce linux-image-6.1.0-18-amd64"


def _argvs(manager: str, patch_type: str, dry_run: bool, names: tuple[str, ...] = ()) -> list[list[str]]:
    return [list(s.argv) for s in managers.steps(manager, patch_type=patch_type, package_names=names, dry_run=dry_run, exclude=EXCLUDE)]


# --- the commands of each manager ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("manager", ["dnf", "yum"])
def test_rpm_managers_pass_one_exclude_option_per_pattern(manager, dry_run):
    confirm = "--assumeno" if dry_run else "-y"
    assert _argvs(manager, "patch_all", dry_run)[-1] == [manager, "upgrade", confirm, "--exclude=linux-image-*", "--exclude=docker-ce"]
    assert _argvs(manager, "patch_package", dry_run, ("openssl",))[-1] == [manager, "upgrade", confirm, "--exclude=linux-image-*",
                                                                           "--exclude=docker-ce", "openssl"]


@pytest.mark.parametrize(("dry_run", "patch_all", "patch_package"), [
    (False, ["pacman", "-Syu", "--noconfirm"], ["pacman", "-S", "--noconfirm"]),
    (True, ["pacman", "-Syu", "-p"], ["pacman", "-S", "-p"]),
])
def test_pacman_ignores_the_patterns_as_one_comma_list(dry_run, patch_all, patch_package):
    assert _argvs("pacman", "patch_all", dry_run)[-1] == [*patch_all, "--ignore", "linux-image-*,docker-ce"]
    assert _argvs("pacman", "patch_package", dry_run, ("openssl",))[-1] == [*patch_package, "--ignore", "linux-image-*,docker-ce", "openssl"]


@pytest.mark.parametrize("manager", ["apt", "zypper"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_apt_and_zypper_commands_are_unchanged_since_they_exclude_through_holds_and_locks(manager, dry_run):
    plain = [list(s.argv) for s in managers.steps(manager, patch_type="patch_all", dry_run=dry_run)]
    assert _argvs(manager, "patch_all", dry_run) == plain


@pytest.mark.parametrize(("manager", "patch_type", "dry_run", "guard"), [
    ("apt", "patch_all", False, exclusions.AptHolds), ("apt", "patch_package", False, None), ("apt", "patch_all", True, None),
    ("zypper", "patch_all", False, exclusions.ZypperLocks), ("zypper", "patch_package", False, exclusions.ZypperLocks),
    ("zypper", "patch_all", True, None), ("dnf", "patch_all", False, None), ("pacman", "patch_all", False, None),
])
def test_only_real_apt_patch_all_and_real_zypper_runs_hold_or_lock(manager, patch_type, dry_run, guard):
    found = exclusions.guard_for(manager, patch_type, EXCLUDE, dry_run=dry_run)
    assert (type(found) if found else None) is guard
    assert exclusions.guard_for(manager, patch_type, (), dry_run=dry_run) is None


def test_requested_names_that_match_an_exclusion_are_split_off():
    assert exclusions.split_requested(NAMES, ("docker-*", "libssl?")) == (("openssl",), ("docker-ce", "libssl3"))
    assert exclusions.split_requested(("libc6:amd64", "bash"), ("libc6",)) == (("bash",), ("libc6:amd64",))


def test_matching_is_case_sensitive_fnmatch():
    assert exclusions.matches("linux-image-amd64", ["linux-image-*"]) and exclusions.matches("libssl3", ["libssl?"])
    assert not exclusions.matches("Docker-ce", ["docker-ce"]) and not exclusions.matches("libssl30", ["libssl?"])


def test_installed_packages_and_their_hold_state_are_read_from_dpkg_query():
    assert exclusions.parse_dpkg_holds("\n".join(INSTALLED) + "\nbroken line\n") == [
        ("bash", False), ("linux-image-amd64", True), ("linux-image-6.1.0-18-amd64", False), ("docker-ce", False),
        ("libc6:amd64", False), ("libc6:i386", False)]


# --- runs through the runner: apt holds ----------------------------------------------------------------------------


def _execute(manager: ScriptedManager, request: PatchRequest, *, pm: str = "apt", stop: threading.Event | None = None):
    endpoint = OutputEndpoint()
    outcome = manager.runner(pm, now=lambda: AT, grace_seconds=1).execute(request, post=endpoint, stop=stop or threading.Event())
    return outcome, endpoint


def _calls(manager: ScriptedManager) -> list[str]:
    return [" ".join(call["argv"]) for call in manager.calls()]


def _apt_plan(upgrade: dict, **overrides: dict) -> dict:
    return {DPKG_HOLDS: {"lines": INSTALLED}, HOLD: {"lines": ["docker-ce set on hold.", "linux-image-6.1.0-18-amd64 set on hold."]},
            UNHOLD: {"lines": ["Canceled hold on docker-ce.", "Canceled hold on linux-image-6.1.0-18-amd64."]},
            APT_REFRESH: {}, APT_UPGRADE_ALL: upgrade, **overrides}


def test_apt_patch_all_holds_the_matching_installed_packages_and_restores_them_after_success(tmp_path):
    # Given a host with the kernel meta-package already held
    manager = ScriptedManager(tmp_path, _apt_plan({"lines": ["Setting up bash ..."]}))
    # When
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE))
    # Then only what was not held is held for the run, and released after it
    assert _calls(manager) == [DPKG_HOLDS, HOLD, APT_REFRESH, APT_UPGRADE_ALL, UNHOLD]
    assert outcome.stage == "completed"
    output = endpoint.final()["output"]
    assert "(excluded from this run: linux-image-*, docker-ce)\n" in output
    assert "(already held on this host (left as they are): linux-image-amd64)\n" in output
    assert f"$ {HOLD}\ndocker-ce set on hold.\n" in output and f"$ {UNHOLD}\nCanceled hold on docker-ce.\n" in output


def test_apt_holds_are_restored_when_the_upgrade_fails(tmp_path):
    manager = ScriptedManager(tmp_path, _apt_plan({"stderr": ["E: Sub-process /usr/bin/dpkg returned an error code (1)"], "rc": 100}))
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE))
    assert _calls(manager)[-1] == UNHOLD
    assert outcome.stage == "failed" and endpoint.final()["error_message"] == "apt-get exited with status 100"


def test_apt_holds_are_restored_when_the_run_is_stopped(tmp_path):
    # Given an upgrade that runs until it is interrupted
    manager = ScriptedManager(tmp_path, _apt_plan({"lines": ["Unpacking ..."], "block": True}))
    stop = threading.Event()
    endpoint = OutputEndpoint()
    threading.Thread(target=lambda: endpoint.wait_for("ready") and stop.set(), daemon=True).start()
    # When the run is stopped
    outcome = manager.runner("apt", now=lambda: AT, grace_seconds=1).execute(PatchRequest(RUN, exclude_packages=EXCLUDE), post=endpoint,
                                                                              stop=stop)
    # Then the holds still come off
    assert outcome.stage == "cancelled" and _calls(manager)[-1] == UNHOLD


def test_apt_run_fails_before_upgrading_when_the_hold_fails_and_undoes_it(tmp_path):
    manager = ScriptedManager(tmp_path, _apt_plan({}, **{HOLD: {"stderr": ["E: Can't select installed nor candidate version"], "rc": 100}}))
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE))
    assert _calls(manager) == [DPKG_HOLDS, HOLD, UNHOLD]
    assert endpoint.final()["error_message"] == "could not hold the excluded packages: apt-mark exited with status 100"


def test_completed_apt_run_fails_when_its_holds_cannot_be_removed_but_still_runs_its_post_hooks(tmp_path):
    # Given an upgrade that works and an unhold that does not
    manager = ScriptedManager(tmp_path, _apt_plan({}, **{UNHOLD: {"rc": 1}, "/bin/sh -c systemctl start app": {}}))
    # When
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE, post_hooks=("systemctl start app",)))
    # Then the post-hook ran (the packages were upgraded), and the run fails for the holds left behind
    assert _calls(manager)[-2:] == [UNHOLD, "/bin/sh -c systemctl start app"]
    assert outcome.stage == "failed"
    assert endpoint.final()["error_message"] == ("could not remove the temporary holds (docker-ce, linux-image-6.1.0-18-amd64): "
                                                 "apt-mark exited with status 1")


def test_apt_run_does_not_hold_anything_when_nothing_installed_matches(tmp_path):
    manager = ScriptedManager(tmp_path, _apt_plan({}))
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=("nosuch-*",)))
    assert _calls(manager) == [DPKG_HOLDS, APT_REFRESH, APT_UPGRADE_ALL] and outcome.stage == "completed"
    assert "(no installed package matches the exclusions: nothing to hold)\n" in endpoint.final()["output"]


def test_apt_run_fails_when_the_installed_packages_cannot_be_listed(tmp_path):
    manager = ScriptedManager(tmp_path, {DPKG_HOLDS: {"stderr": ["dpkg-query: error: database locked"], "rc": 2}})
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE))
    assert _calls(manager) == [DPKG_HOLDS]
    assert endpoint.final()["error_message"] == "could not list the installed packages to hold: dpkg-query exited with status 2"
    assert "dpkg-query: error: database locked\n" in endpoint.final()["output"]


def test_apt_patch_package_only_drops_the_excluded_names(tmp_path):
    upgrade = "apt-get " + " ".join(DPKG) + " --only-upgrade install -y openssl libssl3"
    manager = ScriptedManager(tmp_path, {APT_REFRESH: {}, upgrade: {}})
    outcome, endpoint = _execute(manager, PatchRequest(RUN, "patch_package", NAMES, exclude_packages=EXCLUDE))
    assert _calls(manager) == [APT_REFRESH, upgrade] and outcome.stage == "completed"
    assert "(not patched, excluded: docker-ce)\n" in endpoint.final()["output"]


def test_patch_package_fails_without_running_anything_when_every_name_is_excluded(tmp_path):
    manager = ScriptedManager(tmp_path, {})
    outcome, endpoint = _execute(manager, PatchRequest(RUN, "patch_package", ("docker-ce",), exclude_packages=EXCLUDE,
                                                       pre_hooks=("echo never",)))
    assert manager.calls() == [] and endpoint.stages()[0] == "started" and endpoint.stages()[-1] == "failed"
    assert endpoint.final()["error_message"] == "every requested package is held or excluded"
    assert "(not patched, excluded: docker-ce)\n" in endpoint.final()["output"]


def test_apt_dry_run_holds_nothing_and_leaves_the_excluded_packages_out_of_its_result(tmp_path):
    # Given a simulation that would upgrade an excluded package
    simulation = ["Inst docker-ce [5:27.3.0-1~debian.12~bookworm] (5:27.3.1-1~debian.12~bookworm Docker:12/bookworm [amd64])",
                  "Inst openssl [3.0.19-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])"]
    manager = ScriptedManager(tmp_path, {"apt-get -s --with-new-pkgs upgrade": {"lines": simulation}})
    # When
    outcome, endpoint = _execute(manager, PatchRequest(RUN, dry_run=True, exclude_packages=EXCLUDE))
    # Then nothing was held, and the result says what a real run would keep back
    assert _calls(manager) == ["apt-get -s --with-new-pkgs upgrade"]
    assert outcome.packages_affected == [{"name": "openssl", "version": "3.0.22-1~deb12u2", "action": "upgrade"}]
    assert "the exclusions were applied to its result instead, 1 left out: docker-ce;" in endpoint.final()["output"]


# --- zypper locks, dnf, pacman ------------------------------------------------------------------------------------

ZYPPER_LOCKS = "zypper --non-interactive locks"
LOCK_TABLE = ["", "# | Name      | Type    | Repository | Comment", "--+-----------+---------+------------+--------",
              "1 | docker-ce | package | (any)      |"]
ZYPPER_UPDATE = "zypper --non-interactive update --auto-agree-with-licenses"


def test_zypper_adds_locks_only_for_patterns_not_locked_yet_and_removes_only_those(tmp_path):
    # Given docker-ce is already locked on the host
    manager = ScriptedManager(tmp_path, {ZYPPER_LOCKS: {"lines": LOCK_TABLE}, "zypper --non-interactive addlock linux-image-*": {},
                                         "zypper --non-interactive removelock linux-image-*": {}, "zypper --non-interactive refresh": {},
                                         ZYPPER_UPDATE: {"rc": 103}})
    # When
    outcome, endpoint = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE), pm="zypper")
    # Then
    assert _calls(manager) == [ZYPPER_LOCKS, "zypper --non-interactive addlock linux-image-*", "zypper --non-interactive refresh",
                               ZYPPER_UPDATE, "zypper --non-interactive removelock linux-image-*"]
    assert outcome.stage == "completed"
    assert "(already locked on this host (left as they are): docker-ce)\n" in endpoint.final()["output"]


def test_zypper_locks_are_removed_when_the_update_fails(tmp_path):
    manager = ScriptedManager(tmp_path, {ZYPPER_LOCKS: {"lines": ["There are no package locks defined."]},
                                         "zypper --non-interactive addlock linux-image-* docker-ce": {},
                                         "zypper --non-interactive removelock linux-image-* docker-ce": {},
                                         "zypper --non-interactive refresh": {}, ZYPPER_UPDATE: {"rc": 4}})
    outcome, _ = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE), pm="zypper")
    assert outcome.stage == "failed" and _calls(manager)[-1] == "zypper --non-interactive removelock linux-image-* docker-ce"


def test_zypper_dry_run_locks_nothing_and_filters_its_result(tmp_path):
    table = ["Loading repository data...", "Reading installed packages...", "",
             "The following 2 packages are going to be upgraded:", "  docker-ce libopenssl3", ""]
    manager = ScriptedManager(tmp_path, {"zypper --non-interactive update --dry-run": {"lines": table, "rc": 0}})
    outcome, _ = _execute(manager, PatchRequest(RUN, dry_run=True, exclude_packages=EXCLUDE), pm="zypper")
    assert _calls(manager) == ["zypper --non-interactive update --dry-run"]
    assert [p["name"] for p in outcome.packages_affected] == ["libopenssl3"]


def test_dnf_real_run_excludes_through_its_own_option(tmp_path):
    upgrade = "dnf upgrade -y --exclude=linux-image-* --exclude=docker-ce"
    manager = ScriptedManager(tmp_path, {"dnf makecache -q -y": {}, upgrade: {}})
    outcome, _ = _execute(manager, PatchRequest(RUN, exclude_packages=EXCLUDE), pm="dnf")
    assert _calls(manager) == ["dnf makecache -q -y", upgrade] and outcome.stage == "completed"


def test_pacman_patch_package_drops_excluded_names_and_ignores_the_patterns(tmp_path):
    upgrade = "pacman -S --noconfirm --ignore linux-image-*,docker-ce openssl libssl3"
    manager = ScriptedManager(tmp_path, {"pacman -Sy --noconfirm": {}, upgrade: {}})
    outcome, _ = _execute(manager, PatchRequest(RUN, "patch_package", NAMES, exclude_packages=EXCLUDE), pm="pacman")
    assert _calls(manager)[-1] == upgrade and outcome.stage == "completed"


def test_invalid_fields_of_the_message_are_noted_in_the_run_output(tmp_path):
    manager = ScriptedManager(tmp_path, {"apt-get -s --with-new-pkgs upgrade": {}})
    request = PatchRequest(RUN, dry_run=True, notes=("exclude_packages item 'a b' ignored: not a package name pattern",))
    _, endpoint = _execute(manager, request)
    assert endpoint.final()["output"].startswith("(exclude_packages item 'a b' ignored: not a package name pattern)\n$ apt-get -s")
