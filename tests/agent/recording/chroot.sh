# Sourced by the recording recipes beside it: a disposable Debian chroot holding our agent and the fixture
# recorder, in which a package manager is made to look like another distribution's and recorded.
#
# The recipe sets R (the chroot) and OUT (its fixture directory), then:
#   prepare_root SOURCE        SOURCE: a Debian tree to copy (never changed) or a suite to debootstrap;
#                              mounts proc, sys, dev and "/" on itself (as arch-chroot), puts the agent and
#                              tests/agent/record_fixtures.py in /opt/patchmon, unmounts on exit
#   in_root CMD...             CMD in the chroot, with a clean environment (LC_ALL=C)
#   apt_in_root PACKAGE...     install Debian packages in the chroot
#   deb_version PACKAGE        a Debian package's version in the chroot
#   record_in_root MANAGER LABEL   the agent's MANAGER collector, every command it runs saved in /srv/fixtures
#   publish FILE...            the recording into OUT (replaced), with FILEs of the chroot (etc/...) under OUT/root
#   dispose_root               unmount and remove the chroot
# Needs root (debootstrap, chroot, mounts) and deb.debian.org; nothing is installed on the host.

RECORDING_REPO=$(cd "$(dirname "$0")/../../.." && pwd)

unmount_root() {
    for m in dev/pts dev sys proc ""; do
        if mountpoint -q "$R/$m"; then umount -l "$R/$m"; fi
    done
}

prepare_root() {
    if grep -q -e " $R/" -e " $R " /proc/mounts; then echo "$R still has mounts; unmount them first" >&2; exit 2; fi
    trap unmount_root EXIT INT TERM
    rm -rf "$R"
    mkdir -p "$(dirname "$R")"
    if [ -d "$1" ]; then
        [ -d "$1/etc/apt" ] || { echo "no Debian tree at $1" >&2; exit 2; }
        cp -a "$1" "$R"
    else
        debootstrap --variant=minbase "$1" "$R" http://deb.debian.org/debian >/dev/null
    fi
    cp /etc/resolv.conf "$R/etc/resolv.conf"
    mount --bind "$R" "$R"  # "/" in the chroot's mount table: pacman's CheckSpace reads it
    mount -t proc proc "$R/proc"
    mount --rbind /sys "$R/sys" && mount --make-rslave "$R/sys"
    mount --bind /dev "$R/dev"
    mount --bind /dev/pts "$R/dev/pts"
    mkdir -p "$R/opt/patchmon"
    cp -a "$RECORDING_REPO/agent/patchmon_agent" "$R/opt/patchmon/"
    cp "$RECORDING_REPO/tests/agent/record_fixtures.py" "$RECORDING_REPO/tests/agent/recording/rpmbuild.sh" "$R/opt/patchmon/"
    find "$R/opt/patchmon" -name __pycache__ -prune -exec rm -rf {} +
}

in_root() {
    chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

apt_in_root() {
    # sid's Release file carries a Valid-Until that a build host whose clock is ahead would refuse.
    in_root apt-get -o Acquire::Check-Valid-Until=false update -qq
    in_root apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

deb_version() {
    chroot "$R" dpkg-query -W -f '${Version}' "$1"
}

record_in_root() {
    rm -rf "$R/srv/fixtures"
    in_root sh -c 'cd /opt/patchmon && PYTHONPATH=/opt/patchmon python3 record_fixtures.py /opt/patchmon /srv/fixtures "$2" "$1"' \
        record "$1" "$2"
}

publish() {
    rm -rf "$OUT"
    mkdir -p "$OUT"
    cp "$R"/srv/fixtures/* "$OUT/"
    for file in "$@"; do
        mkdir -p "$OUT/root/$(dirname "$file")"
        cp -a "$R/$file" "$OUT/root/$file"
    done
    echo "recorded into $OUT:"
    ls "$OUT"
}

dispose_root() {
    unmount_root
    if grep -q -e " $R/" -e " $R " /proc/mounts; then echo "$R still has mounts: left in place" >&2; exit 1; fi
    rm -rf "$R"
}
