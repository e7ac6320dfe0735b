#!/bin/sh
# Record real pacman 7.0 output for tests/agent/fixtures/pacman-7.0-recorded/ (test_collect_pacman_recorded.py).
#
# Arch mirrors are out of reach of the build host, but Debian 13 "trixie" packages pacman 7.0.0 (libalpm
# 15, `pacman-package-manager`, the pacman Arch runs) and makepkg. In a debootstrapped trixie chroot this
# script
#   1. writes Arch's pacman.conf (IgnorePkg = linux-lts, IgnoreGroup = xorg) with [core] and [extra] served
#      from local file:// repositories through /etc/pacman.d/mirrorlist;
#   2. builds tiny packages with makepkg (as an unprivileged user: makepkg refuses root), publishes the old
#      versions with repo-add, installs them with `pacman -S` (tzdata --asdeps) and a foreign package (yay,
#      in no repository) with `pacman -U` from its file;
#   3. publishes the new versions (`repo-add -R`), refreshes the sync databases (`pacman -Syy`), and
#      runs the agent's own pacman collector with tests/agent/record_fixtures.py's recording runner, so
#      the recorded argv are exactly the collector's. Debian packages no pacman-contrib, so `checkupdates`
#      is missing, as on an Arch host without pacman-contrib: the collector sees exit 127 and falls back
#      to `pacman -Qu` (both recorded). The chroot has apt too, so the pacman collector is called
#      directly, not found by detection.
#
#     sudo tests/agent/recording/pacman_local_repo.sh [ROOTFS] [WORKDIR]
#
# ROOTFS: an existing `debootstrap --variant=minbase trixie` tree to copy (never changed); without it the
# script debootstraps one into WORKDIR/root. WORKDIR/root (WORKDIR defaults to /tmp/rec-pacman) is replaced,
# and removed at the end. Needs root (debootstrap, chroot, mounts) and deb.debian.org; nothing is
# installed on the host.
# The fixtures are written to tests/agent/fixtures/pacman-7.0-recorded/ (replaced).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/chroot.sh"
R=${2:-/tmp/rec-pacman}/root
OUT=$RECORDING_REPO/tests/agent/fixtures/pacman-7.0-recorded

prepare_root "${1:-trixie}"
apt_in_root pacman-package-manager makepkg fakeroot libarchive-tools zstd python3

cat > "$R/root/record-inside.sh" <<'INSIDE'
set -eu

# --- Arch's pacman.conf (pacman 7.0.0-1 of Arch), with the fixture's holds and unsigned local repositories ---
cat > /etc/pacman.conf <<'EOF'
#
# /etc/pacman.conf
#
# See the pacman.conf(5) manpage for option and repository directives

#
# GENERAL OPTIONS
#
[options]
# The following paths are commented out with their default values listed.
# If you wish to use different paths, uncomment and update the paths.
#RootDir     = /
#DBPath      = /var/lib/pacman/
#CacheDir    = /var/cache/pacman/pkg/
#LogFile     = /var/log/pacman.log
#GPGDir      = /etc/pacman.d/gnupg/
#HookDir     = /etc/pacman.d/hooks/
HoldPkg     = pacman glibc
#XferCommand = /usr/bin/curl -L -C - -f -o %o %u
#XferCommand = /usr/bin/wget --passive-ftp -c -O %o %u
#CleanMethod = KeepInstalled
Architecture = auto

# Pacman won't upgrade packages listed in IgnorePkg and members of IgnoreGroup
IgnorePkg   = linux-lts
IgnoreGroup = xorg

#NoUpgrade   =
#NoExtract   =

# Misc options
#UseSyslog
#Color
#NoProgressBar
CheckSpace
#VerbosePkgLists
ParallelDownloads = 5
DownloadUser = alpm
#DisableSandbox

# By default, pacman accepts packages signed by keys that its local keyring
# trusts (see pacman-key and its man page), as well as unsigned packages.
SigLevel    = Required DatabaseOptional
LocalFileSigLevel = Optional
#RemoteFileSigLevel = Required

#
# REPOSITORIES
#   - can be defined here or included from another file
#   - pacman will search repositories in the order defined here
#   - local/custom mirrors can be added here or in separate files
#   - repositories listed first will take precedence when packages
#     have identical names, regardless of version number
#   - URLs will have $repo replaced by the name of the current repo
#   - URLs will have $arch replaced by the name of the architecture
#

# PatchMon fixture: the local [core] and [extra] of tests/agent/recording/pacman_local_repo.sh are unsigned.
[core]
SigLevel = Optional TrustAll
Include = /etc/pacman.d/mirrorlist

