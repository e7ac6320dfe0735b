"""Names, limits and message types of the agent wire protocol (reference-server.md §2-3).

Standard library only: the Python agent vendors this package.
"""
from __future__ import annotations

from typing import Final

# --- report sections (`sections` of a partial /hosts/update, `requestFull` of /hosts/ping) ---------
SECTION_PACKAGES: Final = "packages"
SECTION_REPOS: Final = "repos"
SECTION_INTERFACES: Final = "interfaces"
SECTION_HOSTNAME: Final = "hostname"
SECTION_DOCKER: Final = "docker"
SECTION_COMPLIANCE: Final = "compliance"

# Sections a partial /hosts/update may carry; docker and compliance travel on their own endpoints.
PARTIAL_REPORT_SECTIONS: Final = frozenset({SECTION_PACKAGES, SECTION_REPOS, SECTION_INTERFACES, SECTION_HOSTNAME})
ALL_SECTIONS: Final = PARTIAL_REPORT_SECTIONS | {SECTION_DOCKER, SECTION_COMPLIANCE}

# --- hash fields (`hashes` object of /hosts/update and /hosts/ping) --------------------------------
PACKAGES_HASH: Final = "packagesHash"
REPOS_HASH: Final = "reposHash"
INTERFACES_HASH: Final = "interfacesHash"
HOSTNAME_HASH: Final = "hostnameHash"
DOCKER_HASH: Final = "dockerHash"
COMPLIANCE_HASH: Final = "complianceHash"

HASH_FIELD_BY_SECTION: Final = {
    SECTION_PACKAGES: PACKAGES_HASH,
    SECTION_REPOS: REPOS_HASH,
    SECTION_INTERFACES: INTERFACES_HASH,
    SECTION_HOSTNAME: HOSTNAME_HASH,
    SECTION_DOCKER: DOCKER_HASH,
    SECTION_COMPLIANCE: COMPLIANCE_HASH,
}
SECTION_BY_HASH_FIELD: Final = {field: section for section, field in HASH_FIELD_BY_SECTION.items()}

# Same hashes under their snake_case names on POST /integrations/docker and /compliance/scans.
DOCKER_PAYLOAD_HASH_FIELD: Final = "docker_hash"
COMPLIANCE_PAYLOAD_HASH_FIELD: Final = "compliance_hash"

# --- limits (reference-server.md §2.5) --------------------------------------------------------------
MAX_PACKAGES: Final = 10_000
MAX_PACKAGE_NAME_LENGTH: Final = 256
MAX_PATCH_PACKAGE_NAMES: Final = 100
MAX_REPORT_BYTES: Final = 5 * 1024 * 1024
MAX_PING_BYTES: Final = 8 * 1024
SERVER_WS_READ_LIMIT_BYTES: Final = 512 * 1024
AGENT_WS_READ_LIMIT_BYTES: Final = 64 * 1024
DEFAULT_UPDATE_INTERVAL_MINUTES: Final = 60

# --- patch runs (reference-agent.md §12): `run_patch` fields and POST /patching/runs/<id>/output stages -----
PATCH_ALL: Final = "patch_all"
PATCH_PACKAGE: Final = "patch_package"
PATCH_TYPES: Final = (PATCH_ALL, PATCH_PACKAGE)
PATCH_PACKAGE_NAME_PATTERN: Final = r"^[a-zA-Z0-9][a-zA-Z0-9._+\-]*$"
PATCH_STAGE_STARTED: Final = "started"
PATCH_STAGE_PROGRESS: Final = "progress"
PATCH_STAGE_COMPLETED: Final = "completed"
PATCH_STAGE_FAILED: Final = "failed"
PATCH_STAGE_CANCELLED: Final = "cancelled"
PATCH_STAGE_DRY_RUN_COMPLETED: Final = "dry_run_completed"

# --- our `run_patch` extension (docs/patching.md, "Beyond PatchMon"); reference agents ignore these fields ---------
RUN_PATCH_EXCLUDE_PACKAGES: Final = "exclude_packages"
RUN_PATCH_PRE_HOOKS: Final = "pre_hooks"
RUN_PATCH_POST_HOOKS: Final = "post_hooks"
RUN_PATCH_POST_REBOOT_HOOKS: Final = "post_reboot_hooks"
RUN_PATCH_REBOOT: Final = "reboot"
# A package name pattern: the package name charset plus fnmatch's `*` and `?`; never starting with "-" (an option).
PATCH_EXCLUDE_PATTERN: Final = r"^[a-zA-Z0-9*?][a-zA-Z0-9._+\-*?]*$"
MAX_PATCH_EXCLUDE_PATTERNS: Final = 100
MAX_PATCH_HOOKS: Final = 10  # per list
MAX_PATCH_HOOK_LENGTH: Final = 1024
PATCH_HOOK_TIMEOUT_SECONDS: Final = 600  # each hook; the whole run still ends after 30 minutes
PATCH_REBOOT_NEVER: Final = "never"
PATCH_REBOOT_IF_REQUIRED: Final = "if_required"
PATCH_REBOOT_ALWAYS: Final = "always"
PATCH_REBOOT_POLICIES: Final = (PATCH_REBOOT_NEVER, PATCH_REBOOT_IF_REQUIRED, PATCH_REBOOT_ALWAYS)
# `reboot.decision` of a final stage
PATCH_REBOOT_REBOOTING: Final = "rebooting"
PATCH_REBOOT_NOT_REQUIRED: Final = "not_required"
PATCH_REBOOT_NOT_ALLOWED: Final = "not_allowed"  # required, but the policy is never
PATCH_REBOOT_SKIPPED: Final = "skipped"  # dry run, failed or stopped run
PATCH_REBOOT_DECISIONS: Final = (PATCH_REBOOT_REBOOTING, PATCH_REBOOT_NOT_REQUIRED, PATCH_REBOOT_NOT_ALLOWED, PATCH_REBOOT_SKIPPED)
# Stages after a run's final one: the host is back (post-reboot hooks ran), or the reboot command failed.
PATCH_STAGE_REBOOTED: Final = "rebooted"
PATCH_STAGE_REBOOT_FAILED: Final = "reboot_failed"
# Full report (/hosts/update) extension: names (or lock patterns) the host's own package manager holds back.
REPORT_HELD_PACKAGES: Final = "heldPackages"

