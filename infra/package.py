"""Build the Lambda deployment package ourselves: one reproducible zip for the pinned runtime.

    python -m infra.package [--out build/package] [--arch arm64|x86_64]
    python -m infra.package --lock        # regenerate infra/lambda-requirements.lock (make lock)

Not `chalice package`: it takes the runtime from the build machine's Python and emits SAM. The zip holds
the runtime dependencies (requirements.txt without chalice, as manylinux wheels for CPython 3.11 on the
target architecture, exactly the versions and hashes of `infra/lambda-requirements.lock`), Chalice's
runtime (`chalice/__init__.py` and `chalice/app.py`, what `chalice package` ships), our code (the files
git tracks under app.py, chalicelib/ and functions/) and the agent's zipapp `patchmon-agent.pyz`.

The same commit gives the same bytes on any build machine: entries sorted, timestamps 1980-01-01, fixed
modes and compression level, no __pycache__, no console scripts (they name the build interpreter), and
RECORD files listing only what ships. The deflate stream comes from the machine's zlib: a zlib fork
(zlib-ng) compresses differently, so compare SHA-256s built with the same zlib (the manifest names it).

Wheels are cached in `.local/wheels`: after the first build (or the first after a new lock) the build
needs no network at all. pip runs without the machine's pip configuration (PIP_CONFIG_FILE=/dev/null, no
find-links or extra indexes), so the lock's hashes are PyPI's; PIP_INDEX_URL may name a PyPI mirror.
"""
from __future__ import annotations

import argparse
import base64
import collections
import csv
import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import pathlib
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass

from chalicelib.install import artefact
from infra import definition

