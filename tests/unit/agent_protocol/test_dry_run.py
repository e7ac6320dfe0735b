"""parse_dry_run on zypper and pacman output, format detection, de-duplication and the extra-dependency list.

The zypper and pacman samples are synthetic: hand-written in the layout zypper 1.14 (openSUSE Leap 15.6)
prints for `--non-interactive update --dry-run`, and of `pacman -S -p` / `pacman -Syu -p` (pacman 7,
Arch Linux), with real package names and versions of those distributions.
"""
from __future__ import annotations

import pytest

from chalicelib.agent_protocol.dry_run import detect_format, parse_dry_run, requested_vs_affected

# Synthetic, zypper 1.14: blocks of names under "The following ..." headers; other blocks (recommended, not
# installed, reboot) name packages that are not changed by this transaction, or that are listed elsewhere too.
ZYPPER = """\
Refreshing service 'openSUSE'.
Loading repository data...
Reading installed packages...
Resolving package dependencies...

The following 2 NEW packages are going to be installed:
  kernel-default-6.4.0-150600.23.25.1 libnghttp3-3

The following 3 package updates will NOT be installed:
  cups cups-client libcups2

The following 9 packages are going to be upgraded:
  curl libcurl4 libopenssl1_1 libopenssl3 libopenssl3-32bit openssl-1_1
  openssl-3 libzypp zypper

The following package is going to be REMOVED:
  kernel-default-6.4.0-150600.23.17.1

The following recommended package was automatically selected:
  libnghttp3-3

The following package requires a system reboot:
  kernel-default-6.4.0-150600.23.25.1

9 packages to upgrade, 2 new, 1 to remove.
Overall download size: 14.2 MiB. Already cached: 0 B. After the operation, additional 45.6 MiB will be used.

    Note: System reboot required.
Continue? [y/n/v/...? shows all options] (y): y
"""

ZYPPER_SINGLE = """\
Loading repository data...
Reading installed packages...
Resolving package dependencies...

The following package is going to be upgraded:
  vim

1 package to upgrade.
Overall download size: 1.8 MiB. Already cached: 0 B. After the operation, additional 12.0 KiB will be used.
Continue? [y/n/v/...? shows all options] (y): y
"""

ZYPPER_NOTHING = """\
Loading repository data...
Reading installed packages...
Resolving package dependencies...
Nothing to do.
"""

# Synthetic, pacman 7: `pacman -Syu -p` prints the sync progress, then one URL per archive (file:// when cached).
PACMAN_UPGRADE = """\
:: Synchronizing package databases...
 core downloading...
 extra downloading...
:: Starting full system upgrade...
https://geo.mirror.pkgbuild.com/core/os/x86_64/openssl-3.4.0-1-x86_64.pkg.tar.zst
https://geo.mirror.pkgbuild.com/core/os/x86_64/systemd-libs-256.8-1-x86_64.pkg.tar.zst
https://geo.mirror.pkgbuild.com/extra/os/x86_64/python-3.12.7-1-x86_64.pkg.tar.zst
file:///var/cache/pacman/pkg/linux-6.11.9.arch1-1-x86_64.pkg.tar.zst
https://geo.mirror.pkgbuild.com/extra/os/x86_64/go-2:1.23.3-1-x86_64.pkg.tar.zst
https://geo.mirror.pkgbuild.com/core/os/any/tzdata-2024b-2-any.pkg.tar.zst
"""

# Synthetic, `pacman -S -p openssl`: a plain path, an older .xz archive, and an escaped epoch.
PACMAN_PACKAGE = """\
/var/cache/pacman/pkg/openssl-3.4.0-1-x86_64.pkg.tar.zst
https://mirror.example.com/archlinux/core/os/x86_64/ca-certificates-utils-20240618-1-any.pkg.tar.xz
https://mirror.example.com/archlinux/extra/os/x86_64/go-2%3A1.23.3-1-x86_64.pkg.tar.zst
"""


