"""apt collection on recorded output: security pockets, holds, phasing, kernels, multi-arch and failures."""
from __future__ import annotations

import time

from patchmon_agent.collectors import apt
from patchmon_agent.collectors.common import CommandResult
from tests.agent.command_fixtures import FakeRunner, by_name


def _updates(result) -> set[str]:
    return {p["name"] for p in result.packages if p["needsUpdate"]}


def _security(result) -> set[str]:
    return {p["name"] for p in result.packages if p["isSecurityUpdate"]}


def test_debian_security_updates_are_those_from_debian_security_when_collected():
    """Debian 12: a candidate carried by Debian-Security (alone or beside the point release) is a security update."""
    # Given
    runner = FakeRunner("debian-12")
    # When
    result = apt.collect(runner)
    # Then
    assert result.errors == [] and runner.unused() == set() and runner.unknown_calls() == []
    assert _security(result) == {"curl", "libcurl4", "libssl3", "openssl", "linux-image-amd64", "postgresql-15"}
    assert _updates(result) - _security(result) == {"base-files", "libc6", "login", "nodejs", "tzdata"}


def test_update_is_security_when_a_point_release_supersedes_a_security_upload_not_installed():
    """postgresql-15: 15.12 came through bookworm-security, 15.14 in the point release; 15.10 to 15.14 brings the fix."""
    # Given: `Inst postgresql-15 [15.10-0+deb12u1] (15.14-0+deb12u1 Debian:12.12/oldstable [amd64])`
    runner = FakeRunner("debian-12")
    # When
    postgresql = by_name(apt.collect(runner))["postgresql-15"]
    # Then
    assert (postgresql["availableVersion"], postgresql["isSecurityUpdate"]) == ("15.14-0+deb12u1", True)


def test_held_package_is_listed_and_not_upgradable_when_dpkg_selection_is_hold():
    """A package on hold (apt-mark hold) is in `held` and reports no available version, though apt has a newer one."""
    result = apt.collect(FakeRunner("debian-12"))
    assert result.held == ["docker-ce"]
    assert by_name(result)["docker-ce"] == {
        "name": "docker-ce", "description": "Docker: the open-source application container engine", "category": "admin",
        "currentVersion": "5:27.3.1-1~debian.12~bookworm", "needsUpdate": False, "isSecurityUpdate": False,
        "sourceRepository": "https://download.docker.com/linux/debian bookworm/stable"}


def test_record_has_the_wire_fields_with_epoch_and_archive_when_an_update_exists():
    """The wire record keeps the epoch, the one-line summary, the section without its area, and the archive."""
    packages = by_name(apt.collect(FakeRunner("debian-12")))
    assert packages["login"] == {
        "name": "login", "description": "system login tools", "category": "admin", "currentVersion": "1:4.13+dfsg1-1+deb12u1",
        "availableVersion": "1:4.13+dfsg1-1+deb12u2", "needsUpdate": True, "isSecurityUpdate": False,
        "sourceRepository": "http://deb.debian.org/debian bookworm/main"}
    assert packages["ttf-mscorefonts-installer"]["category"] == "fonts"
    assert packages["tzdata"]["sourceRepository"] == "http://deb.debian.org/debian bookworm-updates/main"


def test_kernels_are_one_record_per_abi_package_and_new_ones_are_not_updates_when_apt_installs_them():
    """Each installed linux-image-<abi> is its own package; the kernel apt would newly install is not reported."""
    packages = by_name(apt.collect(FakeRunner("debian-12")))
    assert {n for n in packages if n.startswith("linux-image")} == {"linux-image-6.1.0-28-amd64", "linux-image-6.1.0-31-amd64", "linux-image-amd64"}
    assert packages["linux-image-amd64"]["availableVersion"] == "6.1.129-1"


def test_multiarch_copies_make_one_record_when_both_architectures_are_installed():
    """libc6:amd64 and libc6:i386 are one package on the wire (the server keys packages by name)."""
    result = apt.collect(FakeRunner("debian-12"))
    assert [p["name"] for p in result.packages].count("libc6") == 1
    assert len(result.packages) == 17  # 19 dpkg rows less the config-files-only ntp and the second libc6


def test_candidate_in_updates_and_security_is_security_when_inst_line_shows_only_updates():
    """Ubuntu prints one origin per label and version, so jammy-updates hides jammy-security: apt-cache policy tells."""
    # Given: `Inst libssl3 [...] (3.0.2-0ubuntu1.19 Ubuntu:22.04/jammy-updates [amd64])`, policy lists both pockets
    runner = FakeRunner("ubuntu-22.04")
    # When
    result = apt.collect(runner)
    # Then
    assert runner.unused() == set() and result.errors == []
    assert _security(result) == {"libssl3", "openssl", "linux-generic", "linux-image-generic", "vim", "python3-pil"}
    assert _updates(result) - _security(result) == {"snapd"}


def test_esm_apps_security_is_security_when_ubuntu_pro_is_attached():
    """UbuntuESMApps:22.04/jammy-apps-security is a security pocket."""
    assert by_name(apt.collect(FakeRunner("ubuntu-22.04")))["python3-pil"]["isSecurityUpdate"] is True


def test_phased_updates_kept_back_are_not_available_when_apt_is_older_than_2_5():
    """jammy's apt lists phased updates as "kept back"; their "(phased 40%)" candidate does not count."""
    result = apt.collect(FakeRunner("ubuntu-22.04"))
    packages = by_name(result)
    assert not any(packages[n]["needsUpdate"] for n in ("systemd", "libsystemd0", "udev"))
    assert result.held == ["kubelet"] and packages["kubelet"]["needsUpdate"] is False


