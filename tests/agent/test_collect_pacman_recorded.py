"""The pacman collector on real pacman 7.0 output (fixtures/pacman-7.0-recorded, tests/agent/recording/pacman_local_repo.sh).

pacman 7.0.0 / libalpm 15.0.0 (Debian 13's `pacman-package-manager`, the pacman Arch runs) managed its own
local database in a Debian 13 chroot configured like an Arch host (Arch's pacman.conf, DBPath /var/lib/pacman,
IgnorePkg = linux-lts, IgnoreGroup = xorg), fed by local file:// [core] and [extra] repositories of tiny
makepkg-built packages (repo-add). The old versions were installed with `pacman -S`, yay from its file with
`pacman -U`; then the new versions were published and the sync databases refreshed (`pacman -Syy`). Debian has
no pacman-contrib, so `checkupdates` is missing: the collector saw exit 127 (the runner's FileNotFoundError)
and fell back to `pacman -Qu`, exactly as on an Arch host without pacman-contrib. The expectations below are
what the recipe built, not what the collector printed.

What the real output showed that the hand-written `arch` fixtures do not: `-Qu` marks IgnoreGroup members
"[ignored]" as well as IgnorePkg ones; a multi-valued `-Qi` field (Optional Deps) is one key with indented
continuation lines, not a repeated key; dates are C-locale `%c` ("Tue Nov 19 07:06:40 2024"); packages installed
from an unsigned repository or file are "Validated By : SHA-256 Sum" / "None"; `Required By` separates names
with two spaces. None of it needed a change to the collector.
"""
from __future__ import annotations

from patchmon_agent.collectors import packages, pacman, repositories
from patchmon_agent.collectors.common import NOT_FOUND_RC
from tests.agent.command_fixtures import FIXTURES, FakeRunner, by_name, load, recorded, sidecars

DISTRO = "pacman-7.0-recorded"
ROOT = str(FIXTURES / DISTRO / "root")

# What pacman_local_repo.sh built and installed: name -> (repository, installed version, version its repository offers).
BUILT = {
    "bash": ("core", "5.2.037-1", "5.2.037-1"),  # no update
    "glibc": ("core", "2.40+r16+gaa533d58ff-1", "2.40+r16+gaa533d58ff-2"),
    "linux": ("core", "6.12.1.arch1-1", "6.12.4.arch1-1"),
    "linux-lts": ("core", "6.6.63-1", "6.6.65-1"),  # IgnorePkg
    "openssl": ("core", "3.4.0-1", "3.4.0-2"),
    "tzdata": ("core", "2024b-2", "2025a-1"),
    "zlib": ("core", "1:1.3.1-2", "1:1.3.1-3"),  # epoch 1
    "firefox": ("extra", "133.0-1", "133.0.3-1"),
    "nginx": ("extra", "1.26.2-3", "1.26.2-4"),
    "vim": ("extra", "9.1.0866-1", "9.1.0920-1"),
    "xorg-server": ("extra", "21.1.14-1", "21.1.15-1"),  # IgnoreGroup xorg
    "xorg-xauth": ("extra", "1.1.3-1", "1.1.3-1"),  # IgnoreGroup xorg, no update
}
FOREIGN = {"yay": "12.4.2-1"}  # `pacman -U` from its file, in no repository
NOT_INSTALLED = {"gcc": ("core", "14.2.1+r134+gab884fffe3fc-1")}
IGNORE_PKG = {"linux-lts"}
IGNORE_GROUP = {"xorg": {"xorg-server", "xorg-xauth"}}
HELD = IGNORE_PKG | set().union(*IGNORE_GROUP.values())
DESCRIPTIONS = {"linux": "The Linux kernel and modules", "firefox": "Fast, Private & Safe Web Browser",
                "zlib": "Compression library implementing the deflate compression method found in gzip and PKZIP",
                "yay": "Yet another yogurt. Pacman wrapper and AUR helper written in go."}


def _collect():
    runner = FakeRunner(DISTRO)
    return runner, pacman.collect(runner, root=ROOT)


def test_recorded_fixtures_are_real_and_every_one_is_read_when_the_collector_runs():
    # Given
    recorded_sidecars = sidecars(DISTRO)
    # When
    runner, result = _collect()
    # Then
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []
    assert len(recorded_sidecars) == 5 and all(s["synthetic"] is False and s["env"] == {"LC_ALL": "C"} for s in recorded_sidecars)
    assert all(s["captured_from"].startswith("real: pacman 7.0.0 / libalpm 15.0.0") for s in recorded_sidecars)


def test_pacman_qu_answers_when_checkupdates_is_missing_as_without_pacman_contrib():
    """checkupdates was recorded missing (127, the runner's FileNotFoundError); the collector then asked `pacman -Qu`."""
    missing = load(DISTRO)[tuple(pacman.CHECKUPDATES)][1]
    assert (missing.returncode, missing.stdout) == (NOT_FOUND_RC, "") and "No such file or directory: 'checkupdates'" in missing.stderr
    runner, _ = _collect()
    asked = [call for call in runner.calls if call in (pacman.CHECKUPDATES, pacman.QUERY_UPGRADES)]
    assert asked == [pacman.CHECKUPDATES, pacman.QUERY_UPGRADES]