ROOT = pathlib.Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "infra" / "lambda-requirements.lock"
WHEEL_CACHE = ROOT / ".local" / "wheels"
DEFAULT_OUT = ROOT / "build" / "package"
FRONTEND_DIST = ROOT / "frontend" / "dist"
SOURCES = ("app.py", "chalicelib", "functions")
RUNTIME = definition.LAMBDA_RUNTIME
DEFAULT_ARCH = getattr(definition, "LAMBDA_ARCHITECTURE", "arm64")
PYTHON_VERSION = RUNTIME.removeprefix("python")  # "3.11"
ABI = "cp" + PYTHON_VERSION.replace(".", "")  # "cp311"
ELF_MACHINES = {"arm64": ("aarch64", 183), "x86_64": ("x86_64", 62)}  # Lambda's name -> (uname -m, ELF e_machine)
# Lambda's python3.11 runs on Amazon Linux 2 (glibc 2.26): no manylinux_2_28 or later wheel loads there (python3.12+
# runs on Amazon Linux 2023, glibc 2.34: raise this with the runtime).
GLIBC_MINORS = (26, 24, 17)
EXCLUDED_DISTRIBUTION = "chalice"  # only its runtime files ship, copied from the installed distribution
CHALICE_RUNTIME = ("chalice/__init__.py", "chalice/app.py")
# What pip --target puts beside the packages from the wheels' scripts, data and headers: console scripts
# carry the build interpreter's path, and nothing imports the rest (segno's man page).
NOT_IMPORTABLE = ("bin", "share", "include")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6  # zlib's default: a third of level 9's time for 0.2 % more bytes
MAX_ZIPPED = 50 * 1024 * 1024  # Lambda's quota for a zip uploaded directly
MAX_UNZIPPED = 250 * 1024 * 1024  # Lambda's quota for the unzipped package, layers included
MANIFEST = "manifest.json"
PIP_ENV_KEPT = {"PIP_INDEX_URL", "PIP_CERT", "PIP_CLIENT_CERT", "PIP_PROXY", "PIP_TRUSTED_HOST", "PIP_DEFAULT_TIMEOUT", "PIP_RETRIES"}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)\s*(?:#.*)?$")
_WHEEL_COMMENT = re.compile(r"^# ([a-z0-9_ ]+): (\S+\.whl) sha256=([0-9a-f]{64})$")
_LOCKED = re.compile(r"^(\S+)==(\S+)((?: --hash=sha256:[0-9a-f]{64})+)$")


class PackageError(RuntimeError):
    """The package cannot be built as asked (stale lock, wrong chalice, too large, pip failed...)."""


@dataclass(frozen=True)
class Wheel:
    """One wheel of a locked distribution: the architectures it serves, its file name and SHA-256."""

    architectures: tuple[str, ...]
    filename: str
    sha256: str


@dataclass(frozen=True)
class Locked:
    """A distribution of the lock: `name==version` and its wheels."""

    name: str
    version: str
    wheels: tuple[Wheel, ...]


@dataclass(frozen=True)
class Manifest:
    """What `build` wrote: the zip's name, hash and sizes, and what it was built for."""

    lambda_zip: str
    sha256: str
    runtime: str
    architecture: str
    size_bytes: int
    unzipped_bytes: int
    agent_sha256: str
    frontend: dict | None
    zlib_version: str
    bytecode: str

    def to_json(self) -> str:
        """Render as the manifest file's content (sorted keys)."""
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class _Entry:
    name: str
    content: bytes | pathlib.Path
    executable: bool = False

    def read(self) -> bytes:
        return self.content if isinstance(self.content, bytes) else self.content.read_bytes()


def normalize(name: str) -> str:
    """Return a distribution name in PEP 503 form (`PyJWT` -> `pyjwt`, `typing_extensions` -> `typing-extensions`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_pins(requirements: pathlib.Path = REQUIREMENTS) -> dict[str, tuple[str, str]]:
    """Return the pinned requirements by normalized name: (requirement as written, version)."""
    pins = {}
    for raw in requirements.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if not match:
            raise PackageError(f"{requirements.name}: runtime requirements must be `name==version` pins, got {line!r}")
        pins[normalize(match[1])] = (line.split("#")[0].strip(), match[3])
    return pins


def read_lock(path: pathlib.Path = LOCK) -> list[Locked]:
    """Parse the lock: each requirement line with the wheel comments written above it."""
    locked, wheels = [], []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if comment := _WHEEL_COMMENT.match(line):
            wheels.append(Wheel(tuple(comment[1].split()), comment[2], comment[3]))
        elif requirement := _LOCKED.match(line):
            hashes = set(re.findall(r"[0-9a-f]{64}", requirement[3]))
            if not wheels or hashes != {w.sha256 for w in wheels}:
                raise PackageError(f"{path.name}:{number}: the hashes of {requirement[1]} do not match the wheels above it")
            locked.append(Locked(requirement[1], requirement[2], tuple(wheels)))
            wheels = []
        elif line.strip() and not line.startswith("#"):
            raise PackageError(f"{path.name}:{number}: not a lock line: {line!r}")
    return locked


def lock_problems(pins: dict[str, tuple[str, str]], locked: list[Locked]) -> list[str]:
    """Return how the lock disagrees with the runtime pins (chalice excepted); empty when it agrees."""
    versions = {normalize(entry.name): entry.version for entry in locked}
    return [f"{name}=={version} is pinned but the lock has {versions.get(name, 'none')}"
            for name, (_, version) in sorted(pins.items())
            if name != EXCLUDED_DISTRIBUTION and versions.get(name) != version]


def platforms(arch: str) -> list[str]:
    """Return pip's --platform tags for a Lambda architecture, newest glibc first."""
    machine = ELF_MACHINES[arch][0]
    return [f"manylinux_2_{minor}_{machine}" for minor in GLIBC_MINORS] + [f"manylinux2014_{machine}"]


def _target_options(arch: str) -> list[str]:
    options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", PYTHON_VERSION, "--abi", ABI]
    for tag in platforms(arch):
        options += ["--platform", tag]
    return options


def _pip(*args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in PIP_ENV_KEPT}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    result = subprocess.run([sys.executable, "-m", "pip", *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise PackageError(f"pip {args[0]} failed ({result.returncode}):\n{(result.stdout + result.stderr).strip()[-4000:]}")


# --- the lock --------------------------------------------------------------------------------------
def _resolve(arch: str, requirements: pathlib.Path, work: pathlib.Path) -> dict[str, tuple[str, str, str, str]]:
    report = work / f"report-{arch}.json"
    # --target: pip 23.2 (Python 3.11's ensurepip) takes --platform only with it, even for a dry run. pip evaluates
    # environment markers on this machine, not the target: a dependency behind a platform marker (none today) would be missed.
    _pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report), *_target_options(arch),
         "--target", str(work / "target"), "-r", str(requirements))
    resolved = {}
    for item in json.loads(report.read_text())["install"]:
        meta, info = item["metadata"], item["download_info"]
        resolved[normalize(meta["name"])] = (meta["name"], meta["version"], info["url"].rsplit("/", 1)[-1],
                                             info["archive_info"]["hashes"]["sha256"])
    return resolved


def _lock_text(by_arch: dict[str, dict[str, tuple[str, str, str, str]]]) -> str:
    lines = [
        "# The Lambda package's runtime dependencies (infra/package.py): requirements.txt without chalice, with every",
        f"# transitive dependency, as wheels for CPython {PYTHON_VERSION} on Amazon Linux 2 (manylinux, glibc <= 2.{GLIBC_MINORS[0]})",
        f"# for {' and '.join(ELF_MACHINES)}. Generated, do not edit: `make lock` (python -m infra.package --lock) runs",
        "# `pip install --dry-run --ignore-installed --report` once per architecture against PyPI and merges the two.",
        "# Each distribution: one comment per wheel (the architectures it serves, its file, its SHA-256), then one",
        "# requirement line with every wheel's hash, as `pip install --no-deps --require-hashes` takes it.",
    ]
    for name in sorted(set().union(*by_arch.values())):
        versions = {arch: resolved[name][1] if name in resolved else None for arch, resolved in by_arch.items()}
        if len(set(versions.values())) != 1 or None in versions.values():
            raise PackageError(f"{name} resolves differently per architecture: {versions}")
        wheels: dict[tuple[str, str], list[str]] = {}
        for arch, resolved in by_arch.items():
            wheels.setdefault(resolved[name][2:], []).append(arch)
        lines.append("")
        lines += [f"# {' '.join(archs)}: {filename} sha256={sha256}" for (filename, sha256), archs in wheels.items()]
        lines.append(f"{name}=={versions.popitem()[1]}" + "".join(f" --hash=sha256:{sha256}" for _, sha256 in wheels))
    return "\n".join(lines) + "\n"


def lock(requirements: pathlib.Path = REQUIREMENTS, out: pathlib.Path = LOCK) -> list[Locked]:
    """Resolve the runtime requirements for every architecture and write the merged lock."""
    pins = runtime_pins(requirements)
    with tempfile.TemporaryDirectory(prefix="patchmon-lock-") as tmp:
        work = pathlib.Path(tmp)
        runtime = work / "requirements.txt"
        runtime.write_text("".join(f"{line}\n" for name, (line, _) in sorted(pins.items()) if name != EXCLUDED_DISTRIBUTION))
        text = _lock_text({arch: _resolve(arch, runtime, work) for arch in ELF_MACHINES})
    out.write_text(text)
    locked = read_lock(out)
    if problems := lock_problems(pins, locked):
        raise PackageError("the new lock disagrees with the pins: " + "; ".join(problems))
    return locked


# --- the contents ----------------------------------------------------------------------------------
def _install_dependencies(arch: str, site: pathlib.Path, cache: pathlib.Path) -> None:
    install = ["install", "--no-deps", "--require-hashes", *_target_options(arch), "--no-index", "--find-links", str(cache),
               "--target", str(site), "--no-compile", "--quiet", "-r", str(LOCK)]
    try:
        _pip(*install)
        return
    except PackageError:  # a wheel of the lock is not cached yet: the only step that needs the network
        shutil.rmtree(site, ignore_errors=True)
    sys.stderr.write(f"downloading the {arch} wheels of {LOCK.name} into {cache}\n")
    _pip("download", "--no-deps", "--require-hashes", *_target_options(arch), "--dest", str(cache), "--quiet", "-r", str(LOCK))
    _pip(*install)


def _record(path: pathlib.Path, shipped: set[str]) -> bytes:
    rows = [row for row in csv.reader(io.StringIO(path.read_text())) if row and row[0] in shipped]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(sorted(rows))
    return out.getvalue().encode()


def _shipped_from(site: pathlib.Path) -> list[pathlib.Path]:
    files = []
    for path in sorted(site.rglob("*")):
        parts = path.relative_to(site).parts
        if parts[0] in NOT_IMPORTABLE or "__pycache__" in parts or path.suffix == ".pyc" or path.name == "direct_url.json":
            continue
        if path.is_file():
            files.append(path)
    return files


def _dependency_entries(site: pathlib.Path) -> list[_Entry]:
    files = _shipped_from(site)
    shipped = {p.relative_to(site).as_posix() for p in files}
    entries = []
    for path in files:
        name = path.relative_to(site).as_posix()
        executable = bool(path.stat().st_mode & stat.S_IXUSR)
        if path.parent.name.endswith(".dist-info") and path.name == "RECORD":  # drop the rows of what does not ship
            entries.append(_Entry(name, _record(path, shipped), executable))
        else:
            entries.append(_Entry(name, path, executable))
    local_paths = [str(p).encode() for p in (site, ROOT, sys.executable)]
    for entry in entries:
        if ".dist-info/" in entry.name and any(local in entry.read() for local in local_paths):
            raise PackageError(f"{entry.name} names a path of the build machine")
    return entries


def _chalice_entries(pins: dict[str, tuple[str, str]]) -> list[_Entry]:
    installed = importlib.metadata.distribution("chalice")
    pinned = pins.get("chalice", ("", "none"))[1]
    if installed.version != pinned:
        raise PackageError(f"chalice {installed.version} is installed but requirements.txt pins {pinned}: run make setup")
    recorded = {f.as_posix(): f.hash for f in installed.files or ()}
    entries = []
    for name in CHALICE_RUNTIME:
        data = pathlib.Path(installed.locate_file(name)).read_bytes()
        digest = recorded.get(name)
        actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if digest is None or (digest.mode, digest.value) != ("sha256", actual):
            raise PackageError(f"the installed {name} differs from chalice {pinned}'s wheel: reinstall it")
        entries.append(_Entry(name, data))
    return entries


def _git(root: pathlib.Path, *args: str) -> list[str] | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args, "-z", "--", *SOURCES], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return [record for record in out.decode().split("\0") if record]


