"""Disposable Debian root filesystems, so an end-to-end test can let our agent change a system for real (an apt upgrade).

A base root is debootstrapped once (`ensure_base_rootfs`; `make rootfs`) and these helpers never change it: each test
works in its own copy (`rootfs_copy`: an overlayfs mount over the base when the kernel allows it, else `cp -a`) with
/proc, /sys and /dev mounted and this machine's resolv.conf and hosts. `remove_copy` stops what runs inside, unmounts
and deletes it. `install_demo_repo` adds a local apt repository with an upgrade of `patchmon-demo` that pulls in a new
dependency; `install_agent` and `start_agent` run our agent's zipapp inside. chroot keeps this machine's network
namespace, so a process inside reaches a local stack on http://127.0.0.1:<port>.

Everything here needs root. `python -m tests.e2e.rootfs PATH` builds the base root at PATH (once).
"""
from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from chalicelib.install import artefact

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# curl: test_install_in_rootfs.py runs the install one-liner (`curl ... | sh`) in the same base root.
BASE_PACKAGES = ("python3", "curl", "ca-certificates")
CHROOT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
              "DEBIAN_FRONTEND": "noninteractive"}
AGENT_PATH = "/opt/patchmon-agent.pyz"
AGENT_OUTPUT = "var/log/patchmon-agent.out"  # the started agent's stdout and stderr, relative to the root
REPO_DIR = "srv/repo"
DEMO, DEMO_LIB = "patchmon-demo", "patchmon-demo-lib"
DEMO_SOURCES = f"deb [trusted=yes] file:/{REPO_DIR} ./\n"
MAINTAINER = "PatchMon Cloud tests <tests@patchmon.invalid>"


# --- the base root ------------------------------------------------------------------------------------

def ensure_base_rootfs(path: str | os.PathLike[str], *, suite: str = SUITE, mirror: str = MIRROR,
                       packages: Sequence[str] = BASE_PACKAGES) -> pathlib.Path:
    """Debootstrap a minimal Debian root at `path` unless one is there already; return its absolute path."""
    root = pathlib.Path(path).resolve()
    if (root / "usr/bin/python3").exists():
        return root
    if root.exists() and any(root.iterdir()):
        raise RuntimeError(f"{root} is not empty and has no usr/bin/python3 (an unfinished debootstrap?): remove it")
    # Built beside and renamed when complete, so an interrupted run never leaves a root that looks finished.
    partial = root.with_name(root.name + ".partial")
    _remove_tree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", suite, str(partial), mirror], check=True)
    partial.rename(root)
    return root


# --- disposable copies ----------------------------------------------------------------------------------

def overlay_supported() -> bool:
    """Whether this kernel offers overlayfs."""
    try:
        return any(line.split()[-1] == "overlay" for line in pathlib.Path("/proc/filesystems").read_text().splitlines())
    except OSError:
        return False


def disposable_copy(base: str | os.PathLike[str], workdir: str | os.PathLike[str], *, method: str = "auto") -> pathlib.Path:
    """Copy `base` to `<workdir>/root` (method "overlay", "copy" or "auto") and prepare it for chroot; return that root."""
    if method not in ("auto", "overlay", "copy"):
        raise ValueError(f"unknown copy method {method!r}")
    base, work = pathlib.Path(base).resolve(), pathlib.Path(workdir).resolve()
    if method == "overlay" and not overlay_supported():
        raise RuntimeError("this kernel has no overlayfs")
    root = work / "root"
    remove_copy(root)  # what an interrupted run left there, if anything
    work.mkdir(parents=True, exist_ok=True)
    if not (method != "copy" and overlay_supported() and _mount_overlay(base, work, strict=method == "overlay")):
        subprocess.run(["cp", "-a", "--one-file-system", f"{base}/.", str(root)], check=True)
    prepare_root(root)
    return root


def _mount_overlay(base: pathlib.Path, work: pathlib.Path, *, strict: bool) -> bool:
    for name in ("upper", "work", "root"):
        (work / name).mkdir()
    options = f"lowerdir={base},upperdir={work / 'upper'},workdir={work / 'work'}"
    mounted = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(work / "root")], capture_output=True, text=True, check=False)
    if mounted.returncode == 0:
        return True
    if strict:
        raise RuntimeError(f"overlay mount failed: {mounted.stderr.strip()}")
    for name in ("upper", "work", "root"):  # e.g. workdir on a filesystem that cannot be an upper layer: copy instead
        _remove_tree(work / name)
    return False


def prepare_root(root: str | os.PathLike[str]) -> None:
    """Mount /proc, /sys (read-only) and /dev in `root` and give it this machine's resolv.conf and hosts (idempotent)."""
    root = pathlib.Path(root)
    for name in ("resolv.conf", "hosts"):
        target = root / "etc" / name
        target.unlink(missing_ok=True)  # never write through a link that points outside the root
        if pathlib.Path("/etc", name).exists():
            shutil.copyfile(pathlib.Path("/etc", name), target)
    mounts = {"proc": ["-t", "proc", "proc"], "sys": ["-t", "sysfs", "-o", "ro", "sysfs"], "dev": ["--rbind", "/dev"]}
    for name, args in mounts.items():
        if not os.path.ismount(root / name):
            subprocess.run(["mount", *args, str(root / name)], check=True)
    # Unmounting the copy's /dev/pts etc. must not propagate back to this machine's /dev.
    subprocess.run(["mount", "--make-rslave", str(root / "dev")], check=True)


