"""parse_dry_run on dnf 4, dnf 5 and yum transaction tables (`upgrade --assumeno`).

The samples are synthetic: hand-written in each tool's documented table layout (column widths, the
wrapped row of a long name, "replacing" lines, the summary), with package versions of the real
Rocky Linux 9.5, Fedora 41 and CentOS 7 repositories.
"""
from __future__ import annotations

from chalicelib.agent_protocol.dry_run import detect_format, parse_dry_run, requested_vs_affected

# Synthetic, dnf 4.14 on Rocky Linux 9.5: `dnf upgrade --assumeno` (installonly kernel: a new one in, the oldest out).
DNF4 = """\
Last metadata expiration check: 0:08:41 ago on Tue 26 Nov 2024 09:46:12 AM UTC.
Dependencies resolved.
================================================================================
 Package                        Arch    Version                 Repo      Size
================================================================================
Installing:
 kernel                         x86_64  5.14.0-503.16.1.el9_5   baseos   2.0 M
Upgrading:
 openssl                        x86_64  1:3.2.2-6.el9_5         baseos   1.4 M
 openssl-libs                   x86_64  1:3.2.2-6.el9_5         baseos   2.1 M
 python3-dnf-plugin-versionlock
                                noarch  4.3.0-16.el9_5          baseos    62 k
 grub2-tools                    x86_64  1:2.06-92.el9           baseos   1.8 M
     replacing  grub2-tools-efi.x86_64 1:2.06-80.el9_4
Upgrading dependencies:
 grub2-common                   noarch  1:2.06-92.el9           baseos   913 k
Installing dependencies:
 kernel-core                    x86_64  5.14.0-503.16.1.el9_5   baseos    18 M
 kernel-modules                 x86_64  5.14.0-503.16.1.el9_5   baseos    36 M
 kernel-modules-core            x86_64  5.14.0-503.16.1.el9_5   baseos    31 M
Installing weak dependencies:
 openssl-pkcs11                 x86_64  0.4.11-9.el9            baseos    59 k
Removing:
 kernel                         x86_64  5.14.0-427.13.1.el9_4   @baseos    0
Removing dependent packages:
 kernel-core                    x86_64  5.14.0-427.13.1.el9_4   @baseos   63 M

Transaction Summary
================================================================================
Install  5 Packages
Upgrade  5 Packages
Remove   2 Packages

Total download size: 93 M
Operation aborted.
"""

# Synthetic, dnf 5.2 on Fedora 41: `dnf upgrade --assumeno curl` (no separator lines; "replacing" rows; sizes in two tokens).
DNF5 = """\
Updating and loading repositories:
Repositories loaded.
Package                        Arch   Version                Repository      Size
Upgrading:
 curl                          x86_64 8.9.1-3.fc41           updates    793.5 KiB
   replacing curl              x86_64 8.9.1-2.fc41           fedora     796.9 KiB
 libcurl                       x86_64 8.9.1-3.fc41           updates    817.1 KiB
   replacing libcurl           x86_64 8.9.1-2.fc41           fedora     818.1 KiB
Installing dependencies:
 libnghttp3                    x86_64 1.6.0-1.fc41           updates    152.3 KiB
Installing weak dependencies:
 publicsuffix-list-dafsa       noarch 20240107-4.fc41        fedora      67.9 KiB

Transaction Summary:
 Installing:         2 packages
 Upgrading:          2 packages
 Replacing:          2 packages

Total size of inbound packages is 1 MiB. Need to download 1 MiB.
After this operation, 150 KiB extra will be used (install 2 MiB, remove 2 MiB).
Operation aborted by the user.
"""

# Synthetic, yum 3.4 on CentOS 7: `yum upgrade --assumeno openssl` (dependency resolution narrated before the table).
YUM = """\
Loaded plugins: fastestmirror
Loading mirror speeds from cached hostfile
 * base: mirror.example.com
 * updates: mirror.example.com
Resolving Dependencies
--> Running transaction check
---> Package openssl.x86_64 1:1.0.2k-25.el7_9 will be updated
---> Package openssl.x86_64 1:1.0.2k-26.el7_9 will be an update
--> Processing Dependency: openssl-libs(x86-64) = 1:1.0.2k-26.el7_9 for package: 1:openssl-1.0.2k-26.el7_9.x86_64
--> Running transaction check
---> Package openssl-libs.x86_64 1:1.0.2k-25.el7_9 will be updated
---> Package openssl-libs.x86_64 1:1.0.2k-26.el7_9 will be an update
--> Finished Dependency Resolution

Dependencies Resolved

================================================================================
 Package              Arch          Version                   Repository  Size
================================================================================
Updating:
 openssl              x86_64        1:1.0.2k-26.el7_9         updates    494 k
Updating for dependencies:
 openssl-libs         x86_64        1:1.0.2k-26.el7_9         updates    1.2 M
Installing for dependencies:
 make                 x86_64        1:3.82-24.el7             base       421 k

Transaction Summary
================================================================================
Upgrade  1 Package (+1 Dependent package)
Install           ( 1 Dependent package)

Total download size: 2.1 M
Exiting on user command
Your transaction was saved, rerun it with:
 yum load-transaction /tmp/yum_save_tx.2024-11-26.10-02.Xk3fQz.yumtx
"""

