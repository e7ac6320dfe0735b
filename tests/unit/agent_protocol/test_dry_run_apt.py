"""parse_dry_run on `apt-get -s` output, recorded on this repository's Debian 12 build host (apt 2.6.1, LC_ALL=C)."""
from __future__ import annotations

import pathlib

from chalicelib.agent_protocol.dry_run import detect_format, parse_dry_run, requested_vs_affected

ROOT = pathlib.Path(__file__).resolve().parents[3]

# Recorded: `apt-get -s --only-upgrade install bash openssl` (Debian 12 host, bookworm + bookworm-security).
# apt pulls in libssl-dev and libssl3 as dependencies; the trailing "[]" is apt's (empty) list of broken packages.
ONLY_UPGRADE_WITH_DEPENDENCIES = """\
Reading package lists...
Building dependency tree...
Reading state information...
The following additional packages will be installed:
  libssl-dev libssl3
Suggested packages:
  bash-doc libssl-doc
Recommended packages:
  bash-completion
The following packages will be upgraded:
  bash libssl-dev libssl3 openssl
4 upgraded, 0 newly installed, 0 to remove and 132 not upgraded.
Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
Conf bash (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
Inst libssl-dev [3.0.19-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64]) []
Inst libssl3 [3.0.19-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
Inst openssl [3.0.19-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
Conf libssl-dev (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
Conf libssl3 (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
Conf openssl (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
"""

# Recorded: `apt-get -s --only-upgrade install libcurl4 curl libgnutls30` (same host): two release fields in one Inst line.
TWO_ORIGINS = """\
Reading package lists...
Building dependency tree...
Reading state information...
The following additional packages will be installed:
  libcurl3-gnutls libcurl3-nss libgnutls-dane0 libgnutls-openssl27
  libgnutls28-dev libgnutlsxx30
The following packages will be upgraded:
  curl libcurl3-gnutls libcurl3-nss libcurl4 libgnutls-dane0
  libgnutls-openssl27 libgnutls28-dev libgnutls30 libgnutlsxx30
9 upgraded, 0 newly installed, 0 to remove and 127 not upgraded.
Inst libgnutls28-dev [3.7.9-2+deb12u6] (3.7.9-2+deb12u7 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64]) []
Inst libgnutls30 [3.7.9-2+deb12u6] (3.7.9-2+deb12u7 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Conf libgnutls30 (3.7.9-2+deb12u7 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst curl [7.88.1-10+deb12u14] (7.88.1-10+deb12u15 Debian:12.15/oldstable [amd64]) []
Inst libcurl4 [7.88.1-10+deb12u14] (7.88.1-10+deb12u15 Debian:12.15/oldstable [amd64])
Conf libgnutls28-dev (3.7.9-2+deb12u7 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Conf curl (7.88.1-10+deb12u15 Debian:12.15/oldstable [amd64])
Conf libcurl4 (7.88.1-10+deb12u15 Debian:12.15/oldstable [amd64])
"""

# Recorded: `apt-get -s install cowsay` (same host): new packages have no [old version].
NEW_PACKAGES = """\
Reading package lists...
Building dependency tree...
Reading state information...
The following additional packages will be installed:
  libtext-charwidth-perl
Suggested packages:
  filters cowsay-off
The following NEW packages will be installed:
  cowsay libtext-charwidth-perl
0 upgraded, 2 newly installed, 0 to remove and 136 not upgraded.
Inst libtext-charwidth-perl (0.04-11 Debian:12.15/oldstable [amd64])
Inst cowsay (3.03+dfsg2-8 Debian:12.15/oldstable [all])
Conf libtext-charwidth-perl (0.04-11 Debian:12.15/oldstable [amd64])
Conf cowsay (3.03+dfsg2-8 Debian:12.15/oldstable [all])
"""

# Recorded: `apt-get -s remove libpq-dev` (same host).
REMOVAL = """\
Reading package lists...
Building dependency tree...
Reading state information...
The following packages will be REMOVED:
  libpq-dev
0 upgraded, 0 newly installed, 1 to remove and 135 not upgraded.
Remv libpq-dev [15.18-0+deb12u1]
"""

# Recorded: `apt-get -s --only-upgrade install cowsay` (same host): nothing to do for a package that is not installed.
NOTHING_TO_DO = """\
Reading package lists...
Building dependency tree...
Reading state information...
Skipping cowsay, it is not installed and only upgrades are requested.
0 upgraded, 0 newly installed, 0 to remove and 136 not upgraded.
"""


def test_dependencies_of_requested_packages_are_listed_as_upgrades_when_apt_pulls_them_in():
    # When
    packages = parse_dry_run(ONLY_UPGRADE_WITH_DEPENDENCIES)
    # Then
    assert packages == [{"name": "bash", "version": "5.2.15-2+b13", "action": "upgrade"},
                        {"name": "libssl-dev", "version": "3.0.22-1~deb12u2", "action": "upgrade"},
                        {"name": "libssl3", "version": "3.0.22-1~deb12u2", "action": "upgrade"},
                        {"name": "openssl", "version": "3.0.22-1~deb12u2", "action": "upgrade"}]
    assert requested_vs_affected(["bash", "openssl"], packages) == ["libssl-dev", "libssl3"]


def test_new_version_is_read_when_the_inst_line_has_two_origins():
    packages = parse_dry_run(TWO_ORIGINS)
    assert [(p["name"], p["version"]) for p in packages] == [("libgnutls28-dev", "3.7.9-2+deb12u7"), ("libgnutls30", "3.7.9-2+deb12u7"),
                                                             ("curl", "7.88.1-10+deb12u15"), ("libcurl4", "7.88.1-10+deb12u15")]


def test_packages_without_an_installed_version_are_installs_when_simulated():
    assert parse_dry_run(NEW_PACKAGES) == [{"name": "libtext-charwidth-perl", "version": "0.04-11", "action": "install"},
                                           {"name": "cowsay", "version": "3.03+dfsg2-8", "action": "install"}]


def test_remv_line_is_a_removal_of_the_installed_version_when_simulated():
    assert parse_dry_run(REMOVAL) == [{"name": "libpq-dev", "version": "15.18-0+deb12u1", "action": "remove"}]


def test_nothing_to_do_is_apt_with_no_packages_when_simulated():
    assert detect_format(NOTHING_TO_DO) == "apt"
    assert parse_dry_run(NOTHING_TO_DO) == []


def test_every_inst_line_of_a_full_upgrade_is_listed_when_parsed():
    """The recorded `apt-get --simulate --with-new-pkgs upgrade` of the collector tests: 106 upgrades, Conf lines ignored."""
    text = (ROOT / "tests/agent/fixtures/debian-12-host/apt-get-s-upgrade.stdout").read_text()
    packages = parse_dry_run(text)
    assert len(packages) == 106 == text.count("\nInst ")
    assert {p["action"] for p in packages} == {"upgrade"}
    assert packages[0] == {"name": "base-files", "version": "12.4+deb12u15", "action": "upgrade"}
