"""Package repositories read from fixture trees of each distribution family."""
from __future__ import annotations

import logging

import pytest

from patchmon_agent.collectors import repositories
from tests.agent.command_fixtures import FIXTURES

WIRE_FIELDS = ["name", "url", "distribution", "components", "repoType", "isEnabled", "isSecure"]


def _collect(distro: str) -> list[dict]:
    return repositories.collect(str(FIXTURES / distro / "root"))


def _keys(rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["url"], r["distribution"], r["components"]) for r in rows]


@pytest.mark.parametrize(("distro", "count"), [("debian-12", 8), ("ubuntu-22.04", 10), ("ubuntu-24.04", 5), ("rocky-9", 7),
                                               ("fedora-41", 3), ("opensuse-leap-15.6", 4), ("sles-15-sp6", 2), ("alpine-3.20", 3),
                                               ("arch", 5)])
def test_every_repository_has_the_wire_fields_once_when_collected(distro, count):
    rows = _collect(distro)
    assert len(rows) == count
    assert all(list(r) == WIRE_FIELDS for r in rows)
    assert len(set(_keys(rows))) == len(rows)


def test_one_line_sources_give_one_row_per_suite_when_debian_lists_them():
    """sources.list and *.list: options, trailing slashes, inline comments and credentials are handled; .save files are not read."""
    rows = {(r["url"], r["distribution"], r["components"]): r for r in _collect("debian-12")}
    assert rows[("http://security.debian.org/debian-security", "bookworm-security", "main non-free-firmware")] == {
        "name": "security-debian-bookworm-security", "url": "http://security.debian.org/debian-security", "distribution": "bookworm-security",
        "components": "main non-free-firmware", "repoType": "deb", "isEnabled": True, "isSecure": False}
    assert rows[("https://download.docker.com/linux/debian", "bookworm", "stable")]["isSecure"] is True
    assert ("http://deb.debian.org/debian", "bookworm", "contrib") in rows
    assert ("https://apt.example.com/debian", "bookworm", "main") in rows
    assert not any("old-mirror" in url for url, _, _ in rows)


def test_deb_src_line_is_merged_into_its_deb_row_when_both_name_the_same_archive():
    """The server keys repositories by (url, distribution, components): the binary source wins over its deb-src twin."""
    rows = _collect("debian-12")
    assert {r["repoType"] for r in rows} == {"deb"}
    assert _keys(rows).count(("http://deb.debian.org/debian", "bookworm", "main non-free-firmware")) == 1


def test_disabled_deb822_stanza_is_reported_disabled_when_enabled_is_no():
    backports = next(r for r in _collect("debian-12") if r["distribution"] == "bookworm-backports")
    assert (backports["isEnabled"], backports["components"]) == (False, "main contrib")


def test_deb822_suites_multiply_into_rows_when_ubuntu_sources_lists_several():
    rows = _collect("ubuntu-24.04")
    assert [r["distribution"] for r in rows if r["url"] == "http://archive.ubuntu.com/ubuntu"] == ["noble", "noble-updates", "noble-backports"]
    assert next(r for r in rows if "launchpadcontent" in r["url"])["name"] == "ondrej-php"


def test_flat_repository_has_slash_distribution_and_no_components_when_listed_as_url_slash():
    k8s = next(r for r in _collect("ubuntu-22.04") if "pkgs.k8s.io" in r["url"])
    assert (k8s["url"], k8s["distribution"], k8s["components"]) == ("https://pkgs.k8s.io/core:/stable:/v1.30/deb", "/", "")


def test_commented_lines_are_not_repositories_when_ubuntu_comments_deb_src_out():
    assert not any(r["repoType"] == "deb-src" for r in _collect("ubuntu-22.04"))


