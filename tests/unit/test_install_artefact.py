"""The agent's zipapp: deterministic bytes, the right layout, and where the served build comes from."""
from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import zipfile

import pytest

from chalicelib.install import artefact


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(artefact.ARTEFACT_PATH_ENV, raising=False)
    artefact.reset_cache()
    yield
    artefact.reset_cache()


@pytest.fixture
def source(tmp_path):
    """A copy of the repository's agent source that a test may change."""
    copy = tmp_path / "agent"
    shutil.copytree(artefact.SOURCE_DIR / artefact.PACKAGE, copy / artefact.PACKAGE)
    return copy


def test_build_gives_the_same_bytes_when_built_twice_from_the_same_source(source):
    first, second = artefact.build(source), artefact.build(source)
    assert first.data == second.data
    assert first.sha256 == second.sha256 == hashlib.sha256(first.data).hexdigest()


def test_build_gives_the_same_bytes_when_file_times_and_modes_differ(source):
    before = artefact.build(source)
    init = source / artefact.PACKAGE / "__init__.py"
    init.touch()
    init.chmod(0o600)
    (source / artefact.PACKAGE / "__pycache__").mkdir(exist_ok=True)
    (source / artefact.PACKAGE / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"junk")
    assert artefact.build(source).data == before.data


def test_build_changes_when_the_source_changes(source):
    before = artefact.build(source)
    (source / artefact.PACKAGE / "extra.py").write_text("X = 1\n")
    assert artefact.build(source).sha256 != before.sha256


def test_build_is_a_zipapp_with_sorted_entries_fixed_times_and_modes_when_built(source):
    built = artefact.build(source)
    assert built.data.startswith(b"#!/usr/bin/env python3\n")
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "__main__.py"
        assert names[1:] == sorted(names[1:]) and "patchmon_agent/__init__.py" in names
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) and i.external_attr >> 16 == 0o100644 for i in infos)
        assert "patchmon_agent.__main__ import main" in archive.read("__main__.py").decode()
    assert built.version == "0.1.0"


def test_built_agent_prints_its_version_when_run_by_python(tmp_path, source):
    target = tmp_path / "patchmon-agent.pyz"
    target.write_bytes(artefact.build(source).data)
    done = subprocess.run([sys.executable, str(target), "version"], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "PatchMon Agent v0.1.0")
    helped = subprocess.run([sys.executable, str(target), "--help"], capture_output=True, text=True, timeout=30, check=False)
    assert helped.returncode == 0 and "Usage: patchmon-agent" in helped.stdout


def test_version_of_fails_when_the_package_declares_none():
    with pytest.raises(ValueError, match="__version__"):
        artefact.version_of("X = 1\n")


def test_current_builds_once_from_the_repository_when_no_prebuilt_path_is_set():
    first = artefact.current()
    assert first is not None and first is artefact.current()
    assert first.data == artefact.build().data


def test_current_serves_the_prebuilt_file_when_agent_artefact_path_is_set(monkeypatch, tmp_path, source):
    (source / artefact.PACKAGE / "__init__.py").write_text('__version__ = "2.0.0"\n')
    prebuilt = tmp_path / "shipped.pyz"
    prebuilt.write_bytes(artefact.build(source).data)
    monkeypatch.setenv(artefact.ARTEFACT_PATH_ENV, str(prebuilt))
    found = artefact.current()
    assert found is not None and found.version == "2.0.0" and found.data == prebuilt.read_bytes()


@pytest.mark.parametrize("case", ["missing prebuilt", "corrupt prebuilt", "no source"])
def test_current_is_none_when_there_is_nothing_to_serve(monkeypatch, tmp_path, case):
    if case == "no source":
        monkeypatch.setattr(artefact, "SOURCE_DIR", tmp_path / "absent")
    else:
        path = tmp_path / "shipped.pyz"
        if case == "corrupt prebuilt":
            path.write_bytes(b"not a zip")
        monkeypatch.setenv(artefact.ARTEFACT_PATH_ENV, str(path))
    assert artefact.current() is None


def test_main_writes_the_build_when_run_as_make_agent_does(tmp_path, capsys):
    out = tmp_path / "dist" / "patchmon-agent.pyz"
    assert artefact.main([str(out)]) == 0
    assert out.read_bytes() == artefact.build().data
    assert artefact.build().sha256 in capsys.readouterr().out
