#!/bin/sh
# Record real dnf5 output for tests/agent/fixtures/dnf5-recorded/ (test_collect_dnf5_recorded.py).
#
# Fedora mirrors are out of reach of the build host, but Debian sid packages dnf5 5.4 (libdnf5 with its
# plugins, the versionlock command built into dnf5), rpm and createrepo-c. In a debootstrapped sid chroot
# made to look like Fedora this script
#   1. presents dnf5 as Fedora 41+ does (/usr/bin/dnf -> dnf5), with dnf5's own dnf.conf (Debian installs
#      dnf 4's from dnf-data) and the rpm database in /var/lib/rpm;
#   2. builds tiny empty rpms (rpmbuild) and serves them as local rpm-md repositories with Fedora's repo ids
#      `fedora` (the release) and `updates` (with updateinfo.xml added by modifyrepo_c);
#   3. installs the old versions (a fedora-release-common providing system-release(releasever) = 43, so
#      dnf5 detects the release, two install-only kernel and kernel-core, glibc x86_64 and i686 (both
#      behind their update), epochs 1 and 2, an rpm from a file) and locks vim-minimal with versionlock;
#   4. runs the agent's own dnf collector (the one packages.detect_manager picks for a host with dnf and
#      rpm, tool "dnf") with tests/agent/record_fixtures.py's recording runner, so the recorded argv are
#      exactly the collector's on Fedora. The chroot has apt too, so the collector is called directly.
#
#     sudo tests/agent/recording/dnf5_local_repo.sh [ROOTFS] [WORKDIR]
#
# ROOTFS: an existing `debootstrap --variant=minbase sid` tree to copy (never changed); without it the
# script debootstraps one into WORKDIR/root. WORKDIR/root (WORKDIR defaults to /tmp/rec-dnf5) is replaced,
# and removed at the end. Needs root (debootstrap, chroot, mounts) and deb.debian.org; nothing is
# installed on the host. The fixtures are written to tests/agent/fixtures/dnf5-recorded/ (replaced).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/chroot.sh"
R=${2:-/tmp/rec-dnf5}/root
OUT=$RECORDING_REPO/tests/agent/fixtures/dnf5-recorded

prepare_root "${1:-sid}"
apt_in_root dnf5 rpm createrepo-c python3

cat > "$R/root/record-inside.sh" <<'INSIDE'
set -eu
# --- Fedora's face ----------------------------------------------------------------------------------
ln -sf dnf5 /usr/bin/dnf                         # Fedora 41+: /usr/bin/dnf is dnf5
mkdir -p /etc/rpm
echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros   # Fedora's rpm database location (sid's rpm has it already)
rpm --initdb
# dnf5's own dnf.conf, as Fedora ships it: every option at dnf5's default (Debian's is dnf 4's, from dnf-data).
cat > /etc/dnf/dnf.conf <<'EOF'
# see `man dnf.conf` for defaults and possible options

[main]
EOF
# Debian enables libdnf5's "local" plugin (a local repository of every installed rpm); Fedora does not install it.
sed -i 's/^enabled *=.*/enabled = 0/' /etc/dnf/libdnf5-plugins/local.conf

# --- tiny packages --------------------------------------------------------------------------------
TOP=/srv/build
rm -rf "$TOP" /srv/repo /srv/local
mkdir -p "$TOP/SPECS" /srv/repo/fedora /srv/repo/updates /srv/local

RECIPE=dnf5_local_repo.sh
. /opt/patchmon/rpmbuild.sh

pkg fedora fedora-release-common "" 43 26 noarch "" "Fedora release files" \
    "Provides: system-release = 43-26
Provides: system-release(43)
Provides: system-release(releasever) = 43"
pkg fedora bash "" 5.3.0 2.fc43 x86_64 "" "The GNU Bourne Again shell"
for k in kernel kernel-core; do  # install-only, as Fedora's: both provide installonlypkg(kernel)
    pkg fedora $k "" 6.17.1 300.fc43 x86_64 "" "The Linux kernel" "Provides: installonlypkg(kernel)"
    pkg updates $k "" 6.17.4 200.fc43 x86_64 "" "The Linux kernel" "Provides: installonlypkg(kernel)"
    pkg updates $k "" 6.17.7 200.fc43 x86_64 "" "The Linux kernel" "Provides: installonlypkg(kernel)"