def remove_copy(root: str | os.PathLike[str]) -> None:
    """Stop every process running in `root`, unmount everything under it and delete it (and its overlay layers)."""
    root = pathlib.Path(root).resolve()
    stop_processes(root)
    for mount in sorted(mounts_under(root), key=lambda p: len(p.parts), reverse=True):
        if subprocess.run(["umount", str(mount)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mount)], check=True)
    for layer in (root, root.parent / "upper", root.parent / "work"):
        _remove_tree(layer)


@contextlib.contextmanager
def rootfs_copy(base: str | os.PathLike[str], workdir: str | os.PathLike[str], *, method: str = "auto") -> Iterator[pathlib.Path]:
    """A disposable copy of `base` for the duration of the block (see `disposable_copy` and `remove_copy`)."""
    root = disposable_copy(base, workdir, method=method)
    try:
        yield root
    finally:
        remove_copy(root)


def mounts_under(path: str | os.PathLike[str]) -> list[pathlib.Path]:
    """Mount points at or below `path`, from /proc/self/mountinfo."""
    prefix = str(pathlib.Path(path).resolve())
    found = []
    for line in pathlib.Path("/proc/self/mountinfo").read_text().splitlines():
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), line.split()[4])  # mountinfo writes a space as \040
        if point == prefix or point.startswith(prefix + "/"):
            found.append(pathlib.Path(point))
    return found


def _remove_tree(path: pathlib.Path) -> None:
    if not path.exists():
        return
    if mounts_under(path):  # rm -rf through a bind mount of /dev would empty this machine's /dev
        raise RuntimeError(f"refusing to delete {path}: still mounted {[str(m) for m in mounts_under(path)]}")
    subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=True)


def processes_in(root: str | os.PathLike[str]) -> list[int]:
    """Ids of the processes whose root directory is `root` (never anything outside it)."""
    wanted = str(pathlib.Path(root).resolve())
    pids = []
    for proc in pathlib.Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.readlink(proc / "root") == wanted:
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def stop_processes(root: str | os.PathLike[str], timeout: float = 10) -> None:
    """SIGTERM the processes running in `root`, then SIGKILL those still there after `timeout` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in processes_in(root):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while processes_in(root) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not processes_in(root):
            return


# --- running commands inside --------------------------------------------------------------------------

def chroot_prefix(root: str | os.PathLike[str]) -> list[str]:
    """The argv prefix that runs a command inside `root` (prepared by `disposable_copy` or `prepare_root`)."""
    return ["chroot", str(pathlib.Path(root).resolve())]


def _options(env: Mapping[str, str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    # A clean environment: this machine's PATH (the venv), PYTHONPATH and proxy settings do not belong inside.
    return {"env": {**CHROOT_ENV, **(env or {})}, "cwd": "/", **kwargs}


def run_in_rootfs(root: str | os.PathLike[str], argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 300,
                  check: bool = False, **run_kwargs: Any) -> subprocess.CompletedProcess:
    """Run `argv` inside `root` and wait for it; output captured as text unless `run_kwargs` say otherwise."""
    options = {"capture_output": True, "text": True, "timeout": timeout, **run_kwargs}
    return subprocess.run([*chroot_prefix(root), *argv], check=check, **_options(env, options))


def spawn_in_rootfs(root: str | os.PathLike[str], argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                    **popen_kwargs: Any) -> subprocess.Popen:
    """Start `argv` inside `root` without waiting; `remove_copy` stops it if the caller does not."""
    return subprocess.Popen([*chroot_prefix(root), *argv], **_options(env, popen_kwargs))


# --- our agent ------------------------------------------------------------------------------------------

def install_agent(root: str | os.PathLike[str], pyz: str | os.PathLike[str] | None = None) -> str:
    """Put our agent's zipapp in `root` at /opt/patchmon-agent.pyz (built from agent/ unless `pyz` is given); return that path."""
    data = pathlib.Path(pyz).read_bytes() if pyz else artefact.build().data
    target = pathlib.Path(root) / AGENT_PATH.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(0o755)
    return AGENT_PATH


def agent_argv(*args: str) -> list[str]:
    """The argv that runs the installed agent inside the root with `args`."""
    return ["python3", AGENT_PATH, *args]


