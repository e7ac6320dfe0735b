#!/bin/sh
# Record real dnf 4.14 output for tests/agent/fixtures/dnf-4.14-recorded/ (test_collect_dnf_recorded.py).
#
# Rocky/RHEL 9 mirrors are out of reach of the build host, but Debian 12 packages the same dnf 4.14.0
# (libdnf 0.69, rpm 4.18, createrepo-c 0.17, dnf-plugins-core 4.3 with versionlock). In a copy of the
# debootstrapped Debian 12 tree this script builds tiny empty rpms (rpmbuild), serves them as three
# local rpm-md repositories (createrepo_c, updateinfo.xml added with modifyrepo_c), installs the old
# versions into an rpm database with dnf, locks two packages with versionlock, and runs the agent's dnf
# collector there with tests/agent/record_fixtures.py, which saves every command it runs (chroot.sh).
#
#     sudo tests/agent/recording/dnf_local_repo.sh [ROOTFS] [WORKDIR]
#
# ROOTFS (default .local/rootfs of this repository) is copied, never changed; WORKDIR (default
# /tmp/rec-dnf) is replaced. Needs root (chroot, mounts) and deb.debian.org; nothing is installed on
# the host. The fixtures are written to tests/agent/fixtures/dnf-4.14-recorded/ (replaced).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/chroot.sh"
R=${2:-/tmp/rec-dnf}/root
OUT=$RECORDING_REPO/tests/agent/fixtures/dnf-4.14-recorded

prepare_root "${1:-$RECORDING_REPO/.local/rootfs}"
apt_in_root dnf rpm createrepo-c dnf-plugins-core python3

cat > "$R/root/record-inside.sh" <<'INSIDE'
set -eu
# RHEL's rpm database location (Debian's rpm defaults to ~/.rpmdb) and Rocky 9's dnf.conf.
mkdir -p /etc/rpm
echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros
rpm --initdb
cat > /etc/dnf/dnf.conf <<'EOF'
[main]
gpgcheck=1
installonly_limit=3
clean_requirements_on_remove=True
best=True
skip_if_unavailable=False
EOF
# Debian enables the local and post-transaction-actions plugins, which RHEL ships in separate packages.
sed -i 's/^enabled *=.*/enabled=0/' /etc/dnf/plugins/local.conf /etc/dnf/plugins/post-transaction-actions.conf

# --- tiny packages --------------------------------------------------------------------------------
TOP=/srv/build
rm -rf "$TOP" /srv/repo
mkdir -p "$TOP/SPECS" /srv/repo/baseos /srv/repo/appstream /srv/repo/docker-ce-stable /srv/local

RECIPE=dnf_local_repo.sh
. /opt/patchmon/rpmbuild.sh

K="The Linux kernel, based on version 5.14.0, heavily modified with backports"
for r in 503.14.1.el9_5 503.15.1.el9_5 503.16.1.el9_5; do pkg baseos kernel "" 5.14.0 $r x86_64 "" "$K"; done
for a in x86_64 i686; do
    for r in 100.el9_4.4 125.el9_5.1; do pkg baseos glibc "" 2.34 $r $a "" "The GNU libc libraries"; done
done
for r in 28.el9_4 6.el9_5; do
    v=3.0.7; [ $r = 6.el9_5 ] && v=3.2.2
    pkg baseos openssl 1 $v $r x86_64 "" "Utilities from the general purpose cryptography library with TLS implementation"
    pkg baseos openssl-libs 1 $v $r x86_64 "" "A general purpose cryptography library with TLS implementation"
done
for r in 2.el9_5 5.el9_5; do
    pkg baseos NetworkManager 1 1.48.10 $r x86_64 "System Environment/Base" "Network connection manager and user applications"
done
pkg baseos tzdata "" 2024b 2.el9 noarch "" "Timezone data"
pkg baseos tzdata "" 2025a 1.el9 noarch "" "Timezone data"
for r in 13.el9 16.el9_5; do
    pkg baseos python3-dnf-plugin-post-transaction-actions "" 4.3.0 $r noarch "" "Post transaction actions Plugin for DNF"
done
pkg baseos bash "" 5.1.8 9.el9 x86_64 "" "The GNU Bourne Again shell"
pkg baseos rocky-release "" 9.5 1.2.el9 noarch "" "Rocky Linux release files" \
    "Provides: system-release = 9.5-1.2.el9
Provides: system-release(releasever) = 9"
pkg appstream java-17-openjdk-headless 1 17.0.13.0.11 3.el9 x86_64 "" "OpenJDK 17 Headless Runtime Environment"
pkg appstream java-17-openjdk-headless 1 17.0.14.0.7 2.el9 x86_64 "" "OpenJDK 17 Headless Runtime Environment"
pkg docker-ce-stable docker-ce 3 27.3.1 1.el9 x86_64 "" "The open-source application container engine"
pkg docker-ce-stable docker-ce 3 27.4.0 1.el9 x86_64 "" "The open-source application container engine"
pkg local zabbix-release "" 7.0 5.el9 noarch "System Environment/Base" "Zabbix official repository configuration"