done
for a in x86_64 i686; do
    pkg fedora glibc "" 2.42 4.fc43 $a "" "The GNU libc libraries"
    pkg updates glibc "" 2.42 5.fc43 $a "" "The GNU libc libraries"
done
pkg fedora openssl-libs 1 3.5.1 2.fc43 x86_64 "" "A general purpose cryptography library with TLS implementation"
pkg updates openssl-libs 1 3.5.4 1.fc43 x86_64 "" "A general purpose cryptography library with TLS implementation"
pkg fedora NetworkManager 1 1.54.0 1.fc43 x86_64 "System Environment/Base" "Network connection manager and user applications"
pkg updates NetworkManager 1 1.54.2 1.fc43 x86_64 "System Environment/Base" "Network connection manager and user applications"
pkg fedora tzdata "" 2025b 1.fc43 noarch "" "Timezone data"
pkg updates tzdata "" 2025c 1.fc43 noarch "" "Timezone data"
pkg fedora vim-minimal 2 9.1.1700 1.fc43 x86_64 "" "A minimal version of the VIM editor"
pkg updates vim-minimal 2 9.1.1800 1.fc43 x86_64 "" "A minimal version of the VIM editor"
pkg fedora curl "" 8.15.0 2.fc43 x86_64 "" "A utility for getting files from remote servers (FTP, HTTP, and others)"
pkg updates curl "" 8.15.0 4.fc43 x86_64 "" "A utility for getting files from remote servers (FTP, HTTP, and others)"
pkg fedora firefox "" 144.0 1.fc43 x86_64 "" "Mozilla Firefox Web browser"
pkg updates firefox "" 145.0.1 1.fc43 x86_64 "" "Mozilla Firefox Web browser"
pkg local rpmfusion-free-release "" 43 1 noarch "System Environment/Base" "RPM Fusion (free) Repository Configuration"

# --- advisories (Bodhi's updateinfo.xml format) ------------------------------------------------------
# <pkg> lines: NAME EPOCH VERSION RELEASE ARCH
advisory() {  # ID TYPE SEVERITY TITLE then package lines on stdin
    id=$1 type=$2 severity=$3 title=$4
    echo "  <update from=\"updates@fedoraproject.org\" status=\"stable\" type=\"$type\" version=\"2.0\">"
    echo "    <id>$id</id>"
    echo "    <title>$title</title>"
    echo "    <issued date=\"2026-11-20 01:02:03\"/>"
    echo "    <updated date=\"2026-11-21 04:05:06\"/>"
    echo "    <rights>Copyright (C) 2026 Red Hat, Inc. and others.</rights>"
    echo "    <release>Fedora 43</release>"
    echo "    <severity>$severity</severity>"
    echo "    <summary>$title</summary>"
    echo "    <description>$title</description>"
    echo "    <references/>"
    echo "    <pkglist>"
    echo "      <collection short=\"F43\">"
    echo "        <name>Fedora 43</name>"
    while read -r n e v r a; do
        echo "        <package name=\"$n\" version=\"$v\" release=\"$r\" epoch=\"$e\" arch=\"$a\" src=\"https://example.com/$n-$v-$r.src.rpm\">"
        echo "          <filename>$n-$v-$r.$a.rpm</filename>"
        echo "        </package>"
    done
    echo "      </collection>"
    echo "    </pkglist>"
    echo "  </update>"
}