# --- WebSocket messages, server -> agent (reference-server.md §3.1) --------------------------------
WS_SETTINGS_UPDATE: Final = "settings_update"
WS_REPORT_NOW: Final = "report_now"
WS_UPDATE_AGENT: Final = "update_agent"
WS_REFRESH_INTEGRATION_STATUS: Final = "refresh_integration_status"
WS_DOCKER_INVENTORY_REFRESH: Final = "docker_inventory_refresh"
WS_RUN_PATCH: Final = "run_patch"
WS_PATCH_RUN_STOP: Final = "patch_run_stop"
WS_COMPLIANCE_SCAN: Final = "compliance_scan"
WS_COMPLIANCE_SCAN_CANCEL: Final = "compliance_scan_cancel"
WS_INSTALL_SCANNER: Final = "install_scanner"
WS_UPGRADE_SSG: Final = "upgrade_ssg"
WS_REMEDIATE_RULE: Final = "remediate_rule"
WS_APPLY_CONFIG: Final = "apply_config"
WS_SSH_PROXY: Final = "ssh_proxy"
WS_SSH_PROXY_INPUT: Final = "ssh_proxy_input"
WS_SSH_PROXY_RESIZE: Final = "ssh_proxy_resize"
WS_SSH_PROXY_DISCONNECT: Final = "ssh_proxy_disconnect"
WS_RDP_PROXY: Final = "rdp_proxy"
WS_RDP_PROXY_INPUT: Final = "rdp_proxy_input"
WS_RDP_PROXY_DISCONNECT: Final = "rdp_proxy_disconnect"
WS_DOCKER_IMAGE_SCAN: Final = "docker_image_scan"  # agent capability; the reference server never sends it
WS_CONNECTED: Final = "connected"  # never sent; agents ignore it silently

SERVER_TO_AGENT_MESSAGE_TYPES: Final = frozenset({
    WS_SETTINGS_UPDATE, WS_REPORT_NOW, WS_UPDATE_AGENT, WS_REFRESH_INTEGRATION_STATUS, WS_DOCKER_INVENTORY_REFRESH,
    WS_RUN_PATCH, WS_PATCH_RUN_STOP, WS_COMPLIANCE_SCAN, WS_COMPLIANCE_SCAN_CANCEL, WS_INSTALL_SCANNER, WS_UPGRADE_SSG,
    WS_REMEDIATE_RULE, WS_APPLY_CONFIG, WS_SSH_PROXY, WS_SSH_PROXY_INPUT, WS_SSH_PROXY_RESIZE, WS_SSH_PROXY_DISCONNECT,
    WS_RDP_PROXY, WS_RDP_PROXY_INPUT, WS_RDP_PROXY_DISCONNECT, WS_DOCKER_IMAGE_SCAN, WS_CONNECTED,
})

# --- check-in offset (reference-agent.md §4, reference-server.md §2.4) ------------------------------
FNV64_OFFSET_BASIS: Final = 14695981039346656037
FNV64_PRIME: Final = 1099511628211
_U64: Final = (1 << 64) - 1


def fnv1a_64(data: bytes) -> int:
    """FNV-1a 64-bit hash of `data`."""
    value = FNV64_OFFSET_BASIS
    for byte in data:
        value = ((value ^ byte) * FNV64_PRIME) & _U64
    return value


def check_in_offset_seconds(api_id: str, interval_minutes: int) -> int:
    """Agent's first-check-in offset in seconds, derived from FNV-1a 64 of the api_id bytes."""
    # Interval >= 60 min: (h mod 60) *minutes*, so a whole-minute offset in 0..3540 s.
    # Shorter intervals: h mod (interval*60) *seconds*. Either way it is below the interval.
    if interval_minutes <= 0:
        raise ValueError("interval_minutes must be positive")
    digest = fnv1a_64(api_id.encode("utf-8"))
    if interval_minutes >= 60:
        return (digest % 60) * 60
    return digest % (interval_minutes * 60)