def test_every_installed_package_is_one_record_with_its_installed_version_when_collected():
    _, result = _collect()
    installed = {name: current for name, (_, current, _) in BUILT.items()} | FOREIGN
    assert {p["name"]: p["currentVersion"] for p in result.packages} == installed
    assert len(result.packages) == 13 and not set(NOT_INSTALLED) & set(by_name(result))


def test_descriptions_are_the_packages_own_when_pacman_qi_has_multiline_fields():
    """linux has two optional dependencies: pacman prints one "Optional Deps" key and an indented continuation line."""
    assert "\n                  linux-firmware: firmware images needed for some devices\n" in recorded(DISTRO, *pacman.QUERY_INFO)
    found = by_name(_collect()[1])
    assert {name: found[name]["description"] for name in DESCRIPTIONS} == DESCRIPTIONS


def test_updates_are_the_offered_versions_of_packages_not_ignored_when_collected():
    _, result = _collect()
    updates = {p["name"]: (p["currentVersion"], p["availableVersion"], p["sourceRepository"]) for p in result.packages if p["needsUpdate"]}
    assert updates == {name: (current, offered, repo) for name, (repo, current, offered) in BUILT.items()
                       if offered != current and name not in HELD}
    assert len(updates) == 8


def test_ignorepkg_and_ignoregroup_packages_are_held_and_not_upgradable_when_pacman_conf_ignores_them():
    """IgnorePkg = linux-lts and IgnoreGroup = xorg; `pacman -Qu` marks both kinds "[ignored]"."""
    _, result = _collect()
    assert result.held == sorted(HELD)
    found = by_name(result)
    assert all(found[name]["needsUpdate"] is False and "availableVersion" not in found[name] for name in HELD)
    assert pacman.parse_ignored((FIXTURES / DISTRO / "root/etc/pacman.conf").read_text()) == (sorted(IGNORE_PKG), sorted(IGNORE_GROUP))
    assert pacman.parse_query_groups(recorded(DISTRO, *pacman.QUERY_GROUPS, "xorg")) == IGNORE_GROUP["xorg"]
    _, ignored = pacman.parse_updates(recorded(DISTRO, *pacman.QUERY_UPGRADES))
    assert ignored == {name for name in HELD if BUILT[name][1] != BUILT[name][2]} == {"linux-lts", "xorg-server"}


def test_foreign_package_has_the_foreign_repository_when_no_sync_database_has_it():
    yay = by_name(_collect()[1])["yay"]
    assert (yay["currentVersion"], yay["needsUpdate"], yay["sourceRepository"]) == (FOREIGN["yay"], False, pacman.FOREIGN)
    assert " yay " not in recorded(DISTRO, *pacman.SYNC_LIST)


def test_repositories_of_installed_packages_come_from_pacman_sl_when_it_lists_them():
    assert pacman.parse_sync_list(recorded(DISTRO, *pacman.SYNC_LIST)) == {name: repo for name, (repo, _, _) in BUILT.items()}
    assert {p["name"]: p["sourceRepository"] for p in _collect()[1].packages} == {name: repo for name, (repo, _, _) in BUILT.items()} | {
        "yay": "foreign"}


def test_epoch_is_kept_in_both_versions_when_the_package_has_one():
    zlib = by_name(_collect()[1])["zlib"]
    assert (zlib["currentVersion"], zlib["availableVersion"], zlib["needsUpdate"]) == ("1:1.3.1-2", "1:1.3.1-3", True)


def test_kernel_update_is_offered_when_a_newer_linux_is_in_core():
    linux = by_name(_collect()[1])["linux"]
    assert (linux["currentVersion"], linux["availableVersion"], linux["sourceRepository"]) == ("6.12.1.arch1-1", "6.12.4.arch1-1", "core")


def test_no_update_is_a_security_update_when_arch_publishes_no_security_metadata():
    _, result = _collect()
    assert not any(p["isSecurityUpdate"] for p in result.packages)


def test_packages_collect_gives_the_same_result_when_pacman_is_named():
    result = packages.collect(FakeRunner(DISTRO), manager="pacman", root=ROOT)
    _, direct = _collect()
    assert result.manager == "pacman" and (result.packages, result.held, result.errors) == (direct.packages, direct.held, [])


def test_local_file_repositories_are_not_reported_when_pacman_conf_serves_core_and_extra_from_them():
    """[core] and [extra] Include the mirrorlist, whose only active Server is file://; the remote mirror is commented out."""
    conf = (FIXTURES / DISTRO / "root/etc/pacman.conf").read_text()
    assert repositories.parse_pacman_conf(conf) == [("core", [], ["/etc/pacman.d/mirrorlist"]), ("extra", [], ["/etc/pacman.d/mirrorlist"])]
    mirrorlist = (FIXTURES / DISTRO / "root/etc/pacman.d/mirrorlist").read_text()
    assert repositories.parse_mirrorlist(mirrorlist) == ["file:///srv/pacman/$repo/os/$arch"]
    assert repositories.collect(ROOT) == []