def _tracked(root: pathlib.Path) -> list[tuple[str, bool]] | None:
    records = _git(root, "ls-files", "--stage")
    if records is None:
        return None
    untracked = [name for name in _git(root, "ls-files", "--others", "--exclude-standard") or () if not name.endswith(".pyc")]
    if untracked:  # a new module not yet added would make the package fail at import
        sys.stderr.write(f"warning: not shipped, untracked by git: {', '.join(untracked)}\n")
    files = []
    for record in records:
        meta, name = record.split("\t", 1)
        files.append((name, meta.split()[0] == "100755"))
    return files


def _walked(root: pathlib.Path) -> list[tuple[str, bool]]:
    paths = [root / SOURCES[0]] + [p for d in SOURCES[1:] for p in (root / d).rglob("*")]
    return [(p.relative_to(root).as_posix(), bool(p.stat().st_mode & stat.S_IXUSR)) for p in paths
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)]


def _source_entries(root: pathlib.Path = ROOT) -> list[_Entry]:
    """Our code: the files git tracks (untracked files never ship), or a walk outside a git checkout."""
    files = _tracked(root)
    if files is None:
        files = _walked(root)
    return [_Entry(name, root / name, executable) for name, executable in sorted(files)
            if (root / name).is_file() and "__pycache__" not in name.split("/") and not name.endswith(".pyc")]


