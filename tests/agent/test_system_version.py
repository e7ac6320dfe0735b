"""Version ordering and kernel release splitting used by the reboot rules."""
from __future__ import annotations

import pytest

from patchmon_agent.system.files import Root
from patchmon_agent.system.kernel import installed_releases, newest_same_flavour, parse_rpm_release, split_release
from patchmon_agent.system.version import vercmp
from tests.agent.system_fakes import case_root

# From rpm's own rpmvercmp test table, plus kernel strings seen in PatchMon bug reports.
ORDER = [
    ("1.0", "1.0", 0), ("1.0", "2.0", -1), ("2.0.1", "2.0", 1), ("2.0.1a", "2.0.1", 1), ("5.5p1", "5.5p2", -1), ("5.5p10", "5.5p1", 1),
    ("10xyz", "10.1xyz", -1), ("xyz.4", "8", -1), ("6.0.rc1", "6.0", 1), ("10b2", "10a1", 1), ("10.0001", "10.0039", -1),
    ("2.0", "2_0", 0), ("+a", "_a", 0), ("1.0~rc1", "1.0", -1), ("1.0~rc1~git123", "1.0~rc1", -1), ("1.0^", "1.0", 1),
    ("1.0^git1", "1.01", -1), ("1.0^20160101^git1", "1.0^20160102", -1), ("1.0~rc1^git1", "1.0~rc1", 1),
    ("362.24.1.el9_3", "362.8.1.el9_3", 1), ("427.13.1.el9_4", "70.13.1.el9_0", 1), ("6.8.0-100", "6.8.0-31", 1),
    ("6.12.90+deb13.1", "6.12.90+deb13", 1), ("6.8.2.arch1-1", "6.8.2-arch1-1", 0),
]


@pytest.mark.parametrize(("left", "right", "expected"), ORDER)
def test_versions_order_like_rpmvercmp_when_compared(left, right, expected):
    """Digit runs compare as numbers, tilde sorts first, caret after the end, and the order is antisymmetric."""
    assert (vercmp(left, right), vercmp(right, left)) == (expected, -expected)


@pytest.mark.parametrize(("release", "version", "flavour"), [
    ("6.1.0-18-amd64", "6.1.0-18", "amd64"), ("6.1.0-18-cloud-amd64", "6.1.0-18", "cloud-amd64"),
    ("6.12.74+deb13+1-rt-amd64", "6.12.74+deb13+1", "rt-amd64"), ("6.12.90+deb13.1-amd64", "6.12.90+deb13.1", "amd64"),
    ("6.8.0-88-generic", "6.8.0-88", "generic"), ("5.15.0-1050-aws", "5.15.0-1050", "aws"),
    ("6.12.62+rpt-rpi-2712", "6.12.62+rpt", "rpi-2712"), ("6.12.62+rpt-rpi-v8", "6.12.62+rpt", "rpi-v8"),
    ("6.1.0-rpi7-rpi-v8", "6.1.0-rpi7", "rpi-v8"), ("6.8.12-4-pve", "6.8.12-4", "pve"), ("6.6.22-0-lts", "6.6.22-0", "lts"),
    ("6.4.0-150600.23.25-default", "6.4.0-150600.23.25", "default"), ("6.8.2-zen1-1-zen", "6.8.2-zen1-1", "zen"), ("6.9.0", "6.9.0", ""),
])
def test_release_splits_into_version_and_whole_flavour_when_parsed(release, version, flavour):
    """Sibling flavours (rpi-v7/rpi-v8, cloud-amd64/amd64) stay distinct because the flavour is kept whole."""
    assert split_release(release) == (version, flavour)


def test_rpm_release_parses_arch_and_variant_when_present():
    """An RPM kernel release splits into version, release, arch and the +variant suffix."""
    parsed = parse_rpm_release("5.14.0-362.24.1.el9_3.aarch64+64k")
    assert parsed is not None and (parsed.base, parsed.variant) == ("5.14.0-362.24.1.el9_3.aarch64", "64k")
    assert parse_rpm_release("6.1.0-18-amd64") is None


def test_newest_same_flavour_ignores_other_flavours_when_they_are_newer():
    """A newer generic amd64 kernel is not the newest installed kernel of a cloud-amd64 host."""
    assert newest_same_flavour("6.1.0-17-cloud-amd64", ["6.1.0-20-amd64", "6.1.0-17-cloud-amd64", "6.1.0-18-cloud-amd64"]) == "6.1.0-18-cloud-amd64"


def test_installed_releases_skip_rescue_images_when_boot_has_them(tmp_path):
    """/boot/vmlinuz-0-rescue-<id> and flavour-named images (vmlinuz-lts) are not kernel releases."""
    (tmp_path / "boot").mkdir()
    for name in ("vmlinuz-0-rescue-0123abcd", "vmlinuz-lts", "vmlinuz-5.14.0-427.13.1.el9_4.x86_64", "initramfs-5.14.0.img"):
        (tmp_path / "boot" / name).write_text("")
    assert installed_releases(Root(str(tmp_path))) == ["5.14.0-427.13.1.el9_4.x86_64"]


def test_installed_releases_list_every_boot_image_when_several_kernels_exist():
    """Both Ubuntu 24.04 kernels in /boot are found (the minimized image keeps the old one)."""
    assert installed_releases(Root(case_root("ubuntu-24.04"))) == ["6.8.0-100-generic", "6.8.0-31-generic"]
