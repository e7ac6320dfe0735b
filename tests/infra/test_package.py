"""The Lambda package (infra/package.py): locked, reproducible, for the target architecture, and complete.

The builds need PyPI the first time (wheels are then cached in .local/wheels): one module-scoped build per
architecture, plus a second arm64 build for the byte comparison, all on one xdist worker.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass

import pytest

from infra import package
from infra.definition import DEFINITION

pytestmark = [pytest.mark.xdist_group("package"), pytest.mark.timeout(900)]  # a cold wheel cache downloads ~35 MB of wheels

ROOT = pathlib.Path(__file__).resolve().parents[2]
ELF_MACHINE = {"arm64": 183, "x86_64": 62}
MACHINE_NAME = {"arm64": "aarch64", "x86_64": "x86_64"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")
HANDLER_MODULES = sorted({fn.handler.rsplit(".", 1)[0] for fn in DEFINITION.functions})


@dataclass(frozen=True)
class Built:
    out: pathlib.Path
    manifest: package.Manifest

    @property
    def zip_path(self) -> pathlib.Path:
        return self.out / self.manifest.lambda_zip

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.zip_path) as archive:
            return archive.namelist()


def _build(tmp_path_factory: pytest.TempPathFactory, arch: str, label: str) -> Built:
    out = tmp_path_factory.mktemp(label)
    return Built(out, package.build(out, arch))


@pytest.fixture(scope="module")
def arm64(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "arm64", "arm64-first")


@pytest.fixture(scope="module")
def arm64_again(tmp_path_factory: pytest.TempPathFactory, arm64: Built) -> Built:
    return _build(tmp_path_factory, "arm64", "arm64-second")


@pytest.fixture(scope="module")
def x86_64(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "x86_64", "x86_64")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if match := PIN.match(line.strip()):
            pins[package.normalize(match[1])] = match[2]
    return pins


def _platform_tags(filename: str) -> list[str]:
    return filename.removesuffix(".whl").split("-")[-1].split(".")


# --- the lock --------------------------------------------------------------------------------------
def test_lock_has_every_runtime_pin_of_requirements_when_read():
    """Every name==version of requirements.txt but chalice is in the lock at the same version."""
    # Given
    pins = _pins()
    # When
    locked = {package.normalize(entry.name): entry.version for entry in package.read_lock()}
    # Then
    assert "boto3" in pins and "chalice" in pins
    assert {name: locked.get(name) for name in pins if name != "chalice"} == {n: v for n, v in pins.items() if n != "chalice"}
    assert "chalice" not in locked


def test_lock_check_reports_a_pin_the_lock_lacks_when_requirements_change(tmp_path):
    """The build's own lock check names a requirement bumped without `make lock`."""
    # Given
    requirements = tmp_path / "requirements.txt"
    requirements.write_text((ROOT / "requirements.txt").read_text().replace("boto3==", "boto3==0.0.1#was "))
    # When
    problems = package.lock_problems(package.runtime_pins(requirements), package.read_lock())
    # Then
    assert problems == [f"boto3==0.0.1 is pinned but the lock has {_pins()['boto3']}"]


def test_every_locked_distribution_has_a_hashed_wheel_for_each_architecture_when_read():
    """A platform wheel serves one architecture and is built for it; a pure wheel serves both with one hash."""
    for entry in package.read_lock():
        served = sorted(arch for wheel in entry.wheels for arch in wheel.architectures)
        assert served == ["arm64", "x86_64"], entry.name
        for wheel in entry.wheels:
            tags = _platform_tags(wheel.filename)
            if tags == ["any"]:
                assert len(entry.wheels) == 1, entry.name
            else:
                (arch,) = wheel.architectures
                assert all(t.startswith("manylinux") and t.endswith(MACHINE_NAME[arch]) for t in tags), wheel.filename
        assert len({w.sha256 for w in entry.wheels}) == len(entry.wheels), entry.name


# --- the arm64 zip ---------------------------------------------------------------------------------
def test_arm64_zip_is_byte_identical_when_built_twice(arm64, arm64_again):
    """Two builds of the same tree give the same bytes, hence the same name and manifest."""
    assert arm64.zip_path.read_bytes() == arm64_again.zip_path.read_bytes()
    assert arm64.manifest == arm64_again.manifest


