"""The report, partial reports and the check-in body, assembled from injected collectors; the shared canonical hashes."""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

from patchmon_agent import report as reports
from patchmon_agent.protocol import canonical
from tests.agent.agent_fakes import FakeHost, Packages, reset_agent_logger  # noqa: F401 (autouse fixture)

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = json.loads((ROOT / "tests/contract/canonical_fixtures.json").read_text())
WIRE_ORDER = ["packages", "repositories", "osType", "osVersion", "hostname", "ip", "architecture", "agentVersion", "machineId",
              "kernelVersion", "selinuxStatus", "systemUptime", "loadAverage", "cpuModel", "cpuCores", "ramInstalled", "swapSize",
              "diskDetails", "gatewayIp", "dnsServers", "networkInterfaces", "executionTime", "needsReboot", "packageManager", "hashes",
              "agentExecutionMs"]


# --- the canonical hashes the agent uses (patchmon_agent.protocol -> chalicelib/agent_protocol) ------------

def test_agent_hashes_match_the_shared_fixture_vectors_when_computed():
    assert canonical.packages_hash(FIXTURES["packages"]["input"]) == FIXTURES["packages"]["expected_hash"]
    assert canonical.repos_hash(FIXTURES["repos"]["input"]) == FIXTURES["repos"]["expected_hash"]
    assert canonical.interfaces_hash(FIXTURES["interfaces"]["input"]) == FIXTURES["interfaces"]["expected_hash"]
    assert canonical.hostname_hash(FIXTURES["hostname"]["input"]) == FIXTURES["hostname"]["expected_hash"]
    nfd = FIXTURES["hostname_nfd"]
    assert canonical.hostname_hash(nfd["input_nfd"]) == canonical.hostname_hash(nfd["input_nfc"]) == nfd["expected_hash"]
    assert canonical.docker_hash(FIXTURES["docker"]["input"]) == FIXTURES["docker"]["expected_hash"]
    assert canonical.compliance_hash(FIXTURES["compliance"]["input"]["scans"]) == FIXTURES["compliance"]["expected_hash"]


def _python39() -> str | None:
    """A Python 3.9 interpreter that really runs (pyenv shims on PATH may not), or None."""
    candidates = [str(p) for p in sorted(pathlib.Path("/root/.pyenv/versions").glob("3.9*/bin/python3.9"))] + [shutil.which("python3.9")]
    for candidate in filter(None, candidates):
        try:
            if subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 9)"], capture_output=True,
                              timeout=30, check=False).returncode == 0:
                return candidate
        except OSError:
            continue
    return None


PYTHON39 = _python39()


