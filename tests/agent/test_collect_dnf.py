"""dnf 4, dnf 5 and yum collection on recorded output: advisories, versionlock, kernels, arches and failures."""
from __future__ import annotations

from patchmon_agent.collectors import dnf
from patchmon_agent.collectors.common import CommandResult
from patchmon_agent.collectors.rpmver import Evr, evr_cmp, parse_evr, split_nevra, vercmp
from tests.agent.command_fixtures import FakeRunner, by_name


def _security(result) -> set[str]:
    return {p["name"] for p in result.packages if p["isSecurityUpdate"]}


def test_security_updates_are_those_of_security_advisories_when_rocky_publishes_updateinfo():
    """Rocky 9: RLSA security advisories flag their packages; bugfix and enhancement updates are not security."""
    # Given
    runner = FakeRunner("rocky-9")
    # When
    result = dnf.collect(runner, tool="dnf")
    # Then
    assert runner.unused() == set() and runner.unknown_calls() == [] and result.errors == []
    assert _security(result) == {"glibc", "java-17-openjdk-headless", "kernel", "kernel-core", "openssl", "openssl-libs"}
    assert {p["name"] for p in result.packages if p["needsUpdate"]} - _security(result) == {"NetworkManager", "tzdata",
                                                                                            "python3-dnf-plugin-versionlock"}


def test_installed_kernels_make_one_record_with_the_newest_when_three_are_installed():
    """Install-only kernels are one record (the server keys by name), at the newest installed version check-update compares with."""
    packages = by_name(dnf.collect(FakeRunner("rocky-9")))
    assert [p["name"] for p in dnf.collect(FakeRunner("rocky-9")).packages].count("kernel") == 1
    assert packages["kernel"] == {
        "name": "kernel", "description": "The Linux kernel, based on version 5.14.0, heavily modified with backports",
        "currentVersion": "5.14.0-503.15.1.el9_5", "availableVersion": "5.14.0-503.16.1.el9_5", "needsUpdate": True,
        "isSecurityUpdate": True, "sourceRepository": "baseos"}


def test_outdated_second_arch_keeps_its_update_when_the_other_arch_is_current():
    """glibc.i686 is behind glibc.x86_64: the update shows, against the i686 version."""
    glibc = by_name(dnf.collect(FakeRunner("rocky-9")))["glibc"]
    assert (glibc["currentVersion"], glibc["availableVersion"], glibc["isSecurityUpdate"]) == ("2.34-100.el9_4.4", "2.34-125.el9_5.1", True)


def test_versionlocked_package_is_held_and_not_upgradable_when_dnf_excludes_it():
    """docker-ce is version-locked: it is held and check-update does not offer it."""
    result = dnf.collect(FakeRunner("rocky-9"))
    assert result.held == ["docker-ce"]
    assert by_name(result)["docker-ce"]["needsUpdate"] is False


def test_epochs_wrapped_rows_and_origins_are_read_when_dnf_prints_them():
    """Epochs stay in versions, a name too long for its column still parses, and a local install's repo is "unknown"."""
    packages = by_name(dnf.collect(FakeRunner("rocky-9")))
    assert (packages["openssl"]["currentVersion"], packages["openssl"]["availableVersion"]) == ("1:3.0.7-28.el9_4", "1:3.2.2-6.el9_5")
    assert packages["python3-dnf-plugin-versionlock"]["availableVersion"] == "4.3.0-16.el9_5"
    assert packages["zabbix-release"]["sourceRepository"] == "unknown"
    assert packages["NetworkManager"]["category"] == "System Environment/Base" and "category" not in packages["bash"]
    assert "gpg-pubkey" not in packages and "grub2-tools" not in packages


def test_dnf5_advisories_and_locks_parse_when_fedora_41_prints_them():
    """Fedora 41 (dnf5): `advisory list` columns and "Package name:" lock blocks are understood."""
    # Given
    runner = FakeRunner("fedora-41")
    # When
    result = dnf.collect(runner, tool="dnf")
    # Then
    assert runner.unused() == set() and result.errors == []
    assert _security(result) == {"firefox", "openssl-libs"}
    assert result.held == ["kernel"]
    assert by_name(result)["kernel"]["currentVersion"] == "6.11.5-300.fc41"


