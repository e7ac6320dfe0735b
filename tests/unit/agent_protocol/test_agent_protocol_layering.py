"""chalicelib/agent_protocol is vendored into the standard-library-only agent: stdlib imports only."""
from __future__ import annotations

import ast
import pathlib
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[3] / "chalicelib" / "agent_protocol"
FILES = sorted(PACKAGE.rglob("*.py"))


def _foreign_imports(path: pathlib.Path) -> list[str]:
    foreign = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside the vendored package
                continue
            modules = [node.module or ""]
        else:
            continue
        foreign += [m for m in modules if m.split(".")[0] not in sys.stdlib_module_names]
    return foreign


def test_package_has_the_expected_modules_when_listed():
    assert {p.name for p in FILES} >= {"__init__.py", "canonical.py", "constants.py"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_module_imports_only_the_standard_library_when_parsed(path):
    assert _foreign_imports(path) == []


def test_checker_flags_a_non_stdlib_import_when_present(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom . import canonical\nimport pydantic\nfrom chalicelib.core import db\n")
    assert _foreign_imports(sample) == ["pydantic", "chalicelib.core"]
