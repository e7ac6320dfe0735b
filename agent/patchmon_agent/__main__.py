"""Command line of the agent: `patchmon-agent <command>`."""
from __future__ import annotations

import sys
from collections.abc import Sequence

from patchmon_agent import __version__

USAGE = """\
Usage: patchmon-agent <command>

Commands:
  version     print the agent's version

Options:
  -h, --help  show this help and exit
  --version   print the agent's version and exit
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command of the agent and return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    if args[0] in ("version", "--version", "-v"):
        sys.stdout.write(f"PatchMon Agent v{__version__}\n")
        return 0
    sys.stderr.write(f"patchmon-agent: unknown command {args[0]!r}\n\n{USAGE}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
