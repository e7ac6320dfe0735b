"""Collectors of the agent: what is installed, what can be upgraded, and where it comes from.

Each package manager has a module of pure parsers over command output (`apt`, `dnf`, `zypper`, `apk`,
`pacman`) and a `collect(run)` that runs its commands through an injected runner; `packages` picks the
manager and `repositories` reads the package sources from files under a root directory.
"""
