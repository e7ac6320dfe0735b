"""Who may import whom (CONVENTIONS.md §2), checked over the source tree's imports."""
from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _imports(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _files(folder: str) -> list[pathlib.Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _files("chalicelib"), ids=lambda p: str(p.relative_to(ROOT)))
def test_chalicelib_never_imports_the_app_functions_or_infra_when_scanned(path):
    bad = {n for n in _imports(path) if n.split(".")[0] in {"app", "functions", "infra", "tests", "agent"}}
    assert not bad, bad


@pytest.mark.parametrize("path", _files("chalicelib"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_routes_and_web_import_chalice_when_scanned(path):
    uses_chalice = any(n == "chalice" or n.startswith("chalice.") for n in _imports(path))
    allowed = path.name == "routes.py" or "web" in path.relative_to(ROOT / "chalicelib").parts[:1]
    assert allowed or not uses_chalice


@pytest.mark.parametrize("path", _files("chalicelib"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_domain_reads_another_domains_store_when_scanned(path):
    parts = path.relative_to(ROOT / "chalicelib").parts
    domain = parts[0]
    for name in _imports(path):
        segments = name.split(".")
        if len(segments) >= 3 and segments[0] == "chalicelib" and segments[2] == "store":
            assert segments[1] == domain, f"{path.name} reads {name}"


@pytest.mark.parametrize("path", _files("functions"), ids=lambda p: str(p.relative_to(ROOT)))
def test_workers_never_import_routes_web_or_chalice_when_scanned(path):
    for name in _imports(path):
        assert not (name == "chalice" or name.startswith("chalice.") or ".routes" in name or name.startswith("chalicelib.web") or name == "app"), name