def test_zypper_blocks_are_read_by_action_and_informational_blocks_skipped_when_parsed():
    # When
    packages = parse_dry_run(ZYPPER)
    # Then
    assert [(p["name"], p["action"]) for p in packages] == [
        ("kernel-default-6.4.0-150600.23.25.1", "install"), ("libnghttp3-3", "install"),
        ("curl", "upgrade"), ("libcurl4", "upgrade"), ("libopenssl1_1", "upgrade"), ("libopenssl3", "upgrade"),
        ("libopenssl3-32bit", "upgrade"), ("openssl-1_1", "upgrade"), ("openssl-3", "upgrade"), ("libzypp", "upgrade"),
        ("zypper", "upgrade"), ("kernel-default-6.4.0-150600.23.17.1", "remove"),
    ]
    assert {p["version"] for p in packages} == {None}


def test_zypper_singular_header_is_read_when_one_package_changes():
    assert parse_dry_run(ZYPPER_SINGLE) == [{"name": "vim", "version": None, "action": "upgrade"}]


def test_zypper_nothing_to_do_has_no_packages_when_parsed():
    assert detect_format(ZYPPER_NOTHING) == "zypper"
    assert parse_dry_run(ZYPPER_NOTHING) == []


def test_pacman_archive_names_give_name_and_version_when_parsed():
    assert [(p["name"], p["version"]) for p in parse_dry_run(PACMAN_UPGRADE)] == [
        ("openssl", "3.4.0-1"), ("systemd-libs", "256.8-1"), ("python", "3.12.7-1"), ("linux", "6.11.9.arch1-1"),
        ("go", "2:1.23.3-1"), ("tzdata", "2024b-2"),
    ]


def test_pacman_paths_older_archives_and_escaped_epochs_are_read_when_parsed():
    assert parse_dry_run(PACMAN_PACKAGE) == [{"name": "openssl", "version": "3.4.0-1", "action": "upgrade"},
                                             {"name": "ca-certificates-utils", "version": "20240618-1", "action": "upgrade"},
                                             {"name": "go", "version": "2:1.23.3-1", "action": "upgrade"}]


@pytest.mark.parametrize(("text", "expected"), [(ZYPPER, "zypper"), (PACMAN_UPGRADE, "pacman"), (PACMAN_PACKAGE, "pacman"),
                                                ("", None), ("error: failed to init transaction\n", None)])
def test_format_is_recognised_from_the_text_when_detected(text, expected):
    assert detect_format(text) == expected


def test_unknown_output_has_no_packages_when_parsed():
    assert parse_dry_run("Permission denied\n") == []


def test_whole_run_stream_with_command_line_and_trailer_is_parsed_like_the_tool_output():
    """The server parses the stored output of a run: the `$` line and the trailer change nothing."""
    stream = "$ pacman -S -p openssl\n" + PACMAN_PACKAGE + "--- Patch run Dry run completed at 2024-11-26T10:00:00Z ---\n"
    assert parse_dry_run(stream) == parse_dry_run(PACMAN_PACKAGE)


def test_a_package_listed_twice_for_one_action_appears_once_in_first_place():
    text = "Inst b [1] (2 Debian:12/stable [amd64])\nInst a (1 Debian:12/stable [all])\nInst b [1] (2 Debian:12/stable [amd64])\n"
    assert [p["name"] for p in parse_dry_run(text)] == ["b", "a"]


def test_extra_names_are_those_not_requested_in_order_and_once_when_compared():
    affected = [{"name": "openssl"}, {"name": "libssl3:amd64"}, {"name": "libssl3"}, {"name": "zlib1g", "action": "remove"}, "tzdata"]
    assert requested_vs_affected(["openssl", "libssl3"], affected) == ["zlib1g", "tzdata"]
    assert requested_vs_affected(["openssl"], []) == []