{
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<updates>'
    advisory FEDORA-2026-0123456789 security Important "kernel-6.17.7-200.fc43 openssl-3.5.4-1.fc43" <<'EOF'
kernel 0 6.17.7 200.fc43 x86_64
kernel-core 0 6.17.7 200.fc43 x86_64
openssl-libs 1 3.5.4 1.fc43 x86_64
EOF
    advisory FEDORA-2026-1a2b3c4d5e security Moderate "glibc-2.42-5.fc43" <<'EOF'
glibc 0 2.42 5.fc43 x86_64
glibc 0 2.42 5.fc43 i686
EOF
    advisory FEDORA-2026-9f8e7d6c5b security Important "kernel-6.17.4-200.fc43 (already the newest installed kernel)" <<'EOF'
kernel 0 6.17.4 200.fc43 x86_64
kernel-core 0 6.17.4 200.fc43 x86_64
EOF
    advisory FEDORA-2026-3c4d5e6f7a security Important "firefox-145.0.1-1.fc43" <<'EOF'
firefox 0 145.0.1 1.fc43 x86_64
EOF
    advisory FEDORA-2026-7a8b9c0d1e security Moderate "vim-9.1.1800-1.fc43 (vim-minimal is version-locked)" <<'EOF'
vim-minimal 2 9.1.1800 1.fc43 x86_64
EOF
    advisory FEDORA-2026-4d5e6f7a8b bugfix None "NetworkManager-1.54.2-1.fc43" <<'EOF'
NetworkManager 1 1.54.2 1.fc43 x86_64
EOF
    advisory FEDORA-2026-6f7a8b9c0d enhancement Low "curl-8.15.0-4.fc43" <<'EOF'
curl 0 8.15.0 4.fc43 x86_64
EOF
    echo '</updates>'
} > /srv/build/updateinfo.xml

for repo in fedora updates; do
    createrepo_c -q /srv/repo/$repo
done
modifyrepo_c --mdtype=updateinfo /srv/build/updateinfo.xml /srv/repo/updates/repodata >/dev/null

rm -f /etc/yum.repos.d/*.repo
mkdir -p /etc/yum.repos.d
cat > /etc/yum.repos.d/fedora.repo <<'EOF'
[fedora]
name=Fedora $releasever - $basearch (local rpm-md copy)
baseurl=file:///srv/repo/fedora
enabled=1
countme=1
metadata_expire=7d
repo_gpgcheck=0
type=rpm
gpgcheck=0
skip_if_unavailable=False
EOF
cat > /etc/yum.repos.d/fedora-updates.repo <<'EOF'
[updates]
name=Fedora $releasever - $basearch - Updates (local rpm-md copy)
baseurl=file:///srv/repo/updates
enabled=1
countme=1
repo_gpgcheck=0
type=rpm
gpgcheck=0
metadata_expire=6h
skip_if_unavailable=False
EOF

# --- the installed system -------------------------------------------------------------------------
q() { dnf -y -q "$@" >/dev/null; }
q --releasever=43 install fedora-release-common   # before it, nothing tells dnf5 the release
q install bash tzdata-2025b-1.fc43 kernel-6.17.1-300.fc43 kernel-core-6.17.1-300.fc43 glibc-2.42-4.fc43.x86_64 \
    openssl-libs-1:3.5.1-2.fc43 NetworkManager-1:1.54.0-1.fc43 vim-minimal-2:9.1.1700-1.fc43 curl-8.15.0-2.fc43 \
    firefox-144.0-1.fc43
q install kernel-6.17.4-200.fc43 kernel-core-6.17.4-200.fc43  # install-only: a second kernel beside the first
q install glibc-2.42-4.fc43.i686  # the arch pair (rpm 6 refuses an i686 older than the installed x86_64)
q install /srv/local/rpmfusion-free-release-43-1.noarch.rpm     # from a file: @commandline
dnf -q versionlock add vim-minimal
dnf --dump-variables | grep -E '^(releasever|basearch) '
dnf clean all >/dev/null  # check-update fetches the metadata again, as on a host whose cache expired

INSIDE

LABEL="real: dnf5 $(in_root dnf5 --version | sed -n 's/^dnf5 version //p') / libdnf5 $(deb_version libdnf5-2) / rpm $(deb_version rpm)\
 / createrepo-c $(deb_version createrepo-c) (Debian sid packages) in a debootstrapped Debian sid chroot made to look like Fedora 43\
 (/usr/bin/dnf -> dnf5), $(date -u +%Y-%m-%d); rpm database and local rpm-md repositories fedora and updates (with\
 updateinfo.xml) built by tests/agent/recording/dnf5_local_repo.sh"
in_root sh /root/record-inside.sh
record_in_root dnf "$LABEL"
publish etc/yum.repos.d
dispose_root
