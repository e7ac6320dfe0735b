#!/bin/sh
# PatchMon Cloud agent installer, generated for one host.
@@ENVIRONMENT@@

# The bootstrap token above works once, within five minutes: the installer exchanges it for this
# host's API credentials, which therefore never appear in this script.
#
# Optional environment:
#   PATCHMON_ROOT=/dir           install under /dir instead of / (config and unit files still name the
#                                real paths, as seen from inside that root)
#   PATCHMON_SKIP_SERVICE=true   write the service definition but do not enable or start it
#   PATCHMON_SERVICE_MANAGER=x   systemd, openrc or cron (default: detected)
#   PATCHMON_ALLOW_NON_ROOT=true run without root, only together with PATCHMON_ROOT (for tests)

set -eu
umask 077

PATCHMON_ROOT="${PATCHMON_ROOT:-}"
PATCHMON_ROOT="${PATCHMON_ROOT%/}"
PATCHMON_SKIP_SERVICE="${PATCHMON_SKIP_SERVICE:-false}"
PATCHMON_SERVICE_MANAGER="${PATCHMON_SERVICE_MANAGER:-}"
PATCHMON_ALLOW_NON_ROOT="${PATCHMON_ALLOW_NON_ROOT:-false}"

# Paths on the host, as the agent and the service manager see them.
AGENT_BIN=/usr/local/bin/patchmon-agent
CONFIG_DIR=/etc/patchmon
CREDENTIALS_PATH="$CONFIG_DIR/credentials.yml"
LOG_PATH="$CONFIG_DIR/logs/patchmon-agent.log"
# The same paths as this installer writes them.
BIN_FILE="$PATCHMON_ROOT$AGENT_BIN"
CONFIG_ROOT="$PATCHMON_ROOT$CONFIG_DIR"
CONFIG_FILE="$CONFIG_ROOT/config.yml"
CREDENTIALS_FILE="$PATCHMON_ROOT$CREDENTIALS_PATH"

say() { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
is_true() { case "$1" in true | TRUE | True | 1 | yes | YES) return 0 ;; *) return 1 ;; esac; }

# Write stdin to $1 with mode $2: a temporary file in the same directory, then an atomic rename.
install_file() {
    target=$1
    mode=$2
    mkdir -p "$(dirname "$target")"
    tmp="$target.tmp.$$"
    cat >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$target"
}

