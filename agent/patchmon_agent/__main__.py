"""Entry point: `python -m patchmon_agent`, the zipapp and the `patchmon-agent` console script."""
from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command of the agent and return its exit status."""
    from patchmon_agent.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
