"""Record a real system's package-manager output as collector fixtures (tests/agent/fixtures/<name>/).

Run ON the system to record, with the agent's zipapp (`make agent` → dist/patchmon-agent.pyz) copied there:

    python3 record_fixtures.py /tmp/patchmon-agent.pyz /tmp/fixtures/rocky-9-real "real: Rocky Linux 9.4, 2026-11-27" [MANAGER]

It runs the agent's own package collector with a runner that saves every command it runs (argv, rc,
stdout, stderr) in the fixture format of tests/agent/command_fixtures.py, so the collector's tests replay
exactly what the real tools printed. MANAGER (dnf, zypper, pacman, ...) names the collector where the host
has more than one package manager, as the chroots of tests/agent/recording/ do (Debian's apt beside it).
Copy the directory (and the system's repository files under `root/etc/...`) into tests/agent/fixtures/
and add a test (see test_collect_apt_recorded.py).
Standard library only (Python >= 3.9), like the agent.
"""
from __future__ import annotations

import json
import os
import re
import sys
import threading


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__ or "")
        return 2
    zipapp, out, label = argv[:3]
    manager = argv[3] if len(argv) == 4 else None
    sys.path.insert(0, zipapp)
    from patchmon_agent.collectors import common, packages

    os.makedirs(out, exist_ok=True)
    slugs: list[str] = []
    naming = threading.Lock()  # collectors run commands in parallel: each must get its own file names

    def recording(command: list[str], timeout: float) -> common.CommandResult:
        result = common.default_runner(command, timeout)
        slug = re.sub(r"[^a-z0-9]+", "-", " ".join(command[:3]).lower()).strip("-")[:40]
        with naming:
            taken = sum(1 for s in slugs if s == slug or s.startswith(slug + "-"))
            mine = slug if taken == 0 else f"{slug}-{taken + 1}"
            slugs.append(mine)
        with open(os.path.join(out, mine + ".stdout"), "w") as handle:
            handle.write(result.stdout)
        with open(os.path.join(out, mine + ".json"), "w") as handle:
            json.dump({"argv": list(command), "env": {"LC_ALL": "C"}, "rc": result.returncode, "stderr": result.stderr,
                       "captured_from": label, "synthetic": False}, handle, indent=1)
        return result

    result = packages.collect(run=recording, manager=manager)
    print(f"{result.manager}: {len(result.packages)} packages, {sum(p['needsUpdate'] for p in result.packages)} updates, "
          f"{sum(p['isSecurityUpdate'] for p in result.packages)} security, held {result.held}, errors {result.errors}; "
          f"{len(slugs)} commands recorded in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
