#!/bin/sh
# Record real zypper 1.14 output for the zypper collector: tests/agent/fixtures/zypper-1.14-recorded/.
#
# openSUSE mirrors are out of reach of the build host, but Debian 12 packages zypper 1.14.42 (libzypp
# 17.25), rpm 4.18 and createrepo-c. In a copy of a debootstrapped Debian 12 this script
#   1. builds tiny rpm packages (spec files, no payload) and installs the "old" ones into the rpm database:
#      two kernel-default (multiversion), openssl, an epoch package, a locked package, ...;
#   2. builds an rpm-md repository of the "new" ones with createrepo_c, adds an updateinfo.xml with
#      modifyrepo_c (security, recommended and already-applied patches), adds it with `zypper addrepo`,
#      refreshes it and locks nginx with `zypper addlock`;
#   3. runs the agent's own zypper collector with tests/agent/record_fixtures.py's recording runner, so the
#      recorded argv are exactly the collector's (the chroot also has apt, so the manager is named, not detected).
# test_collect_zypper_recorded.py checks the collector against the packages and patches built here.
#
# Run as root on a Debian 12 host or from a debootstrapped Debian 12 tree (nothing is installed on the host):
#     sudo sh tests/agent/recording/zypper_local_repo.sh [ROOTFS] [WORKDIR]
# ROOTFS defaults to .local/rootfs (a `debootstrap bookworm` tree, left untouched: it is copied to WORKDIR).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/chroot.sh"
R=${2:-/tmp/rec-zypper}/root
OUT=$RECORDING_REPO/tests/agent/fixtures/zypper-1.14-recorded

prepare_root "${1:-$RECORDING_REPO/.local/rootfs}"
apt_in_root zypper rpm createrepo-c python3

cat > "$R/opt/patchmon/inside.sh" <<'INSIDE'
set -eu

# rpm and libzypp must share one database; Debian's rpm keeps a per-user one by default.
mkdir -p /etc/rpm /etc/zypp /var/lib/rpm
echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros
# openSUSE's zypp.conf: kernels are multiversion (installed side by side).
printf '[main]\nmultiversion = provides:multiversion(kernel)\nmultiversion.kernels = latest,latest-1,running\n' > /etc/zypp/zypp.conf
rpm --initdb

TOP=/build
mkdir -p $TOP/SPECS
# spec NAME EPOCH VERSION RELEASE ARCH GROUP SUMMARY [EXTRA-PROVIDES]
spec() {
  file=$TOP/SPECS/$1-$3-$4.spec
  {
    echo "Name: $1"
    [ "$2" = 0 ] || echo "Epoch: $2"
    echo "Version: $3"
    echo "Release: $4"
    echo "BuildArch: $5"
    echo "Group: $6"
    echo "Summary: $7"
    echo "License: MIT"
    echo "Vendor: openSUSE"
    echo "AutoReqProv: no"
    [ -z "${8:-}" ] || echo "Provides: $8"
    echo "%description"
    echo "$7 (PatchMon zypper fixture package, no payload)."
    echo "%files"
  } > "$file"
  rpmbuild -bb --quiet --define "_topdir $TOP" --define "_build_id_links none" --define "debug_package %{nil}" \
    --define "_buildhost fixture.example.com" --define "source_date_epoch_from_changelog 0" "$file"
}
# Installed (old) packages.
spec kernel-default 0 6.4.0 150600.23.22.1 x86_64 System/Kernel "The Standard Kernel" "multiversion(kernel)"
spec kernel-default 0 6.4.0 150600.23.25.1 x86_64 System/Kernel "The Standard Kernel" "multiversion(kernel)"
spec libopenssl3 0 3.1.4 150600.5.10.1 x86_64 Productivity/Networking/Security "Secure Sockets and Transport Layer Security"
spec openssl-3 0 3.1.4 150600.5.10.1 x86_64 Productivity/Networking/Security "Secure Sockets and Transport Layer Security"
spec postfix 1 3.8.4 150600.1.1 x86_64 Productivity/Networking/Email/Servers "A fast, secure, and flexible mailer"
spec timezone 0 2024a 150000.75.28.1 x86_64 System/Base "Timezone Descriptions"
spec nginx 0 1.21.5 150600.8.4 x86_64 Productivity/Networking/Web/Proxy "A HTTP server and IMAP/POP3 proxy server"
spec vim 0 9.1.0330 150500.20.12.1 x86_64 Productivity/Editors/Vi "Vi IMproved"
spec bash 0 4.4 150400.27.3.2 x86_64 System/Shells "The GNU Bourne-Again Shell"
spec ca-certificates-mozilla 0 2.68 150200.33.1 noarch Productivity/Networking/Security "CA certificates for OpenSSL"
rpm -i --nodeps $TOP/RPMS/*/*.rpm
mkdir -p /srv/installed && mv $TOP/RPMS/*/*.rpm /srv/installed/