def test_manifest_describes_the_zip_when_built(arm64):
    """manifest.json names the zip by its SHA-256 and gives its sizes, the target and the agent's hash."""
    # When
    manifest = package.read_manifest(arm64.out)
    raw = (arm64.out / "manifest.json").read_text()
    # Then
    data = arm64.zip_path.read_bytes()
    assert manifest == arm64.manifest
    assert list(json.loads(raw)) == sorted(json.loads(raw))
    assert manifest.sha256 == hashlib.sha256(data).hexdigest()
    assert manifest.lambda_zip == f"lambda-{manifest.sha256[:16]}.zip"
    assert (manifest.runtime, manifest.architecture, manifest.size_bytes) == ("python3.11", "arm64", len(data))
    with zipfile.ZipFile(arm64.zip_path) as archive:
        assert manifest.unzipped_bytes == sum(i.file_size for i in archive.infolist())
        assert manifest.agent_sha256 == hashlib.sha256(archive.read("patchmon-agent.pyz")).hexdigest()
    assert sorted(p.name for p in arm64.out.glob("lambda-*.zip")) == [manifest.lambda_zip]


def test_arm64_zip_is_within_lambdas_limits_when_built(arm64):
    """At most 50 MB zipped and 250 MB unzipped (Lambda's quotas for a directly uploaded zip)."""
    assert arm64.manifest.size_bytes <= 50 * 1024 * 1024
    assert arm64.manifest.unzipped_bytes <= 250 * 1024 * 1024


def test_every_shared_object_is_an_aarch64_cp311_extension_when_built_for_arm64(arm64):
    """Each .so is a 64-bit little-endian ELF for aarch64 (e_machine 183), tagged cp311 or abi3."""
    with zipfile.ZipFile(arm64.zip_path) as archive:
        objects = [n for n in archive.namelist() if n.endswith(".so") or ".so." in n.rsplit("/", 1)[-1]]
        assert len(objects) >= 4  # cffi, cryptography, pydantic-core, argon2 bindings
        for name in objects:
            header = archive.read(name)[:20]
            assert header[:4] == b"\x7fELF" and header[4] == 2 and header[5] == 1, name
            assert int.from_bytes(header[18:20], "little") == ELF_MACHINE["arm64"], name
            if name.endswith(".so"):
                assert name.endswith(".abi3.so") or name.endswith(".cpython-311-aarch64-linux-gnu.so"), name


def test_arm64_zip_holds_the_app_every_handler_chalice_and_the_agent_when_built(arm64):
    """app.py, every function's handler module, Chalice's runtime and the agent zipapp are at the root."""
    names = set(arm64.names())
    expected = {m.replace(".", "/") + ".py" for m in HANDLER_MODULES} | {"app.py", "chalice/__init__.py", "chalice/app.py",
                                                                          "patchmon-agent.pyz"}
    assert expected <= names
    assert {n for n in names if n.startswith("chalice/") and not n.endswith(".pyc")} == {"chalice/__init__.py", "chalice/app.py"}
    assert not {n for n in names if n.split("/")[0] in ("tests", "infra", "frontend", "agent")}


def test_arm64_zip_ships_every_tracked_file_of_our_packages_when_built(arm64):
    """Every file git tracks under chalicelib/ and functions/ ships, data files (install scripts, docs) included."""
    # Given
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "chalicelib", "functions"],
                             capture_output=True, text=True, check=False)
    if tracked.returncode:
        pytest.skip("not a git checkout")
    on_disk = {n for n in tracked.stdout.split() if (ROOT / n).is_file()}
    # Then
    assert {"chalicelib/install/scripts/install.sh", "chalicelib/system/static/docs.html"} <= on_disk
    assert on_disk <= set(arm64.names())