def test_yum_advisories_flag_packages_when_amazon_linux_2_publishes_alas():
    """yum on Amazon Linux 2: ALAS2 and ALAS2KERNEL advisories flag their packages; no versionlock plugin is no error."""
    runner = FakeRunner("amazonlinux-2")
    result = dnf.collect(runner, tool="yum")
    assert runner.unused() == set() and result.errors == [] and result.held == []
    assert _security(result) == {"kernel", "openssl-libs"}
    assert by_name(result)["curl"]["needsUpdate"] is True
    assert by_name(result)["bash"]["sourceRepository"] == "unknown"


def test_legacy_sec_filter_is_tried_when_the_security_option_is_refused():
    """An updateinfo that refuses `--security` is asked again with the legacy `sec` type."""
    recorded = FakeRunner("rocky-9").recorded[("dnf", "-C", "updateinfo", "list", "--security")][1]
    runner = FakeRunner("rocky-9", overrides={
        ("dnf", "-C", "updateinfo", "list", "--security"): CommandResult(2, "", "No such option: --security"),
        ("dnf", "-C", "updateinfo", "list", "sec"): recorded})
    result = dnf.collect(runner)
    assert result.errors == [] and "kernel" in _security(result)


def test_security_failure_is_reported_and_flags_nothing_when_updateinfo_fails():
    """Without updateinfo the updates are still reported, none as security, and the failure is told."""
    failed = CommandResult(1, "", "Error: Cache-only enabled but no cache for 'baseos'")
    runner = FakeRunner("rocky-9", overrides={("dnf", "-C", "updateinfo", "list", "--security"): failed,
                                              ("dnf", "-C", "updateinfo", "list", "sec"): failed})
    result = dnf.collect(runner)
    assert _security(result) == set() and any(p["needsUpdate"] for p in result.packages)
    assert result.errors == ["dnf -C updateinfo ...: exit status 1: Error: Cache-only enabled but no cache for 'baseos'"]


def test_nothing_is_reported_when_check_update_fails():
    """check-update exit 1 is an error, not "no updates": packages stay empty and dnf is not asked further."""
    failed = CommandResult(1, "", "Error: Failed to download metadata for repo 'baseos': Cannot download repomd.xml")
    runner = FakeRunner("rocky-9", overrides={("dnf", "check-update"): failed})
    result = dnf.collect(runner)
    assert result.packages == [] and "Failed to download metadata" in result.errors[0]
    assert ["dnf", "-C", "updateinfo", "list", "--security"] not in runner.calls


def test_rpm_versions_compare_as_rpm_does_when_given_tilde_caret_and_epochs():
    """rpmvercmp: numbers beat letters, ~ sorts first, ^ sorts after the end, epochs win."""
    assert vercmp("5.14.0-503.16.1.el9_5", "5.14.0-503.9.1.el9_5") == 1
    assert vercmp("1.0~rc1", "1.0") == -1 and vercmp("1.0^git1", "1.0") == 1 and vercmp("1.0^git1", "1.0.1") == -1
    assert vercmp("1.05", "1.5") == 0 and vercmp("2.0a", "2.0.1") == -1
    assert evr_cmp(parse_evr("1:1.0-1"), parse_evr("2.0-1")) == 1
    assert split_nevra("java-17-openjdk-headless-1:17.0.13.0.11-3.el9.x86_64") == (
        "java-17-openjdk-headless", Evr(1, "17.0.13.0.11", "3.el9"), "x86_64")


def test_advisory_already_in_the_newest_kernel_is_not_security_when_an_older_kernel_lists_it():
    """dnf lists an advisory while an old kernel is older than its fix; the newest installed kernel already has it."""
    # Given: the advisory fixes 5.14.0-503.14.1 (installed), the update to 503.16.1 is a bugfix
    stale = CommandResult(0, "RLSA-2024:9000 Important/Sec. kernel-5.14.0-503.14.1.el9_5.x86_64\n", "")
    runner = FakeRunner("rocky-9", overrides={("dnf", "-C", "updateinfo", "list", "--security"): stale})
    # When
    kernel = by_name(dnf.collect(runner))["kernel"]
    # Then
    assert (kernel["needsUpdate"], kernel["isSecurityUpdate"]) == (True, False)