# Offered (new) packages: the local update repository.
spec kernel-default 0 6.4.0 150600.23.30.1 x86_64 System/Kernel "The Standard Kernel" "multiversion(kernel)"
spec libopenssl3 0 3.1.4 150600.5.15.1 x86_64 Productivity/Networking/Security "Secure Sockets and Transport Layer Security"
spec openssl-3 0 3.1.4 150600.5.15.1 x86_64 Productivity/Networking/Security "Secure Sockets and Transport Layer Security"
spec postfix 1 3.8.4 150600.3.5.1 x86_64 Productivity/Networking/Email/Servers "A fast, secure, and flexible mailer"
spec timezone 0 2024b 150000.75.31.1 x86_64 System/Base "Timezone Descriptions"
spec nginx 0 1.25.3 150600.10.1 x86_64 Productivity/Networking/Web/Proxy "A HTTP server and IMAP/POP3 proxy server"
spec vim 0 9.1.1000 150500.20.20.1 x86_64 Productivity/Editors/Vi "Vi IMproved"
REPO=/srv/repo-update
mkdir -p $REPO
mv $TOP/RPMS/*/*.rpm $REPO/
# The vim of the applied (already installed) patch is in the repository too, as in a real update repository.
cp /srv/installed/vim-9.1.0330-150500.20.12.1.x86_64.rpm $REPO/
createrepo_c --quiet $REPO

pkg() {  # pkg NAME EPOCH VERSION RELEASE ARCH
  echo "        <package name=\"$1\" epoch=\"$2\" version=\"$3\" release=\"$4\" arch=\"$5\" src=\"$1-$3-$4.src.rpm\">"
  echo "          <filename>$1-$3-$4.$5.rpm</filename>"
  echo "        </package>"
}
update() {  # update TYPE ID SEVERITY ISSUED TITLE [CVE], then the packages on stdin
  echo "  <update from=\"security@opensuse.org\" status=\"stable\" type=\"$1\" version=\"1\">"
  echo "    <id>$2</id>"
  echo "    <title>$5</title>"
  echo "    <severity>$3</severity>"
  echo "    <release>openSUSE Leap 15.6 Update</release>"
  echo "    <issued date=\"$4\"/>"
  echo "    <references>"
  [ -z "${6:-}" ] || echo "      <reference href=\"https://www.suse.com/security/cve/$6/\" id=\"$6\" title=\"$6\" type=\"cve\"/>"
  echo "    </references>"
  echo "    <description>$5 (PatchMon zypper fixture).</description>"
  echo "    <pkglist>"
  echo "      <collection>"
  cat
  echo "      </collection>"
  echo "    </pkglist>"
  echo "  </update>"
}
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<updates>'
  { pkg libopenssl3 0 3.1.4 150600.5.15.1 x86_64; pkg openssl-3 0 3.1.4 150600.5.15.1 x86_64
    pkg libopenssl-3-devel 0 3.1.4 150600.5.15.1 x86_64; } |
    update security openSUSE-SU-2026:0001-1 important 1767225600 "Security update for openssl-3" CVE-2026-10001
  pkg kernel-default 0 6.4.0 150600.23.30.1 x86_64 |
    update security openSUSE-SU-2026:0002-1 important 1767312000 "Security update for the Linux Kernel" CVE-2026-10002
  pkg postfix 1 3.8.4 150600.3.5.1 x86_64 |
    update security openSUSE-SU-2026:0003-1 moderate 1767398400 "Security update for postfix" CVE-2026-10003
  pkg timezone 0 2024b 150000.75.31.1 x86_64 |
    update recommended openSUSE-RU-2026:0004-1 low 1767484800 "Recommended update for timezone"
  pkg vim 0 9.1.0330 150500.20.12.1 x86_64 |
    update security openSUSE-SU-2025:0100-1 important 1735689600 "Security update for vim" CVE-2025-10100
  echo '</updates>'
} > /tmp/updateinfo.xml
modifyrepo_c /tmp/updateinfo.xml $REPO/repodata

zypper --non-interactive addrepo --no-gpgcheck --refresh --name "openSUSE Leap 15.6 Update (local fixture repository)" \
  dir:$REPO repo-update
zypper --non-interactive refresh
zypper --non-interactive addlock nginx

INSIDE

in_root sh /opt/patchmon/inside.sh
LABEL="real: Debian 12 chroot, zypper $(deb_version zypper) (libzypp $(deb_version libzypp1722)), rpm $(deb_version rpm),\
 $(date -u +%Y-%m-%d); rpm database and local rpm-md repository with updateinfo.xml built by tests/agent/recording/zypper_local_repo.sh"
record_in_root zypper "$LABEL"
publish etc/zypp/repos.d
dispose_root