def _agent_entry() -> tuple[_Entry, str]:
    built = artefact.build()
    return _Entry(artefact.FILENAME, built.data, executable=True), built.sha256


def _check_elf(entries: list[_Entry], arch: str) -> None:
    """Refuse a shared object built for another machine (a wheel of the wrong platform would fail at import)."""
    _, machine = ELF_MACHINES[arch]
    for entry in entries:
        if entry.name.endswith(".so") or ".so." in entry.name.rsplit("/", 1)[-1]:
            header = entry.read()[:20]
            if header[:4] != b"\x7fELF" or int.from_bytes(header[18:20], "little" if header[5] == 1 else "big") != machine:
                raise PackageError(f"{entry.name} is not an ELF object for {arch}")


# --- the zip ---------------------------------------------------------------------------------------
def _zip(entries: list[_Entry]) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    unzipped = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for entry in sorted(entries, key=lambda e: e.name):
            info = zipfile.ZipInfo(entry.name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so Lambda honours the permission bits
            info.external_attr = (stat.S_IFREG | (0o755 if entry.executable else 0o644)) << 16
            data = entry.read()
            unzipped += len(data)
            archive.writestr(info, data, compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue(), unzipped


def check_size(zipped: int, unzipped: int) -> None:
    """Refuse a package over Lambda's quotas, naming both sizes."""
    if zipped > MAX_ZIPPED or unzipped > MAX_UNZIPPED:
        raise PackageError(f"the package is {zipped:,} bytes zipped and {unzipped:,} unzipped; "
                           f"Lambda takes at most {MAX_ZIPPED:,} zipped and {MAX_UNZIPPED:,} unzipped")


def _contents(arch: str, site: pathlib.Path, cache: pathlib.Path) -> tuple[list[_Entry], str]:
    pins = runtime_pins()
    if problems := lock_problems(pins, read_lock()):
        raise PackageError(f"{LOCK.name} is stale, run `make lock`: " + "; ".join(problems))
    _install_dependencies(arch, site, cache)
    agent, agent_sha256 = _agent_entry()
    entries = _dependency_entries(site) + _chalice_entries(pins) + _source_entries() + [agent]
    if clashes := sorted(name for name, count in collections.Counter(e.name for e in entries).items() if count > 1):
        raise PackageError(f"two sources for the same path in the package: {', '.join(clashes[:10])}")
    _check_elf(entries, arch)
    return entries + _bytecode(entries), agent_sha256


def _bytecode(entries: list[_Entry]) -> list[_Entry]:
    """The compiled modules, next to their sources as Python would write them.

    Lambda cannot write __pycache__ under /var/task, so without them every cold start compiles every module it
    imports (1.4-2 s of imports here instead of 0.7 s). Unchecked-hash .pyc files are used as they are, never
    compared with the source's timestamp, so they carry no build time; a fresh interpreter with a fixed hash seed
    compiles them, and Python 3.11 marshals sets in a stable order: the same sources give the same bytes.
    """
    tag = "cpython-" + PYTHON_VERSION.replace(".", "")
    if sys.implementation.cache_tag != tag:
        raise PackageError(f"the bytecode for {RUNTIME} is compiled by Python {PYTHON_VERSION}; this is {platform.python_version()}")
    sources = [e for e in entries if e.name.endswith(".py")]
    with tempfile.TemporaryDirectory(prefix="patchmon-bytecode-") as tmp:
        root = pathlib.Path(tmp)
        for entry in sources:
            (root / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (root / entry.name).write_bytes(entry.read())
        # A module that does not compile (none does today) is shipped without bytecode, as pip would.
        subprocess.run([sys.executable, "-I", "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash",
                        "-d", definition.LAMBDA_TASK_ROOT, str(root)],
                       env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")}, capture_output=True, check=False)
        compiled = (importlib.util.cache_from_source(entry.name) for entry in sources)
        return [_Entry(name, (root / name).read_bytes()) for name in compiled if (root / name).is_file()]


def _copy_frontend(out_dir: pathlib.Path) -> dict | None:
    target = out_dir / "frontend"
    shutil.rmtree(target, ignore_errors=True)
    if not FRONTEND_DIST.is_dir():
        return None
    shutil.copytree(FRONTEND_DIST, target)
    return {"dir": target.relative_to(out_dir).as_posix(), "files": sum(1 for p in target.rglob("*") if p.is_file())}


def build(out_dir: pathlib.Path = DEFAULT_OUT, arch: str = DEFAULT_ARCH, *, wheel_cache: pathlib.Path = WHEEL_CACHE) -> Manifest:
    """Build the Lambda zip for `arch` into `out_dir` (named by its SHA-256), with manifest.json and the frontend."""
    if arch not in ELF_MACHINES:
        raise PackageError(f"unknown architecture {arch!r}: one of {', '.join(ELF_MACHINES)}")
    wheel_cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="patchmon-package-") as tmp:
        entries, agent_sha256 = _contents(arch, pathlib.Path(tmp) / "site", wheel_cache)
        data, unzipped = _zip(entries)
    check_size(len(data), unzipped)
    sha256 = hashlib.sha256(data).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("lambda-*.zip"):
        old.unlink()
    name = f"lambda-{sha256[:16]}.zip"
    partial = out_dir / f".{name}.partial"
    partial.write_bytes(data)
    partial.replace(out_dir / name)
    manifest = Manifest(lambda_zip=name, sha256=sha256, runtime=RUNTIME, architecture=arch, size_bytes=len(data),
                        unzipped_bytes=unzipped, agent_sha256=agent_sha256, frontend=_copy_frontend(out_dir),
                        zlib_version=zlib.ZLIB_RUNTIME_VERSION, bytecode=platform.python_version())
    (out_dir / MANIFEST).write_text(manifest.to_json())
    return manifest


def read_manifest(out_dir: pathlib.Path = DEFAULT_OUT) -> Manifest:
    """Read the manifest a build wrote into `out_dir`."""
    return Manifest(**json.loads((out_dir / MANIFEST).read_text()))


def main(argv: list[str] | None = None) -> int:
    """Build the package (or, with --lock, regenerate the lock) and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="output directory (default: build/package)")
    parser.add_argument("--arch", choices=sorted(ELF_MACHINES), default=DEFAULT_ARCH, help=f"Lambda architecture (default: {DEFAULT_ARCH})")
    parser.add_argument("--lock", action="store_true", help=f"regenerate {LOCK.relative_to(ROOT)} from requirements.txt (needs PyPI)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if args.lock:
            locked = lock()
            sys.stdout.write(f"{LOCK.relative_to(ROOT)}: {len(locked)} distributions for {', '.join(ELF_MACHINES)}\n")
            return 0
        manifest = build(args.out, args.arch)
    except PackageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(f"{args.out / manifest.lambda_zip} sha256:{manifest.sha256} {manifest.runtime}/{manifest.architecture} "
                     f"{manifest.size_bytes / 1e6:.1f} MB zipped, {manifest.unzipped_bytes / 1e6:.1f} MB unzipped "
                     f"({time.monotonic() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