def test_rpm_repositories_keep_variables_and_give_a_row_per_url_when_read():
    """$releasever/$basearch stay as written; mirrorlist, metalink and each baseurl make rows; file: URLs are skipped."""
    rows = _collect("rocky-9")
    baseos = next(r for r in rows if r["name"] == "baseos")
    assert baseos == {"name": "baseos", "url": "https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever$rltype",
                      "distribution": "Rocky Linux $releasever - BaseOS", "components": "", "repoType": "rpm", "isEnabled": True,
                      "isSecure": True}
    assert [r["url"] for r in rows if r["name"] == "internal"] == ["http://mirror1.example.com/el9/$basearch/",
                                                                  "https://mirror2.example.com/el9/$basearch/"]
    assert next(r for r in rows if r["name"] == "crb")["isEnabled"] is False


def test_zypper_repositories_are_read_and_tokens_cut_when_suse_customer_center_adds_them():
    """SCC repository URLs carry an access token in the query: it never leaves the host."""
    rows = _collect("sles-15-sp6")
    assert {r["url"] for r in rows} == {"https://updates.suse.com/SUSE/Updates/SLE-Module-Basesystem/15-SP6/x86_64/update",
                                        "https://updates.suse.com/SUSE/Updates/SLE-Module-Basesystem/15-SP6/x86_64/update_debug"}
    leap = {r["name"]: r for r in _collect("opensuse-leap-15.6")}
    assert leap["repo-oss"]["url"] == "http://download.opensuse.org/distribution/leap/$releasever/repo/oss/"
    assert leap["repo-source"]["isEnabled"] is False


def test_apk_repositories_have_release_and_component_when_alpine_lists_them():
    """Tagged repositories keep their tag in the name; comments and local paths are skipped."""
    rows = _collect("alpine-3.20")
    assert rows[0] == {"name": "v3.20-main", "url": "https://dl-cdn.alpinelinux.org/alpine/v3.20/main", "distribution": "v3.20",
                       "components": "main", "repoType": "apk", "isEnabled": True, "isSecure": True}
    assert [r["name"] for r in rows] == ["v3.20-main", "v3.20-community", "edge-edge-testing"]


def test_pacman_repositories_include_mirrorlist_servers_when_pacman_conf_includes_it():
    """Each Server of a section and of its Include files is a row; commented sections and file:// servers are not."""
    rows = _collect("arch")
    assert [(r["name"], r["url"]) for r in rows] == [
        ("core", "https://geo.mirror.pkgbuild.com/$repo/os/$arch"), ("core", "http://ftp.fau.de/archlinux/$repo/os/$arch"),
        ("extra", "https://geo.mirror.pkgbuild.com/$repo/os/$arch"), ("extra", "http://ftp.fau.de/archlinux/$repo/os/$arch"),
        ("custom", "https://repo.example.com/arch/$arch")]


def test_credentials_never_appear_when_urls_carry_them():
    everything = str([_collect(d) for d in ("debian-12", "rocky-9", "arch", "sles-15-sp6")])
    assert not any(secret in everything for secret in ("t0ps3cret", "hunter2", "s3cret", "jjUOH1eU0y", "@"))


def test_nothing_is_found_when_the_root_has_no_package_configuration(tmp_path):
    assert repositories.collect(str(tmp_path)) == []


def test_malformed_repo_file_is_skipped_with_a_warning_when_it_has_no_section(tmp_path, caplog):
    (tmp_path / "etc/yum.repos.d").mkdir(parents=True)
    (tmp_path / "etc/yum.repos.d/broken.repo").write_text("baseurl=https://example.com/repo\n")
    (tmp_path / "etc/yum.repos.d/good.repo").write_text("[good]\nname=Good\nbaseurl=https://example.com/good\n")
    with caplog.at_level(logging.WARNING):
        rows = repositories.collect(str(tmp_path))
    assert [r["name"] for r in rows] == ["good"]
    assert "repository file not parsed" in caplog.text


def test_apt_names_come_from_the_host_and_suite_when_sources_use_mirror_methods():
    rows = repositories.parse_sources_list("deb mirror+https://mirrors.example.net/debian.list bookworm main\n"
                                           "deb http://ftp.example.org/debian+extra/ bookworm non-free\n")
    assert [r["name"] for r in rows] == ["mirrors-example-bookworm", "ftp-example-bookworm-non-free"]
    assert rows[0]["url"] == "mirror+https://mirrors.example.net/debian.list" and rows[0]["isSecure"] is False
