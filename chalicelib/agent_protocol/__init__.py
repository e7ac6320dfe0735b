"""Agent wire protocol shared by the server and the Python agent: canonical hashes and constants.

Standard library only, relative imports only: the agent's build vendors a copy of this package.
"""
from __future__ import annotations

from .canonical import (
    compliance_hash,
    docker_hash,
    go_json,
    hostname_hash,
    interfaces_hash,
    is_sha256_hex,
    packages_hash,
    repos_hash,
)
from .constants import check_in_offset_seconds, fnv1a_64

__all__ = [
    "check_in_offset_seconds",
    "compliance_hash",
    "docker_hash",
    "fnv1a_64",
    "go_json",
    "hostname_hash",
    "interfaces_hash",
    "is_sha256_hex",
    "packages_hash",
    "repos_hash",
]
