"""docs/deploy.md's parameter table against the template and the stage files, so the page cannot drift from them."""
from __future__ import annotations

import json
import pathlib
import re

from infra import deploy
from infra.template import render

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
ROW = re.compile(r"^\| (`[A-Za-z0-9]+`(?:, `[A-Za-z0-9]+`)*) \| ([^|]+) \|", re.M)


def _rows() -> dict[str, str]:
    rows = {}
    for names, default in ROW.findall(DOC.read_text()):
        for name in re.findall(r"`([A-Za-z0-9]+)`", names):
            rows[name] = default.strip()
    return rows


def _effective(stage: str) -> dict[str, object]:
    """What a stage deploys when the installation's file sets nothing: the template's defaults, then the stage file."""
    defaults = {name: p.get("Default") for name, p in render()["Parameters"].items()}
    return {**defaults, **json.loads((deploy.STAGES_DIR / f"{stage}.json").read_text())}


def test_the_parameter_table_names_every_template_parameter_once_when_read():
    assert set(_rows()) == set(render()["Parameters"])


def test_the_parameter_table_states_the_defaults_each_stage_really_deploys_when_read():
    stages = {stage: _effective(stage) for stage in ("dev", "prod")}
    for name, default in _rows().items():
        values = {stage: effective[name] for stage, effective in stages.items()}
        if default == "— (required)":
            assert values == {"dev": None, "prod": None}, name
        elif default == "empty":
            assert values == {"dev": "", "prod": ""}, name
        elif literal := re.fullmatch(r"`([^`]+)`", default):
            assert {str(v) for v in values.values()} == {literal.group(1)}, name
        elif per_stage := re.fullmatch(r"dev (\S+), prod (\S+)", default):
            assert (str(values["dev"]), str(values["prod"])) == per_stage.groups(), name
        else:
            assert default in ("from the command", "filled in by `make deploy`"), (name, default)