def test_phased_updates_deferred_are_not_available_when_apt_says_deferred_due_to_phasing():
    """noble's apt lists "deferred due to phasing" updates without Inst lines: they are not available yet."""
    # Given
    runner = FakeRunner("ubuntu-24.04")
    # When
    result = apt.collect(runner)
    # Then
    assert runner.unused() == set() and result.errors == []
    assert _updates(result) == {"libxml2", "openssh-client", "openssh-server", "tzdata", "cloud-init"}
    assert _security(result) == {"libxml2", "openssh-client", "openssh-server"}


def test_kept_back_package_is_available_when_not_phased_nor_held():
    """A package apt keeps back for its dependencies still has an update (full-upgrade would install it)."""
    packages = by_name(apt.collect(FakeRunner("ubuntu-24.04")))
    assert packages["cloud-init"]["availableVersion"] == "24.4-0ubuntu1~24.04.2"
    assert packages["cloud-init"]["isSecurityUpdate"] is False


def test_flat_repository_is_attributed_with_a_slash_when_it_has_no_suite():
    """A flat repository (deb URL /) prints no suite in apt-cache policy; its archive is "URL /"."""
    packages = by_name(apt.collect(FakeRunner("ubuntu-22.04")))
    assert packages["kubectl"]["sourceRepository"] == "https://pkgs.k8s.io/core:/stable:/v1.30/deb /"


def test_real_host_output_gives_every_installed_package_when_parsed():
    """Output recorded on the Debian 12 build host: 710 installed, 106 upgradable, none from a security pocket."""
    runner = FakeRunner("debian-12-host")
    result = apt.collect(runner)
    assert runner.unused() == set() and result.errors == []
    assert (len(result.packages), len(_updates(result)), len(_security(result))) == (710, 106, 0)


def test_nothing_is_reported_when_the_upgrade_simulation_fails():
    """Without apt's answer the inventory would look fully patched: packages stay empty and the error is told."""
    failed = CommandResult(100, "", "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.")
    result = apt.collect(FakeRunner("debian-12", overrides={tuple(apt.APT_UPGRADE): failed}))
    assert result.packages == []
    assert result.errors == ["apt-get --simulate --with-new-pkgs ...: exit status 100: E: dpkg was interrupted, you must manually run "
                             "'dpkg --configure -a' to correct the problem."]


def test_security_falls_back_to_inst_origins_when_apt_cache_policy_fails():
    """Without the policy, Debian-Security origins still count; the error is reported and packages lose their archive."""
    runner = FakeRunner("debian-12")
    policy_argv = next(argv for argv in runner.recorded if argv[0] == "apt-cache")
    runner.overrides[policy_argv] = CommandResult(100, "", "E: The package lists or status file could not be parsed or opened.")
    result = apt.collect(runner)
    assert _security(result) == {"curl", "libcurl4", "libssl3", "openssl", "linux-image-amd64"}  # postgresql-15 needs the policy
    assert len(result.errors) == 1 and "apt-cache policy" in result.errors[0]
    assert not any("sourceRepository" in p for p in result.packages)


def test_dpkg_query_and_upgrade_simulation_run_concurrently_when_collecting():
    """The policy lookup after dpkg-query overlaps the slow upgrade simulation, so collection takes the longest, not the sum."""
    # Given: every command takes 0.3 s
    recorded = FakeRunner("debian-12")

    def slow(argv, timeout):
        time.sleep(0.3)
        return recorded(argv, timeout)

    # When
    started = time.monotonic()
    result = apt.collect(slow)
    elapsed = time.monotonic() - started
    # Then: dpkg-query then apt-cache (0.6 s) beside apt-get (0.3 s), not 0.9 s in a row
    assert result.errors == [] and elapsed < 0.85


def test_inst_lines_and_lists_parse_when_apt_3_prints_its_new_layout():
    """apt 3 names its lists "Not upgrading:" and "Not upgrading yet due to phasing:"; the Inst lines are unchanged."""
    text = ("Summary:\n  Upgrading: 1, Installing: 0, Removing: 0, Not Upgrading: 2\n"
            "Not upgrading yet due to phasing:\n  systemd  libsystemd0\n\nNot upgrading:\n  nvidia-driver\n\n"
            "Inst openssl [3.5.1-1] (3.5.1-1+deb13u1 Debian-Security:13/stable-security [amd64])\n")
    sim = apt.parse_upgrade_simulation(text)
    assert sim.deferred == ["systemd", "libsystemd0"] and sim.kept_back == ["nvidia-driver"]
    assert sim.upgrades == [apt.AptUpgrade("openssl", "3.5.1-1", "3.5.1-1+deb13u1", ("Debian-Security:13/stable-security",))]


def test_security_pocket_rules_when_given_origins_and_archives():
    """Security means a -security archive or a *-Security label, never a word inside another label."""
    assert apt.is_security_origin("Debian-Security:12/oldstable-security")
    assert apt.is_security_origin("Debian-Security:10/oldoldstable")  # buster's suite had no -security suffix
    assert apt.is_security_origin("UbuntuESM:22.04/jammy-infra-security")
    assert not apt.is_security_origin("Ubuntu:22.04/jammy-updates")
    assert not apt.is_security_origin("security-tools:1.0/stable")
    assert apt.is_security_source("http://security.debian.org/debian-security buster/updates/main")
    assert apt.is_security_source("http://mirror.example.com/ubuntu noble-security/universe")
    assert not apt.is_security_source("http://deb.debian.org/debian bookworm-updates/main")