[extra]
SigLevel = Optional TrustAll
Include = /etc/pacman.d/mirrorlist

# If you want to run 32 bit applications on your x86_64 system,
# enable the multilib repositories as required here.

#[multilib]
#Include = /etc/pacman.d/mirrorlist
EOF
mkdir -p /etc/pacman.d
cat > /etc/pacman.d/mirrorlist <<'EOF'
##
## Arch Linux repository mirrorlist
## PatchMon fixture: the local repositories built by tests/agent/recording/pacman_local_repo.sh
##

## Local
Server = file:///srv/pacman/$repo/os/$arch
## Worldwide
#Server = https://geo.mirror.pkgbuild.com/$repo/os/$arch
EOF
# CheckSpace reads /etc/mtab, which Arch's filesystem package links to the kernel's mount table.
[ -e /etc/mtab ] || ln -s ../proc/self/mounts /etc/mtab
# Arch's pacman package creates the download user of DownloadUser (systemd-sysusers); Debian's does not.
id alpm >/dev/null 2>&1 || useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin alpm
mkdir -p /var/lib/pacman /var/cache/pacman/pkg /srv/pacman/core/os/x86_64 /srv/pacman/extra/os/x86_64 /srv/pacman/local

# --- tiny packages, built with makepkg ---------------------------------------------------------------
id builder >/dev/null 2>&1 || useradd -m builder
B=/home/builder/build
rm -rf "$B" && mkdir -p "$B/out"
# pkg STAGE REPO NAME [EPOCH:]VERSION-REL "DESCRIPTION" "GROUPS" "DEPENDS" "OPTDEPENDS(|-separated)"
# STAGE old: published first and installed; new: published afterwards as the update; both: never updated.
pkg() {
    stage=$1 repo=$2 name=$3 evr=$4 desc=$5 groups=$6 depends=$7 optdepends=$8
    epoch=0 ver=${evr%-*} rel=${evr##*-}
    case $ver in *:*) epoch=${ver%%:*} ver=${ver#*:} ;; esac
    d="$B/$stage-$repo-$name-$epoch-$ver-$rel"
    mkdir -p "$d"
    {
        echo "pkgname=$name"
        [ "$epoch" = 0 ] || echo "epoch=$epoch"
        echo "pkgver=$ver"
        echo "pkgrel=$rel"
        echo "pkgdesc=\"$desc\""
        echo "arch=(x86_64)"
        echo "url=\"https://example.com/$name\""
        echo "license=(MIT)"
        echo "groups=($groups)"
        echo "depends=($depends)"
        printf 'optdepends=('
        printf '%s\n' "$optdepends" | tr '|' '\n' | while IFS= read -r o; do [ -z "$o" ] || printf "'%s' " "$o"; done
        echo ')'
        echo "options=(!strip !debug !zipman)"
        echo 'package() {'
        echo '    mkdir -p "$pkgdir/usr/share/doc/$pkgname"'
        echo '    echo "$pkgname $epoch:$pkgver-$pkgrel: PatchMon pacman fixture package" > "$pkgdir/usr/share/doc/$pkgname/README"'
        echo '}'
    } > "$d/PKGBUILD"
    case $stage in old|both) when=1732000000 ;; *) when=1733800000 ;; esac
    chown -R builder "$B"
    su builder -c "cd '$d' && SOURCE_DATE_EPOCH=$when PKGDEST='$d' PKGEXT=.pkg.tar.zst \
        PACKAGER='PatchMon Fixture <packager@example.com>' makepkg --nodeps --noconfirm -f >/dev/null 2>&1"
    printf '%s %s %s\n' "$stage" "$repo" "$(ls "$d"/*.pkg.tar.zst)" >> "$B/out/list"
}
#   stage repo  name        [epoch:]version-rel             description                                  groups depends optdepends
pkg both  core  bash        5.2.037-1                       "The GNU Bourne Again shell"                 "" "glibc" ""
pkg old   core  glibc       2.40+r16+gaa533d58ff-1          "GNU C Library"                              "" "" ""
pkg new   core  glibc       2.40+r16+gaa533d58ff-2          "GNU C Library"                              "" "" ""
pkg old   core  linux       6.12.1.arch1-1                  "The Linux kernel and modules"               "" "" \
    "wireless-regdb: to set the correct wireless channels of your country|linux-firmware: firmware images needed for some devices"
pkg new   core  linux       6.12.4.arch1-1                  "The Linux kernel and modules"               "" "" \
    "wireless-regdb: to set the correct wireless channels of your country|linux-firmware: firmware images needed for some devices"
