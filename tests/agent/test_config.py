"""config.yml, credentials.yml, the YAML subset behind them and the agent's log file."""
from __future__ import annotations

import gzip
import logging
import os
import stat

import pytest

from patchmon_agent import config as cfg
from patchmon_agent import logs, yamlfile
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)

# What chalicelib/install/scripts/install.sh writes.
INSTALLED_CONFIG = """\
# PatchMon Cloud agent configuration, written by the installer.
patchmon_server: "https://acme.patchmon.example"
api_version: "v1"
credentials_file: "/etc/patchmon/credentials.yml"
log_file: "/etc/patchmon/logs/patchmon-agent.log"
log_level: "info"
skip_ssl_verify: false
update_interval: 60
report_offset: 0
integrations:
  docker: false
  compliance:
    enabled: false
  ssh-proxy-enabled: false
  rdp-proxy-enabled: false
"""


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- YAML subset ------------------------------------------------------------------------------------

def test_yaml_reads_nested_maps_lists_quotes_and_comments_when_parsed():
    text = """\
# top comment
name: plain value   # trailing comment
quoted: "a \\"b\\" \\u00e9 # not a comment"
single: 'it''s'
number: 42
ratio: 2.5
empty:
nothing: null
flags: [true, false, "x"]
nested:
  inner:
    deep: yes
  list:
  - one
  - two
items:
  - name: a
    value: 1
  - name: b
"""
    data = yamlfile.parse(text)
    assert data == {"name": "plain value", "quoted": 'a "b" é # not a comment', "single": "it's", "number": 42, "ratio": 2.5,
                    "empty": None, "nothing": None, "flags": [True, False, "x"],
                    "nested": {"inner": {"deep": "yes"}, "list": ["one", "two"]},
                    "items": [{"name": "a", "value": 1}, {"name": "b"}]}


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",  # duplicate key
    "a:\n\tb: 1\n",  # tab indentation
    "a: &anchor 1\n",
    "a: |\n  block\n",
    "a: [1, 2\n",
    "a: \"open\n",
    "  a: 1\n",
    "- 1\n- 2\n",  # top level must be a mapping
    "a: 1\n   b: 2\n",
    "just text\n",
])
def test_yaml_refuses_what_it_does_not_understand_when_parsed(text):
    with pytest.raises(yamlfile.YamlError):
        yamlfile.parse(text)


def test_yaml_round_trips_every_value_when_dumped_and_parsed():
    data = {"s": "http://x:8000/a b", "odd": "true", "num_text": "0123", "control": "a\nb\t\"c\"\\", "n": -3, "f": 0.25, "b": True,
            "none": None, "empty_map": {}, "empty_list": [], "list": ["a", 1, None], "map": {"k-1": {"deep": "on-demand"}},
            "objects": [{"a": 1, "b": {"c": 2}}, {"d": [1, 2]}], "weird key: x": 1}
    assert yamlfile.parse(yamlfile.dump(data, header="a header\nsecond line")) == data


# --- config.yml ---------------------------------------------------------------------------------------

