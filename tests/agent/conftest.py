"""Agent tests never reboot this machine, whatever a runner under test decides."""
from __future__ import annotations

import pytest

from patchmon_agent.patching import reboot as reboots


@pytest.fixture(autouse=True)
def _never_reboot_this_machine(monkeypatch):
    """A runner without an injected rebooter would call the system's; here that only fails."""
    def refuse() -> reboots.RebootResult:
        return reboots.RebootResult(False, "tests never reboot this machine")

    monkeypatch.setattr(reboots, "system_rebooter", refuse)