# --- advisories -----------------------------------------------------------------------------------
# <pkg> lines: NAME EPOCH VERSION RELEASE ARCH
advisory() {  # ID TYPE SEVERITY TITLE then package lines on stdin
    id=$1 type=$2 severity=$3 title=$4
    echo "  <update from=\"releng@rockylinux.org\" status=\"final\" type=\"$type\" version=\"2\">"
    echo "    <id>$id</id>"
    echo "    <title>$title</title>"
    echo "    <issued date=\"2026-11-20 00:00:00\"/>"
    echo "    <updated date=\"2026-11-20 00:00:00\"/>"
    echo "    <rights>Copyright 2026 Rocky Enterprise Software Foundation</rights>"
    echo "    <release>Rocky Linux 9</release>"
    echo "    <severity>$severity</severity>"
    echo "    <summary>$title</summary>"
    echo "    <description>$title</description>"
    echo "    <references/>"
    echo "    <pkglist>"
    echo "      <collection short=\"rocky-linux-9-x86-64-baseos-rpms\">"
    echo "        <name>rocky-linux-9-x86-64-baseos-rpms</name>"
    while read -r n e v r a; do
        echo "        <package name=\"$n\" version=\"$v\" release=\"$r\" epoch=\"$e\" arch=\"$a\">"
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
    advisory RLSA-2026:0001 security Important "Important: kernel and openssl security update" <<'EOF'
kernel 0 5.14.0 503.16.1.el9_5 x86_64
openssl 1 3.2.2 6.el9_5 x86_64
openssl-libs 1 3.2.2 6.el9_5 x86_64
EOF
    advisory RLSA-2026:0002 security Moderate "Moderate: glibc security update" <<'EOF'
glibc 0 2.34 125.el9_5.1 x86_64
glibc 0 2.34 125.el9_5.1 i686
EOF
    advisory RLSA-2025:9000 security Important "Important: kernel security update (already in the newest installed kernel)" <<'EOF'
kernel 0 5.14.0 503.15.1.el9_5 x86_64
EOF
    advisory RLBA-2026:0003 bugfix None "NetworkManager bug fix update" <<'EOF'
NetworkManager 1 1.48.10 5.el9_5 x86_64
EOF
    advisory RLEA-2026:0004 enhancement None "dnf-plugins-core enhancement update" <<'EOF'
python3-dnf-plugin-post-transaction-actions 0 4.3.0 16.el9_5 noarch
EOF
    echo '</updates>'
} > /srv/build/updateinfo-baseos.xml
{
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<updates>'
    advisory RLSA-2026:0006 security Important "Important: java-17-openjdk security update" <<'EOF'
java-17-openjdk-headless 1 17.0.14.0.7 2.el9 x86_64
EOF
    echo '</updates>'
} > /srv/build/updateinfo-appstream.xml

for repo in baseos appstream docker-ce-stable; do
    createrepo_c -q /srv/repo/$repo
done
for repo in baseos appstream; do
    cp /srv/build/updateinfo-$repo.xml /srv/build/updateinfo.xml
    modifyrepo_c --mdtype=updateinfo /srv/build/updateinfo.xml /srv/repo/$repo/repodata >/dev/null
done

rm -f /etc/yum.repos.d/*.repo
mkdir -p /etc/yum.repos.d
cat > /etc/yum.repos.d/rocky.repo <<'EOF'
[baseos]
name=Rocky Linux $releasever - BaseOS (local rpm-md copy)
baseurl=file:///srv/repo/baseos
gpgcheck=0
enabled=1
metadata_expire=6h

[appstream]
name=Rocky Linux $releasever - AppStream (local rpm-md copy)
baseurl=file:///srv/repo/appstream
gpgcheck=0
enabled=1
metadata_expire=6h
EOF
cat > /etc/yum.repos.d/docker-ce.repo <<'EOF'
[docker-ce-stable]
name=Docker CE Stable - $basearch (local rpm-md copy)
baseurl=file:///srv/repo/docker-ce-stable
gpgcheck=0
enabled=1
EOF

# --- the installed system -------------------------------------------------------------------------
q() { dnf -y -q "$@" >/dev/null; }
q install rocky-release bash tzdata-2024b-2.el9 kernel-5.14.0-503.14.1.el9_5 \
    glibc-2.34-125.el9_5.1.x86_64 openssl-1:3.0.7-28.el9_4 openssl-libs-1:3.0.7-28.el9_4 \
    NetworkManager-1:1.48.10-2.el9_5 python3-dnf-plugin-post-transaction-actions-4.3.0-13.el9 \
    java-17-openjdk-headless-1:17.0.13.0.11-3.el9 docker-ce-3:27.3.1-1.el9
q install kernel-5.14.0-503.15.1.el9_5             # install-only: a second kernel beside the first
q install glibc-2.34-100.el9_4.4.i686              # the i686 copy stays behind the x86_64 one
q install --nogpgcheck /srv/local/zabbix-release-7.0-5.el9.noarch.rpm # from a file: @commandline
q versionlock add docker-ce java-17-openjdk-headless
dnf clean all >/dev/null

INSIDE

LABEL="real: dnf $(deb_version dnf | cut -d- -f1) / libdnf $(deb_version libdnf2 | cut -d- -f1) / rpm $(deb_version rpm | cut -d+ -f1)\
 (Debian 12 packages) in a debootstrapped Debian 12 chroot, $(date -u +%Y-%m-%d); rpm database and three local rpm-md\
 repositories (baseos, appstream with updateinfo.xml; docker-ce-stable) built by tests/agent/recording/dnf_local_repo.sh"
in_root sh /root/record-inside.sh
record_in_root dnf "$LABEL"
publish etc/yum.repos.d
dispose_root
