"""PatchMon Cloud agent (standard library only; runs on the host's python3 >= 3.9)."""

__version__ = "0.1.0"