def test_arm64_zip_has_unchecked_bytecode_for_every_module_when_built(arm64):
    """Each .py has its cpython-311 .pyc, hash-based and unchecked (Lambda cannot write a __pycache__ of its own)."""
    with zipfile.ZipFile(arm64.zip_path) as archive:
        names = set(archive.namelist())
        sources = {n for n in names if n.endswith(".py")}
        compiled = {n for n in names if n.endswith(".pyc")}
        assert compiled == {importlib.util.cache_from_source(n) for n in sources}
        for name in ("app.py", "chalicelib/core/db.py", "pydantic/main.py"):
            header = archive.read(importlib.util.cache_from_source(name))[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(header[4:8], "little") == 0b01, name
            assert header[8:16] == importlib.util.source_hash(archive.read(name)), name
    assert arm64.manifest.bytecode.startswith("3.11.")


def test_arm64_zip_has_no_scripts_or_build_paths_when_built(arm64):
    """No bin/ or share/, no stray bytecode, and no dist-info file names a path of the build machine."""
    with zipfile.ZipFile(arm64.zip_path) as archive:
        names = archive.namelist()
        assert not [n for n in names if n.split("/")[0] in ("bin", "share")]
        assert not [n for n in names if n.endswith(".pyc") and "/__pycache__/" not in "/" + n]
        assert not [n for n in names if n.endswith("/direct_url.json")]
        for name in (n for n in names if ".dist-info/" in n):
            text = archive.read(name)
            assert str(ROOT).encode() not in text and b"/tmp/" not in text, name
        records = [n for n in names if n.endswith(".dist-info/RECORD")]
        assert records
        shipped = set(names)
        for record in records:
            rows = [line.split(",")[0] for line in archive.read(record).decode().splitlines()]
            assert set(rows) <= shipped, record


def test_arm64_zip_entries_are_sorted_dated_1980_with_fixed_modes_when_built(arm64):
    """Sorted files only, each dated 1980-01-01, deflated, mode 0644 or 0755 (native code and the zipapp)."""
    with zipfile.ZipFile(arm64.zip_path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert not [i.filename for i in infos if i.is_dir()]
    modes = {i.filename: (i.external_attr >> 16) & 0o7777 for i in infos}
    assert set(modes.values()) <= {0o644, 0o755}
    assert modes["app.py"] == 0o644 and modes["patchmon-agent.pyz"] == 0o755


def test_build_refuses_a_chalice_other_than_the_pin_when_versions_differ():
    """Chalice's runtime files are copied only from the pinned version."""
    with pytest.raises(package.PackageError, match="requirements.txt pins 0.0.1"):
        package._chalice_entries({"chalice": ("chalice==0.0.1", "0.0.1")})


def test_chalice_imports_from_its_two_runtime_files_when_alone(tmp_path):
    """chalice/__init__.py and chalice/app.py, with nothing else of chalice, give everything our code imports."""
    # Given
    for entry in package._chalice_entries(package.runtime_pins()):
        (tmp_path / entry.name).parent.mkdir(exist_ok=True)
        (tmp_path / entry.name).write_bytes(entry.read())
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from chalice import Blueprint, Chalice, ConvertToMiddleware, Response; "
            "from chalice.app import WebsocketEvent; import chalice; print(chalice.__file__)")
    # When
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(tmp_path)], capture_output=True, text=True, check=False)
    # Then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "chalice" / "__init__.py")


def test_size_check_refuses_a_package_over_lambdas_quota_when_too_large():
    """A zip over 50 MB or an unzipped tree over 250 MB fails the build with both sizes."""
    package.check_size(50 * 1024 * 1024, 250 * 1024 * 1024)
    with pytest.raises(package.PackageError, match="zipped"):
        package.check_size(50 * 1024 * 1024 + 1, 1)
    with pytest.raises(package.PackageError, match="unzipped"):
        package.check_size(1, 250 * 1024 * 1024 + 1)


# --- completeness, on this machine's architecture --------------------------------------------------
SMOKE = """
import importlib, json, os, sys
root, stdlib = sys.argv[1], sys.path[:]
sys.path[:] = [root] + stdlib
handlers = json.loads(sys.argv[2])
for handler in handlers:
    module, attribute = handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute)), handler
from chalicelib.install import artefact
outside = sorted(name for name, m in sys.modules.items()
                 if getattr(m, "__file__", None) and not m.__file__.startswith((root + os.sep, sys.base_prefix + os.sep)))
print(json.dumps({"agent_sha256": artefact.current().sha256, "outside": outside, "path": sys.path}))
"""


def test_x86_64_zip_imports_every_handler_with_nothing_but_its_own_files_when_unzipped(x86_64, tmp_path):
    """With only the unzipped package and the stdlib on sys.path, every handler imports and is callable."""
    # Given
    with zipfile.ZipFile(x86_64.zip_path) as archive:
        archive.extractall(tmp_path)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_DEFAULT_REGION": "us-east-1", "LANG": "C.UTF-8",
           "AGENT_ARTEFACT_PATH": str(tmp_path / "patchmon-agent.pyz")}
    handlers = [fn.handler for fn in DEFINITION.functions]
    # When
    result = subprocess.run([sys.executable, "-I", "-S", "-c", SMOKE, str(tmp_path), json.dumps(handlers)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=120)
    # Then
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["outside"] == []
    assert report["path"][0] == str(tmp_path) and not [p for p in report["path"][1:] if "site-packages" in p]
    assert report["agent_sha256"] == x86_64.manifest.agent_sha256 == package.read_manifest(x86_64.out).agent_sha256