pkg old   core  linux-lts   6.6.63-1                        "The LTS Linux kernel and modules"           "" "" ""
pkg new   core  linux-lts   6.6.65-1                        "The LTS Linux kernel and modules"           "" "" ""
pkg old   core  openssl     3.4.0-1                         "The Open Source toolkit for Secure Sockets Layer and Transport Layer Security" "" "glibc" ""
pkg new   core  openssl     3.4.0-2                         "The Open Source toolkit for Secure Sockets Layer and Transport Layer Security" "" "glibc" ""
pkg old   core  zlib        1:1.3.1-2                       "Compression library implementing the deflate compression method found in gzip and PKZIP" "" "glibc" ""
pkg new   core  zlib        1:1.3.1-3                       "Compression library implementing the deflate compression method found in gzip and PKZIP" "" "glibc" ""
pkg old   core  tzdata      2024b-2                         "Sources for time zone and daylight saving time data" "" "" ""
pkg new   core  tzdata      2025a-1                         "Sources for time zone and daylight saving time data" "" "" ""
pkg both  core  gcc         14.2.1+r134+gab884fffe3fc-1     "The GNU Compiler Collection - C and C++ frontends" "" "glibc" ""
pkg old   extra firefox     133.0-1                         "Fast, Private & Safe Web Browser"           "" "glibc" "speech-dispatcher: Text-to-Speech"
pkg new   extra firefox     133.0.3-1                       "Fast, Private & Safe Web Browser"           "" "glibc" "speech-dispatcher: Text-to-Speech"
pkg old   extra nginx       1.26.2-3                        "Lightweight HTTP server and IMAP/POP3 proxy server" "" "openssl zlib glibc" ""
pkg new   extra nginx       1.26.2-4                        "Lightweight HTTP server and IMAP/POP3 proxy server" "" "openssl zlib glibc" ""
pkg old   extra vim         9.1.0866-1                      "Vi Improved, a highly configurable, improved version of the vi text editor" "" "glibc" ""
pkg new   extra vim         9.1.0920-1                      "Vi Improved, a highly configurable, improved version of the vi text editor" "" "glibc" ""
pkg old   extra xorg-server 21.1.14-1                       "Xorg X server"                              "xorg" "glibc" ""
pkg new   extra xorg-server 21.1.15-1                       "Xorg X server"                              "xorg" "glibc" ""
pkg both  extra xorg-xauth  1.1.3-1                         "X.Org authorization settings program"       "xorg" "glibc" ""
pkg old   local yay         12.4.2-1                        "Yet another yogurt. Pacman wrapper and AUR helper written in go." "" "" ""

publish() {  # publish STAGE...: repo-add the packages of those stages, replacing (-R) what they update
    for stage in "$@"; do
        while read -r s repo file; do
            [ "$s" = "$stage" ] || continue
            dir=/srv/pacman/$repo/os/x86_64
            [ "$repo" = local ] && dir=/srv/pacman/local
            cp "$file" "$dir/"
            [ "$repo" = local ] || repo-add -q -R "$dir/$repo.db.tar.gz" "$dir/$(basename "$file")"
        done < "$B/out/list"
    done
}

# --- the installed system: the old versions from the repositories, yay from its file ---------------
publish both old
pacman -Sy --noconfirm >/dev/null
pacman -S --noconfirm bash linux linux-lts firefox nginx vim xorg-server xorg-xauth >/dev/null
pacman -S --noconfirm --asdeps tzdata >/dev/null  # glibc, openssl and zlib came in as dependencies
pacman -U --noconfirm /srv/pacman/local/yay-12.4.2-1-x86_64.pkg.tar.zst >/dev/null

# --- the updates: new versions published, the sync databases refreshed -----------------------------
publish new
# -Syy: a database rewritten within the second of the last sync looks unchanged to -Sy (If-Modified-Since).
pacman -Syy --noconfirm >/dev/null
pacman -Scc --noconfirm >/dev/null 2>&1 || true

INSIDE

LABEL="real: pacman $(deb_version pacman-package-manager | cut -d- -f1) / libalpm $(deb_version libalpm15 | cut -d- -f1) (Debian 13\
 trixie package pacman-package-manager $(deb_version pacman-package-manager)) in a debootstrapped Debian 13 chroot,\
 $(date -u +%Y-%m-%d); local [core] and [extra] repositories (repo-add) of makepkg-built packages, built by\
 tests/agent/recording/pacman_local_repo.sh; no pacman-contrib, so no checkupdates"
in_root sh /root/record-inside.sh
record_in_root pacman "$LABEL"
publish etc/pacman.conf etc/pacman.d/mirrorlist
dispose_root
