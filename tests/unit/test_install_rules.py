"""Pure rules of the install domain: version comparison, the server URL, request shapes, the script templates."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from pydantic import ValidationError

from chalicelib.core import errors
from chalicelib.install import service
from chalicelib.install.schemas import BootstrapExchange, InstallQuery, PlatformQuery


@pytest.mark.parametrize(("text", "parsed"), [("1.4.0", (1, 4, 0)), ("v1.10.2-rc1", (1, 10, 2)), (" 2 ", (2,)), ("", None),
                                              (None, None), ("latest", None)])
def test_parse_version_reads_the_numeric_parts(text, parsed):
    assert service.parse_version(text) == parsed


@pytest.mark.parametrize(("latest", "current", "newer"), [("1.10.0", "1.9.9", True), ("1.4", "1.4.0", False), ("1.4.0.1", "1.4", True),
                                                          ("0.1.0", "0.1.0", False), ("0.1.0", "1.0.0", False), ("0.1.0", None, False),
                                                          ("0.1.0", "unknown", False)])
def test_is_newer_compares_numerically(latest, current, newer):
    assert service.is_newer(latest, current) is newer


def test_server_url_prefers_the_configured_url_when_the_tenant_has_one():
    assert service.server_url("https://patch.example.org/", forwarded_proto="http", forwarded_host="x", host="y") == "https://patch.example.org"


@pytest.mark.parametrize(("proto", "forwarded", "host", "url"), [
    ("https", "acme.patchmon.cloud", "abc.execute-api.eu-west-1.amazonaws.com", "https://acme.patchmon.cloud"),
    ("", "", "127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("https, http", "a.example, b.example", "c", "https://a.example"),
    ("", "", "[::1]:8000", "http://[::1]:8000"),
])
def test_server_url_follows_the_request_when_none_is_configured(proto, forwarded, host, url):
    assert service.server_url(None, forwarded_proto=proto, forwarded_host=forwarded, host=host) == url


@pytest.mark.parametrize(("proto", "host"), [("ftp", "a.example"), ("https", ""), ("https", "a.example/path"), ("https", "a b"),
                                             ("https", "x'$(id)")])
def test_server_url_is_refused_when_the_request_does_not_name_a_plain_host(proto, host):
    with pytest.raises(errors.InvalidInput):
        service.server_url(None, forwarded_proto=proto, forwarded_host="", host=host)


def test_bootstrap_exchange_accepts_only_64_hex_characters():
    assert BootstrapExchange.model_validate({"token": "AB" * 32}).token == "ab" * 32
    for bad in ({"token": "ab" * 31}, {"token": "zz" * 32}, {"token": 1}, {}, {"token": "ab" * 32, "more": 1}):
        with pytest.raises(ValidationError):
            BootstrapExchange.model_validate(bad)


def test_queries_normalise_and_refuse_unsafe_architectures():
    assert InstallQuery.model_validate({"arch": " AMD64 ", "os": "Linux", "force": "1"}).model_dump() == {"force": True, "arch": "amd64",
                                                                                                       "os": "linux"}
    assert PlatformQuery.model_validate({"currentVersion": "1.2.3", "type": "Go"}).current_version == "1.2.3"
    for arch in ("x86_64;reboot", "a" * 33, "$(id)"):
        with pytest.raises(ValidationError):
            InstallQuery.model_validate({"arch": arch})


@pytest.mark.parametrize("name", ["install.sh", "remove.sh"])
def test_script_templates_are_valid_posix_sh_when_parsed_by_dash(name, tmp_path):
    dash = shutil.which("dash") or shutil.which("sh")
    script = tmp_path / name
    script.write_text(service._template(name).replace(service.ENVIRONMENT_MARKER, "PATCHMON_URL='http://x'"))
    done = subprocess.run([dash, "-n", str(script)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr


def test_install_template_has_exactly_one_environment_marker_when_loaded():
    assert service._template("install.sh").count(service.ENVIRONMENT_MARKER) == 1
    assert service.ENVIRONMENT_MARKER not in service.remove_script()