def start_agent(root: str | os.PathLike[str], *, server_url: str, api_id: str, api_key: str, args: Sequence[str] = ("serve",),
                env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """Configure the agent in `root` for `server_url` (`config set-api`, which pings it) and start `serve` there."""
    if not (pathlib.Path(root) / AGENT_PATH.lstrip("/")).exists():
        install_agent(root)
    configured = run_in_rootfs(root, agent_argv("config", "set-api", api_id, api_key, server_url), env=env, timeout=60)
    if configured.returncode != 0:
        raise RuntimeError(f"`patchmon-agent config set-api` failed ({configured.returncode}): {configured.stderr.strip()}")
    output = pathlib.Path(root) / AGENT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "ab") as sink:  # the child keeps its own descriptor
        return spawn_in_rootfs(root, agent_argv(*args), env=env, stdout=sink, stderr=subprocess.STDOUT)


# --- the demo apt repository ------------------------------------------------------------------------------

def build_demo_deb(outdir: pathlib.Path, *, name: str, version: str, depends: str = "", configure_seconds: int = 0) -> pathlib.Path:
    """Build `<name>_<version>_all.deb` in `outdir`: it installs /usr/share/<name>/VERSION holding the upstream version.
    With `configure_seconds`, its postinst prints a line a second for that long (a run long enough to watch live)."""
    tree = outdir / f"{name}_{version}"
    (tree / "DEBIAN").mkdir(parents=True)
    if configure_seconds:
        postinst = tree / "DEBIAN/postinst"
        postinst.write_text("#!/bin/sh\nset -e\n" + "".join(f"echo '{name}: configuring, step {i} of {configure_seconds}'; sleep 1\n"
                                                            for i in range(1, configure_seconds + 1)))
        postinst.chmod(0o755)
    (tree / "usr/share" / name).mkdir(parents=True)
    (tree / "usr/share" / name / "VERSION").write_text(version.split("-", maxsplit=1)[0] + "\n")
    fields = {"Package": name, "Version": version, "Architecture": "all", "Maintainer": MAINTAINER, "Installed-Size": "1",
              "Depends": depends, "Section": "misc", "Priority": "optional"}
    control = "".join(f"{key}: {value}\n" for key, value in fields.items() if value)
    control += f"Description: PatchMon Cloud end-to-end test package\n Installs /usr/share/{name}/VERSION.\n"
    (tree / "DEBIAN/control").write_text(control)
    deb = outdir / f"{name}_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(deb)], check=True, capture_output=True)
    return deb


def write_repo_index(repo: pathlib.Path) -> None:
    """Write the flat repository's `Packages` (from `dpkg-deb -f` of each .deb) and a `Release` listing it."""
    stanzas = []
    for deb in sorted(repo.glob("*.deb")):
        control = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout.rstrip("\n")
        data = deb.read_bytes()
        stanzas.append(f"{control}\nFilename: ./{deb.name}\nSize: {len(data)}\nSHA256: {hashlib.sha256(data).hexdigest()}\n")
    index = "\n".join(stanzas).encode()
    (repo / "Packages").write_bytes(index)
    (repo / "Release").write_text(f"Origin: PatchMon Cloud tests\nLabel: {DEMO}\nDate: {email.utils.formatdate(usegmt=True)}\n"
                                  f"SHA256:\n {hashlib.sha256(index).hexdigest()} {len(index)} Packages\n")


CONFIGURE_SECONDS = 4  # the upgrade to 1.1 takes this long after "Setting up", so a browser sees its output arrive


def install_demo_repo(root: str | os.PathLike[str]) -> None:
    """Install patchmon-demo 1.0-1 in `root`, offer 1.1-1 (+ its new dependency patchmon-demo-lib) from /srv/repo, apt-get update."""
    root = pathlib.Path(root)
    with tempfile.TemporaryDirectory() as scratch:
        out = pathlib.Path(scratch)
        old = build_demo_deb(out, name=DEMO, version="1.0-1")
        new = [build_demo_deb(out, name=DEMO, version="1.1-1", depends=f"{DEMO_LIB} (>= 1.1-1)", configure_seconds=CONFIGURE_SECONDS),
               build_demo_deb(out, name=DEMO_LIB, version="1.1-1")]
        shutil.copy(old, root / "tmp" / old.name)
        _check(run_in_rootfs(root, ["dpkg", "-i", f"/tmp/{old.name}"]))
        (root / "tmp" / old.name).unlink()
        repo = root / REPO_DIR
        repo.mkdir(parents=True, exist_ok=True)
        for deb in new:
            shutil.copy(deb, repo / deb.name)
    write_repo_index(repo)
    # Only the demo repository: apt-get update inside needs no network.
    (root / "etc/apt/sources.list").write_text("# emptied by tests/e2e/rootfs.py: only sources.list.d/patchmon-demo.list\n")
    (root / "etc/apt/sources.list.d" / f"{DEMO}.list").write_text(DEMO_SOURCES)
    _check(run_in_rootfs(root, ["apt-get", "update"]))


def _check(result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, result.args))} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")


def main(argv: Sequence[str]) -> int:
    """`python -m tests.e2e.rootfs PATH`: debootstrap the base root at PATH unless it is there; print how long it took."""
    if len(argv) != 1:
        sys.stderr.write("usage: python -m tests.e2e.rootfs PATH\n")
        return 2
    started = time.monotonic()
    root = ensure_base_rootfs(argv[0])
    sys.stdout.write(f"base root {root} ready in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