# --- preflight: nothing is changed and the token is not used unless all of this passes ------------
case "$PATCHMON_ROOT" in
    "" | /*) ;;
    *) fail "PATCHMON_ROOT must be an absolute path" ;;
esac
if [ "$(id -u)" != 0 ]; then
    if is_true "$PATCHMON_ALLOW_NON_ROOT" && [ -n "$PATCHMON_ROOT" ]; then
        warn "not running as root: installing under $PATCHMON_ROOT only"
    else
        fail "the installer must run as root (curl ... | sudo sh)"
    fi
fi
PYTHON=$(command -v python3 || true)
[ -n "$PYTHON" ] || fail "python3 (3.9 or newer) is required: install it first (apt-get install python3, dnf install python3, apk add python3)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
    fail "python3 3.9 or newer is required; found $("$PYTHON" -V 2>&1)"
command -v curl >/dev/null 2>&1 || fail "curl is required"

if [ -f "$CREDENTIALS_FILE" ] && ! is_true "$FORCE_INSTALL"; then
    say "The PatchMon agent is already installed here ($CREDENTIALS_PATH exists); nothing was changed."
    say "To reinstall over it, copy the install command with force=true."
    exit 0
fi

if [ -z "$ARCHITECTURE" ]; then
    case "$(uname -m)" in
        x86_64 | amd64) ARCHITECTURE=amd64 ;;
        aarch64 | arm64) ARCHITECTURE=arm64 ;;
        armv6l | armv7l | armhf | arm) ARCHITECTURE=arm ;;
        i386 | i486 | i586 | i686 | x86) ARCHITECTURE=386 ;;
        *) ARCHITECTURE=$(uname -m | tr -cd 'A-Za-z0-9_.-') ;;
    esac
fi

WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT
trap 'exit 130' INT TERM

# --- credentials ------------------------------------------------------------------------------------
say "Exchanging the bootstrap token for this host's credentials"
# The token goes through stdin, not the command line, so other users cannot read it in the process list.
if ! printf '{"token":"%s"}' "$BOOTSTRAP_TOKEN" | curl $CURL_FLAGS -X POST -H 'Content-Type: application/json' --data-binary @- \
    -o "$WORK_DIR/exchange.json" "$PATCHMON_URL/api/v1/hosts/bootstrap/exchange"; then
    fail "the server refused the bootstrap token or could not be reached. A token works once and expires after 5 minutes: copy the install command again."
fi
# Turn the answer into credentials.yml and a curl config carrying the headers (kept off command lines).
"$PYTHON" - "$WORK_DIR" <<'PY' || fail "the server's answer held no usable credentials"
import json
import os
import re
import sys

work = sys.argv[1]
with open(os.path.join(work, "exchange.json")) as answer:
    data = json.load(answer)
api_id, api_key = str(data.get("apiId", "")), str(data.get("apiKey", ""))
if not re.fullmatch(r"[A-Za-z0-9_.-]{1,128}", api_id) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,256}", api_key):
    sys.exit(1)
with open(os.path.join(work, "credentials.yml"), "w") as out:
    out.write("api_id: %s\napi_key: %s\n" % (api_id, api_key))
with open(os.path.join(work, "auth.conf"), "w") as out:
    out.write('header = "X-API-ID: %s"\nheader = "X-API-KEY: %s"\n' % (api_id, api_key))
PY

# --- the agent --------------------------------------------------------------------------------------
say "Downloading the agent ($ARCHITECTURE)"
curl $CURL_FLAGS -K "$WORK_DIR/auth.conf" -o "$WORK_DIR/version.json" \
    "$PATCHMON_URL/api/v1/hosts/agent/version?arch=$ARCHITECTURE&os=linux&type=python" ||
    fail "could not ask the server which agent to install"
EXPECTED_HASH=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("hash") or "")' "$WORK_DIR/version.json")
[ "${#EXPECTED_HASH}" -eq 64 ] || fail "the server advertised no checksum for the agent; refusing to install it unverified"
curl $CURL_FLAGS -K "$WORK_DIR/auth.conf" -H 'Accept: application/octet-stream' -o "$WORK_DIR/patchmon-agent" \
    "$PATCHMON_URL/api/v1/hosts/agent/download?arch=$ARCHITECTURE&os=linux" ||
    fail "could not download the agent"
ACTUAL_HASH=$("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$WORK_DIR/patchmon-agent")
[ "$ACTUAL_HASH" = "$EXPECTED_HASH" ] ||
    fail "checksum mismatch for the downloaded agent (expected $EXPECTED_HASH, got $ACTUAL_HASH); nothing was installed"

(umask 022 && mkdir -p "$(dirname "$BIN_FILE")")
install_file "$BIN_FILE.new" 0755 <"$WORK_DIR/patchmon-agent"
if ! "$PYTHON" "$BIN_FILE.new" version >/dev/null 2>&1; then
    rm -f "$BIN_FILE.new"
    fail "the downloaded agent does not run with $PYTHON"
fi
mv -f "$BIN_FILE.new" "$BIN_FILE"
say "Installed $AGENT_BIN ($("$PYTHON" "$BIN_FILE" version))"

# --- configuration ----------------------------------------------------------------------------------
mkdir -p "$CONFIG_ROOT/logs"
chmod 0700 "$CONFIG_ROOT"
if [ -f "$CONFIG_FILE" ]; then
    cp -p "$CONFIG_FILE" "$CONFIG_FILE.backup.$(date +%Y%m%d_%H%M%S)"
    # keep the three newest backups
    for old in $(ls -1 "$CONFIG_FILE".backup.* 2>/dev/null | sort -r | tail -n +4); do rm -f "$old"; done
fi
if is_true "$SKIP_SSL_VERIFY"; then SKIP_SSL=true; else SKIP_SSL=false; fi
install_file "$CONFIG_FILE" 0600 <<EOF
# PatchMon Cloud agent configuration, written by the installer.
patchmon_server: "$PATCHMON_URL"
api_version: "v1"
credentials_file: "$CREDENTIALS_PATH"
log_file: "$LOG_PATH"
log_level: "info"
skip_ssl_verify: $SKIP_SSL
update_interval: $UPDATE_INTERVAL
report_offset: 0
integrations:
  docker: false
  compliance:
    enabled: false
  ssh-proxy-enabled: false
  rdp-proxy-enabled: false
EOF
install_file "$CREDENTIALS_FILE" 0600 <"$WORK_DIR/credentials.yml"
say "Wrote $CONFIG_DIR/config.yml and $CREDENTIALS_PATH (mode 0600)"

# --- the service ------------------------------------------------------------------------------------
if [ -z "$PATCHMON_SERVICE_MANAGER" ]; then
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        PATCHMON_SERVICE_MANAGER=systemd
    elif command -v rc-service >/dev/null 2>&1; then
        PATCHMON_SERVICE_MANAGER=openrc
    else
        PATCHMON_SERVICE_MANAGER=cron
    fi
fi
START=true
if is_true "$PATCHMON_SKIP_SERVICE"; then START=false; fi

case "$PATCHMON_SERVICE_MANAGER" in
    systemd)
        install_file "$PATCHMON_ROOT/etc/systemd/system/patchmon-agent.service" 0644 <<EOF
[Unit]
Description=PatchMon Cloud agent
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=root
ExecStart=$AGENT_BIN serve
Restart=always
RestartSec=10
WorkingDirectory=$CONFIG_DIR
SyslogIdentifier=patchmon-agent

[Install]
WantedBy=multi-user.target
EOF
        if [ "$START" = true ]; then
            systemctl daemon-reload
            systemctl enable patchmon-agent >/dev/null 2>&1 || warn "could not enable the patchmon-agent service"
            systemctl restart patchmon-agent || warn "could not start the patchmon-agent service (systemctl status patchmon-agent)"
        fi
        ;;
    openrc)
        install_file "$PATCHMON_ROOT/etc/init.d/patchmon-agent" 0755 <<EOF
#!/sbin/openrc-run
description="PatchMon Cloud agent"
command="$AGENT_BIN"
command_args="serve"
command_user="root"
command_background="yes"
pidfile="/run/patchmon-agent.pid"
directory="$CONFIG_DIR"

depend() {
    need net
}
EOF
        if [ "$START" = true ]; then
            rc-update add patchmon-agent default >/dev/null 2>&1 || warn "could not add patchmon-agent to the default runlevel"
            rc-service patchmon-agent restart || warn "could not start the patchmon-agent service (rc-service patchmon-agent status)"
        fi
        ;;
    cron)
        install_file "$PATCHMON_ROOT/etc/cron.d/patchmon-agent" 0644 <<EOF
# PatchMon Cloud agent: started at boot (no systemd or OpenRC on this host).
@reboot root $AGENT_BIN serve >/dev/null 2>&1
EOF
        if [ "$START" = true ]; then
            if command -v pkill >/dev/null 2>&1; then pkill -f "$AGENT_BIN serve" || true; fi
            nohup "$AGENT_BIN" serve >/dev/null 2>&1 &
        fi
        ;;
    *) fail "unknown PATCHMON_SERVICE_MANAGER '$PATCHMON_SERVICE_MANAGER' (systemd, openrc or cron)" ;;
esac
if [ "$START" = true ]; then
    say "Service: $PATCHMON_SERVICE_MANAGER (started)"
else
    say "Service: $PATCHMON_SERVICE_MANAGER (not started: PATCHMON_SKIP_SERVICE)"
fi

say ""
say "PatchMon agent installed."
say "  server:        $PATCHMON_URL"
say "  agent:         $AGENT_BIN"
say "  configuration: $CONFIG_DIR (logs in $CONFIG_DIR/logs)"
say "  remove with:   curl $CURL_FLAGS $PATCHMON_URL/api/v1/hosts/remove | sudo sh"
