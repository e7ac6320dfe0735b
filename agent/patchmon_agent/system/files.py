"""Read a host's files below a root directory, so tests can point the collectors at a fixture tree."""
from __future__ import annotations

import os


class Root:
    """A file tree seen from `root` ("/" on a live host); every path is absolute inside the tree."""

    def __init__(self, root: str = "/") -> None:
        self.root = os.path.abspath(root)
        self.is_live = self.root == "/"

    def path(self, path: str) -> str:
        """Return the real path of `path` inside the tree."""
        return os.path.join(self.root, path.lstrip("/"))

    def read(self, path: str) -> str | None:
        """Return the file's text, or None when it is missing or unreadable."""
        try:
            with open(self.path(path), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except (OSError, ValueError):
            return None

    def read_first_line(self, path: str) -> str:
        """Return the first line of the file without surrounding blanks, or "" when unreadable."""
        text = self.read(path)
        return text.strip().split("\n", 1)[0].strip() if text else ""

    def exists(self, path: str) -> bool:
        """Tell whether the path exists (a dangling symlink does not)."""
        return os.path.exists(self.path(path))

    def isdir(self, path: str) -> bool:
        """Tell whether the path is a directory."""
        return os.path.isdir(self.path(path))

    def listdir(self, path: str) -> list[str]:
        """Return the sorted entries of a directory, or [] when it cannot be listed."""
        try:
            return sorted(os.listdir(self.path(path)))
        except OSError:
            return []