@pytest.mark.skipif(PYTHON39 is None, reason="no python3.9 on this machine")
def test_agent_modules_import_and_run_on_python39_when_started(tmp_path):
    """The agent runs on the host's python3 >= 3.9: every module imports and the CLI answers there."""
    modules = sorted(p.stem for p in (ROOT / "agent/patchmon_agent").glob("*.py") if p.stem != "__main__")
    script = "import importlib, sys; [importlib.import_module('patchmon_agent.' + m) for m in sys.argv[1:]]"
    done = subprocess.run([PYTHON39, "-c", script, *modules], capture_output=True, text=True, cwd=ROOT / "agent", timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = subprocess.run([PYTHON39, "-m", "patchmon_agent", "--config", str(tmp_path / "none.yml"), "config", "show"], capture_output=True,
                           text=True, cwd=ROOT / "agent", timeout=60, check=False)
    assert shown.returncode == 0 and "Not set" in shown.stdout, shown.stderr[-2000:]


@pytest.mark.skipif(PYTHON39 is None, reason="no python3.9 on this machine")
def test_canonical_hashes_compute_on_python39_when_run():
    script = ("import json, sys; from patchmon_agent.protocol import canonical as c;"
              "f = json.load(open(sys.argv[1])); print(c.packages_hash(f['packages']['input']) == f['packages']['expected_hash'])")
    done = subprocess.run([PYTHON39, "-c", script, str(ROOT / "tests/contract/canonical_fixtures.json")], capture_output=True, text=True,
                          cwd=ROOT / "agent", timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr[-2000:]


# --- the full report ----------------------------------------------------------------------------------

def test_full_report_has_the_reference_fields_in_wire_order_and_its_hashes_when_collected():
    host = FakeHost()
    report = reports.collect(host.collectors(), agent_version="9.9.9")
    assert list(report) == WIRE_ORDER
    assert report["agentVersion"] == "9.9.9" and report["packageManager"] == "apt"
    assert report["hashes"] == {"packagesHash": canonical.packages_hash(host.packages), "reposHash": canonical.repos_hash(host.repositories),
                                "interfacesHash": canonical.interfaces_hash(host.system["networkInterfaces"]),
                                "hostnameHash": canonical.hostname_hash("web-01")}
    assert isinstance(report["agentExecutionMs"], int) and isinstance(report["executionTime"], float)


def test_optional_fields_are_present_only_when_set_when_collected():
    host = FakeHost()
    host.system.update({"bootTime": "2026-11-27T00:45:17Z", "installedKernelVersion": "6.1.0-20-amd64", "needsReboot": True,
                        "rebootReason": "Kernel version mismatch"})
    report = reports.collect(host.collectors())
    assert report["bootTime"] == "2026-11-27T00:45:17Z" and report["installedKernelVersion"] == "6.1.0-20-amd64"
    assert report["needsReboot"] is True and report["rebootReason"] == "Kernel version mismatch"


def test_empty_package_inventory_is_an_error_not_a_fully_patched_host_when_collected():
    host = FakeHost()
    collectors = host.collectors()
    collectors.packages = lambda: Packages("apt", [], errors=["dpkg-query: not found"])
    with pytest.raises(reports.CollectionError, match="dpkg-query"):
        reports.collect(collectors)


def test_failed_repository_collection_still_reports_the_packages_when_collected():
    host = FakeHost()
    collectors = host.collectors()

    def broken() -> list:
        raise OSError("sources.list unreadable")

    collectors.repositories = broken
    report = reports.collect(collectors)
    assert report["repositories"] == [] and len(report["packages"]) == 3


def test_nul_bytes_and_lone_surrogates_are_cleaned_before_hashing_when_collected():
    host = FakeHost()
    host.packages[0]["description"] = "padded\x00\x00 text \udcff"
    report = reports.collect(host.collectors())
    assert report["packages"][0]["description"] == "padded text \ufffd"
    json.dumps(report).encode("utf-8")  # valid UTF-8 on the wire


def test_strings_longer_than_the_server_accepts_are_cut_when_collected():
    host = FakeHost()
    host.system["osVersion"] = "x" * 500
    assert len(reports.collect(host.collectors())["osVersion"]) == 64


# --- partial reports and the check-in body --------------------------------------------------------------

def test_partial_report_carries_only_the_requested_sections_and_identity_when_built():
    report = reports.collect(FakeHost().collectors())
    body = reports.partial(report, ["interfaces", "docker", "repos"])
    assert body["sections"] == ["repos", "interfaces"]
    assert set(body) == {"agentVersion", "machineId", "osType", "osVersion", "architecture", "sections", "hashes", "agentExecutionMs",
                         "repositories", "ip", "gatewayIp", "dnsServers", "networkInterfaces"}
    assert body["hashes"] == report["hashes"]


def test_partial_report_needs_a_section_it_can_carry_when_built():
    with pytest.raises(ValueError):
        reports.partial(reports.collect(FakeHost().collectors()), ["docker"])


def test_ping_body_carries_hashes_and_non_empty_metrics_when_built():
    host = FakeHost()
    host.system.update({"swapSize": 0, "rebootReason": ""})
    report = reports.collect(host.collectors())
    body = reports.ping_body(report)
    assert body["hashes"] == report["hashes"] and body["agentVersion"] == report["agentVersion"]
    assert "swapSize" not in body["metrics"] and "rebootReason" not in body["metrics"] and "bootTime" not in body["metrics"]
    assert body["metrics"]["needsReboot"] is False and body["metrics"]["cpuCores"] == 2


def test_ping_body_stays_under_the_servers_8_kib_when_the_host_has_many_disks():
    host = FakeHost()
    host.system["diskDetails"] = [{"name": f"/dev/mapper/volume-{i}", "size": "100.00GB (1.00GB used)", "mountpoint": f"/srv/{i}"}
                                  for i in range(200)]
    body = reports.ping_body(reports.collect(host.collectors()))
    assert len(json.dumps(body).encode()) <= 8 * 1024 and "diskDetails" not in body["metrics"]


def test_fake_collectors_read_a_json_fixture_when_named_by_the_environment(tmp_path):
    fixture = tmp_path / "host.json"
    fixture.write_text(json.dumps({"packageManager": "dnf", "packages": [{"name": "kernel", "currentVersion": "5"}],
                                   "system": {"hostname": "h1"}}))
    report = reports.collect(reports.default_collectors({reports.FAKE_COLLECTORS_ENV: str(fixture)}))
    assert report["packageManager"] == "dnf" and report["hostname"] == "h1" and len(report["packages"]) == 1
