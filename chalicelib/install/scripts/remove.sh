#!/bin/sh
# PatchMon Cloud agent removal: stops and removes the service (systemd, OpenRC or cron), the agent,
# its configuration and credentials (/etc/patchmon) and its logs. The host stays in PatchMon until
# it is deleted there.
#
# Optional environment:
#   PATCHMON_ROOT=/dir           remove from under /dir instead of /
#   PATCHMON_SKIP_SERVICE=true   do not call systemctl / rc-service / pkill (files are still removed)
#   PATCHMON_ALLOW_NON_ROOT=true run without root, only together with PATCHMON_ROOT (for tests)
#   REMOVE_BACKUPS=1             also remove the agent's backups (/usr/local/bin/patchmon-agent.backup.*)
#   SILENT=1                     print errors only

set -eu

PATCHMON_ROOT="${PATCHMON_ROOT:-}"
PATCHMON_ROOT="${PATCHMON_ROOT%/}"
PATCHMON_SKIP_SERVICE="${PATCHMON_SKIP_SERVICE:-false}"
PATCHMON_ALLOW_NON_ROOT="${PATCHMON_ALLOW_NON_ROOT:-false}"
REMOVE_BACKUPS="${REMOVE_BACKUPS:-0}"
SILENT="${SILENT:-0}"

AGENT_BIN=/usr/local/bin/patchmon-agent

is_true() { case "$1" in true | TRUE | True | 1 | yes | YES) return 0 ;; *) return 1 ;; esac; }
say() { if ! is_true "$SILENT"; then printf '%s\n' "$*"; fi; }
fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

case "$PATCHMON_ROOT" in
    "" | /*) ;;
    *) fail "PATCHMON_ROOT must be an absolute path" ;;
esac
if [ "$(id -u)" != 0 ]; then
    if is_true "$PATCHMON_ALLOW_NON_ROOT" && [ -n "$PATCHMON_ROOT" ]; then
        say "Not running as root: removing from under $PATCHMON_ROOT only"
    else
        fail "the removal script must run as root (curl ... | sudo sh)"
    fi
fi
STOP=true
if is_true "$PATCHMON_SKIP_SERVICE"; then STOP=false; fi

# --- the service, whichever kind was installed ----------------------------------------------------
UNIT="$PATCHMON_ROOT/etc/systemd/system/patchmon-agent.service"
if [ -f "$UNIT" ]; then
    if [ "$STOP" = true ] && command -v systemctl >/dev/null 2>&1; then
        systemctl stop patchmon-agent >/dev/null 2>&1 || true
        systemctl disable patchmon-agent >/dev/null 2>&1 || true
    fi
    rm -f "$UNIT"
    if [ "$STOP" = true ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
    say "Removed the systemd service"
fi
INIT_SCRIPT="$PATCHMON_ROOT/etc/init.d/patchmon-agent"
if [ -f "$INIT_SCRIPT" ]; then
    if [ "$STOP" = true ] && command -v rc-service >/dev/null 2>&1; then
        rc-service patchmon-agent stop >/dev/null 2>&1 || true
        rc-update del patchmon-agent default >/dev/null 2>&1 || true
    fi
    rm -f "$INIT_SCRIPT"
    say "Removed the OpenRC service"
fi
CRON_FILE="$PATCHMON_ROOT/etc/cron.d/patchmon-agent"
if [ -f "$CRON_FILE" ]; then
    rm -f "$CRON_FILE"
    say "Removed the cron entry"
fi
if [ "$STOP" = true ] && command -v pkill >/dev/null 2>&1; then
    pkill -f "$AGENT_BIN serve" >/dev/null 2>&1 || true
fi

# --- files ------------------------------------------------------------------------------------------
rm -f "$PATCHMON_ROOT$AGENT_BIN" "$PATCHMON_ROOT$AGENT_BIN.new"
if is_true "$REMOVE_BACKUPS"; then
    rm -f "$PATCHMON_ROOT$AGENT_BIN".backup.*
fi
rm -rf "$PATCHMON_ROOT/etc/patchmon"
rm -f "$PATCHMON_ROOT/var/log/patchmon-agent.log"
say "Removed $AGENT_BIN and /etc/patchmon (configuration, credentials, logs)"
say "The host is still listed in PatchMon: delete it there if it is gone for good."