# Synthetic, dnf 4: module streams are not packages.
DNF4_MODULES = """\
Dependencies resolved.
================================================================================
 Package        Arch     Version                              Repo        Size
================================================================================
Installing group/module packages:
 nodejs         x86_64   1:18.20.2-1.module+el8.10.0+1801+fa1d3a17   appstream   13 M
Enabling module streams:
 nodejs                  18

Transaction Summary
================================================================================
Install  1 Package
"""


def test_dnf4_table_lists_every_section_with_its_action_when_parsed():
    # When
    packages = parse_dry_run(DNF4)
    # Then
    assert [(p["name"], p["version"], p["action"]) for p in packages] == [
        ("kernel", "5.14.0-503.16.1.el9_5", "install"),
        ("openssl", "1:3.2.2-6.el9_5", "upgrade"),
        ("openssl-libs", "1:3.2.2-6.el9_5", "upgrade"),
        ("python3-dnf-plugin-versionlock", "4.3.0-16.el9_5", "upgrade"),
        ("grub2-tools", "1:2.06-92.el9", "upgrade"),
        ("grub2-common", "1:2.06-92.el9", "upgrade"),
        ("kernel-core", "5.14.0-503.16.1.el9_5", "install"),
        ("kernel-modules", "5.14.0-503.16.1.el9_5", "install"),
        ("kernel-modules-core", "5.14.0-503.16.1.el9_5", "install"),
        ("openssl-pkcs11", "0.4.11-9.el9", "install"),
        ("kernel", "5.14.0-427.13.1.el9_4", "remove"),
        ("kernel-core", "5.14.0-427.13.1.el9_4", "remove"),
    ]


def test_wrapped_row_of_a_long_name_takes_its_version_from_the_next_line_when_parsed():
    wrapped = [p for p in parse_dry_run(DNF4) if p["name"] == "python3-dnf-plugin-versionlock"]
    assert wrapped == [{"name": "python3-dnf-plugin-versionlock", "version": "4.3.0-16.el9_5", "action": "upgrade"}]


def test_dnf5_table_skips_replacing_rows_and_the_summary_when_parsed():
    assert parse_dry_run(DNF5) == [{"name": "curl", "version": "8.9.1-3.fc41", "action": "upgrade"},
                                   {"name": "libcurl", "version": "8.9.1-3.fc41", "action": "upgrade"},
                                   {"name": "libnghttp3", "version": "1.6.0-1.fc41", "action": "install"},
                                   {"name": "publicsuffix-list-dafsa", "version": "20240107-4.fc41", "action": "install"}]
    assert requested_vs_affected(["curl"], parse_dry_run(DNF5)) == ["libcurl", "libnghttp3", "publicsuffix-list-dafsa"]


def test_yum_table_is_read_after_the_resolution_narrative_when_parsed():
    assert parse_dry_run(YUM) == [{"name": "openssl", "version": "1:1.0.2k-26.el7_9", "action": "upgrade"},
                                  {"name": "openssl-libs", "version": "1:1.0.2k-26.el7_9", "action": "upgrade"},
                                  {"name": "make", "version": "1:3.82-24.el7", "action": "install"}]


def test_module_streams_are_not_packages_when_parsed():
    assert [p["name"] for p in parse_dry_run(DNF4_MODULES)] == ["nodejs"]


def test_dnf_and_yum_outputs_are_recognised_when_detected():
    assert {detect_format(text) for text in (DNF4, DNF5, YUM, DNF4_MODULES)} == {"dnf"}


def test_requested_names_with_an_architecture_match_their_package_when_compared():
    assert requested_vs_affected(["openssl.x86_64"], parse_dry_run(YUM)) == ["openssl-libs", "make"]


def test_row_whose_repository_wraps_to_the_next_line_is_one_package_when_parsed():
    """dnf 4 moves the columns after an overlong value to an indented line of their own."""
    text = ("Upgrading:\n"
            " nodejs   x86_64   1:18.20.2-1.module+el8.10.0+1801+fa1d3a17.rocky.0.2\n"
            "                                                        appstream   13 M\n"
            "\nTransaction Summary\n")
    assert parse_dry_run(text) == [{"name": "nodejs", "version": "1:18.20.2-1.module+el8.10.0+1801+fa1d3a17.rocky.0.2", "action": "upgrade"}]
