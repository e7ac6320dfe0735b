"""Patch runs on this host: `run_patch` and `patch_run_stop` from the server (reference-agent.md §12).

`request` checks the message, `managers` names the commands of each package manager, `runner` executes
them as processes (behind an optional prefix such as `chroot <root>`) and streams their output through
`stream`, and `jobs` keeps to one run at a time on a background thread. Our extension of the message:
`exclusions` keeps packages back (holds, locks, options), `reboot` decides, records and performs the reboot
after a run and reports the host's return; hooks run in `runner`.
"""
from __future__ import annotations

from patchmon_agent.patching.jobs import BUSY, PatchJobs
from patchmon_agent.patching.managers import UnsupportedManager, detect, step_succeeded, steps
from patchmon_agent.patching.request import PatchRequest, parse_run_patch
from patchmon_agent.patching.runner import Outcome, PatchRunner, final_outcome, refuse, rooted_which

__all__ = ["BUSY", "Outcome", "PatchJobs", "PatchRequest", "PatchRunner", "UnsupportedManager", "detect", "final_outcome",
           "parse_run_patch", "refuse", "rooted_which", "step_succeeded", "steps"]