def test_installed_config_is_read_with_the_official_keys_when_loaded(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text(INSTALLED_CONFIG)
    loaded = cfg.load_config(path)
    assert loaded.usable and loaded.exists
    c = loaded.config
    assert (c.patchmon_server, c.api_version, c.credentials_file, c.log_level, c.skip_ssl_verify, c.update_interval, c.report_offset) == (
        "https://acme.patchmon.example", "v1", "/etc/patchmon/credentials.yml", "info", False, 60, 0)
    assert c.integrations["docker"] is False and c.integrations["compliance"]["enabled"] is False
    assert c.integrations["ssh-proxy-enabled"] is False and c.api_base() == "https://acme.patchmon.example/api/v1"


def test_config_round_trips_with_mode_0600_and_no_temporary_file_when_saved(tmp_path):
    # Given a config with every kind of value, including a key this agent does not know
    path = tmp_path / "etc" / "config.yml"
    loaded = cfg.load_config(path)
    c = loaded.config
    c.patchmon_server, c.update_interval, c.report_offset, c.skip_ssl_verify = "https://pm.example:8443", 15, 420, True
    c.set_integration("compliance", "on-demand")
    c.set_integration("docker", True)
    c.extra["future_key"] = {"nested": [1, 2]}
    # When
    loaded.save()
    again = cfg.load_config(path)
    # Then
    assert again.usable and again.config == c
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.yml"]


def test_existing_config_file_is_narrowed_to_0600_when_saved(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text(INSTALLED_CONFIG)
    path.chmod(0o644)
    loaded = cfg.load_config(path)
    loaded.save()
    assert _mode(path) == 0o600


@pytest.mark.parametrize("text", ["patchmon_server: [unclosed\n", "", "# only a comment\n", "a:\n\t- tab\n"])
def test_unparseable_config_is_never_overwritten_when_saved(tmp_path, text):
    # Given an unusable config file
    path = tmp_path / "config.yml"
    path.write_text(text)
    loaded = cfg.load_config(path)
    assert not loaded.usable
    loaded.config.update_interval = 5
    # When / Then
    with pytest.raises(cfg.ConfigError, match="refusing to overwrite"):
        loaded.save()
    assert path.read_text() == text


def test_unparseable_config_is_replaced_only_when_asked_to(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("patchmon_server: [broken\n")
    loaded = cfg.load_config(path)
    loaded.config.patchmon_server = "https://pm.example"
    loaded.save(replace_unusable=True)
    assert cfg.load_config(path).config.patchmon_server == "https://pm.example"


def test_invalid_values_fall_back_to_defaults_when_loaded(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("patchmon_server: https://x/\nupdate_interval: 0\nlog_level: loud\npackage_cache_refresh_mode: sometimes\n"
                    "package_cache_refresh_max_age: 5000\nreport_offset: -4\nskip_ssl_verify: \"true\"\nUPPER_KEY: kept\n")
    c = cfg.load_config(path).config
    assert (c.patchmon_server, c.update_interval, c.log_level, c.package_cache_refresh_mode, c.package_cache_refresh_max_age) == (
        "https://x", 60, "info", "always", 60)
    assert c.report_offset == 0 and c.skip_ssl_verify is True and c.extra == {"upper_key": "kept"}


def test_legacy_flat_compliance_keys_move_into_the_nested_map_when_loaded(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("integrations:\n  compliance: on_demand\n  compliance_openscap_enabled: false\n  compliance_docker_bench_enabled: true\n"
                    "  ssh-proxy-enabled: true\n")
    integrations = cfg.load_config(path).config.integrations
    assert integrations["compliance"] == {"enabled": "on-demand", "openscap_enabled": False, "docker_bench_enabled": True, "scan_interval": 1440}
    assert integrations["ssh-proxy-enabled"] is True and "compliance_openscap_enabled" not in integrations


def test_server_may_not_switch_the_local_only_proxies_when_set():
    c = cfg.Config()
    with pytest.raises(ValueError):
        c.set_integration("ssh-proxy-enabled", True)
    assert c.integrations["ssh-proxy-enabled"] is False


def test_tls_skip_is_refused_in_production_when_requested():
    c = cfg.Config(skip_ssl_verify=True)
    assert cfg.skip_tls_verify(c, {}) is True
    assert cfg.skip_tls_verify(c, {"PATCHMON_ENV": "production"}) is False
    assert cfg.skip_tls_verify(cfg.Config(), {"PATCHMON_SKIP_SSL_VERIFY": "1"}) is True


@pytest.mark.parametrize("url", ["ftp://x", "x.example", "https://x/api", "https://", "https://x?y"])
def test_server_url_must_be_http_or_https_without_a_path_when_validated(url):
    with pytest.raises(cfg.ConfigError):
        cfg.validate_server_url(url)


# --- credentials.yml ----------------------------------------------------------------------------------

def test_credentials_are_written_0600_as_the_installer_writes_them(tmp_path):
    path = tmp_path / "credentials.yml"
    cfg.save_credentials(path, cfg.Credentials("patchmon_abc123", "0123456789abcdef"))
    assert path.read_text() == "api_id: patchmon_abc123\napi_key: 0123456789abcdef\n"
    assert _mode(path) == 0o600
    assert cfg.load_credentials(path) == cfg.Credentials("patchmon_abc123", "0123456789abcdef")


@pytest.mark.parametrize("key", ["1234567890", "12e45", "true", "0x1f", "007"])
def test_credentials_that_look_like_numbers_stay_text_when_round_tripped(tmp_path, key):
    path = tmp_path / "credentials.yml"
    cfg.save_credentials(path, cfg.Credentials("patchmon_x", key))
    assert cfg.load_credentials(path).api_key == key
    path.write_text(f"api_id: patchmon_x\napi_key: {key}\n")  # unquoted, as install.sh writes it
    assert cfg.load_credentials(path).api_key == key


@pytest.mark.parametrize("text", ["api_id: x\n", "api_key: y\n", "api_id: ''\napi_key: y\n", "[oops\n"])
def test_incomplete_credentials_are_refused_when_loaded(tmp_path, text):
    path = tmp_path / "credentials.yml"
    path.write_text(text)
    with pytest.raises(cfg.ConfigError):
        cfg.load_credentials(path)


def test_api_key_is_not_in_the_repr_of_credentials():
    assert "s3cret" not in repr(cfg.Credentials("id", "s3cret-key"))


# --- the log file ---------------------------------------------------------------------------------------

def test_log_file_is_0600_and_never_holds_the_api_key_when_written(tmp_path):
    # Given a log set up with the key registered as a secret
    path = tmp_path / "logs" / "agent.log"
    log = logs.setup(str(path), "debug")
    logs.register_secret("k3y-0123456789")
    # When the key shows up in a message, an extra value and an exception
    log.info("sending with k3y-0123456789", extra={"header": "X-API-KEY: k3y-0123456789"})
    try:
        raise RuntimeError("boom k3y-0123456789")
    except RuntimeError:
        log.exception("failed\nbadly")
    # Then
    text = path.read_text()
    assert "k3y-0123456789" not in text and text.count("[redacted]") >= 3
    assert 'msg="failed\\nbadly"' in text and "level=error" in text
    assert _mode(path) == 0o600


def test_log_is_size_bounded_with_compressed_private_backups_when_rotated(tmp_path):
    path = tmp_path / "agent.log"
    handler = logs.PrivateRotatingFileHandler(str(path), max_bytes=2000, backup_count=3)
    handler.setFormatter(logs.KeyValueFormatter())
    logger = logging.getLogger("test_rotation")
    logger.addHandler(handler)
    try:
        for i in range(400):
            logger.warning("line %d %s", i, "x" * 50)
    finally:
        logger.removeHandler(handler)
        handler.close()
    backups = sorted(tmp_path.glob("agent.log.*.gz"))
    assert len(backups) == 3 and path.stat().st_size <= 2000
    assert all(_mode(b) == 0o600 for b in backups) and _mode(path) == 0o600
    assert b"level=warning" in gzip.decompress(backups[0].read_bytes())
