"""Network facts: interface shapes as the reference agent sends them, gateways, DNS, and the netlink address dump."""
from __future__ import annotations

import struct

import pytest

from patchmon_agent.protocol import interfaces_hash
from patchmon_agent.system import Address, network
from patchmon_agent.system.files import Root
from patchmon_agent.system.netlink import parse_messages
from tests.agent.system_fakes import CASES, case_root

DEBIAN_ADDRESSES = [
    Address(1, "inet", "127.0.0.1", 8), Address(2, "inet", "10.0.2.15", 24), Address(4, "inet", "172.17.0.1", 16),
    Address(5, "inet", "192.168.168.23", 24), Address(6, "inet", "10.66.0.2", 32), Address(1, "inet6", "::1", 128),
    Address(2, "inet6", "2001:db8:1::10", 64), Address(2, "inet6", "fe80::5054:ff:feab:cd01", 64),
]


def _network(case: str = "debian-12", addresses: list[Address] | None = None) -> dict:
    return network.collect(Root(case_root(case)), lambda: DEBIAN_ADDRESSES if addresses is None else addresses)


def test_interfaces_have_the_reference_shape_when_collected():
    """Loopback and down interfaces without addresses are left out; empty fields are omitted as Go's omitempty does."""
    interfaces = _network()["networkInterfaces"]
    assert interfaces == [
        {"name": "ens3", "type": "ethernet", "macAddress": "52:54:00:ab:cd:01", "mtu": 1500, "status": "up", "linkSpeed": 1000,
         "duplex": "full", "addresses": [
             {"address": "10.0.2.15", "family": "inet", "netmask": "/24", "gateway": "10.0.2.1"},
             {"address": "2001:db8:1::10", "family": "inet6", "netmask": "/64", "gateway": "fe80::1"},
             {"address": "fe80::5054:ff:feab:cd01", "family": "inet6", "netmask": "/64"}]},
        {"name": "docker0", "type": "bridge", "macAddress": "02:42:8c:11:22:33", "mtu": 1500, "status": "up", "linkSpeed": -1,
         "addresses": [{"address": "172.17.0.1", "family": "inet", "netmask": "/16"}]},
        {"name": "wlp2s0", "type": "wifi", "macAddress": "a4:b1:c2:d3:e4:f5", "mtu": 1500, "status": "up", "linkSpeed": -1,
         "addresses": [{"address": "192.168.168.23", "family": "inet", "netmask": "/24", "gateway": "192.168.168.1"}]},
        {"name": "wg0", "type": "ethernet", "mtu": 1420, "status": "up", "linkSpeed": -1,
         "addresses": [{"address": "10.66.0.2", "family": "inet", "netmask": "/32"}]},
    ]


def test_host_addresses_come_from_the_first_up_interface_and_lowest_metric_route_when_several_exist():
    """ip is the first IPv4 of the first up, non-loopback interface; gatewayIp the default route with the lowest metric."""
    facts = _network()
    assert (facts["ip"], facts["gatewayIp"], facts["dnsServers"]) == ("10.0.2.15", "10.0.2.1", ["192.0.2.53", "2001:db8::53"])


def test_interface_without_addresses_sends_null_when_it_is_up():
    """An up interface with no address is kept, with addresses null as the reference sends it."""
    interfaces = _network(addresses=[])["networkInterfaces"]
    assert [(i["name"], i["addresses"]) for i in interfaces] == [("ens3", None), ("docker0", None), ("wlp2s0", None), ("wg0", None)]


def test_down_interface_is_kept_when_it_has_an_address():
    """ens4 is down but configured, so it is reported with status down."""
    interfaces = _network(addresses=[Address(3, "inet", "10.9.9.9", 24)])["networkInterfaces"]
    ens4 = next(i for i in interfaces if i["name"] == "ens4")
    assert (ens4["status"], ens4["addresses"]) == ("down", [{"address": "10.9.9.9", "family": "inet", "netmask": "/24"}])


def test_ipv6_gateway_is_used_when_no_ipv4_default_route_exists(tmp_path):
    """gatewayIp falls back to the IPv6 default route's next hop."""
    (tmp_path / "proc" / "net").mkdir(parents=True)
    default_via = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000000000000000000000001"
    (tmp_path / "proc" / "net" / "ipv6_route").write_text(default_via + " 00000400 00000001 00000000 00000003     eth0\n")
    assert network.gateway_ip(network.default_routes(Root(str(tmp_path)))) == "2001:db8::1"


def test_ipv6_addresses_come_from_if_inet6_when_no_reader_is_given_for_a_fixture_root():
    """Without netlink (a fixture root), the IPv6 addresses of /proc/net/if_inet6 are still reported."""
    interfaces = network.collect(Root(case_root("debian-12")))["networkInterfaces"]
    ens3 = next(i for i in interfaces if i["name"] == "ens3")
    assert [a["address"] for a in ens3["addresses"]] == ["2001:db8:1::10", "fe80::5054:ff:feab:cd01"]


def test_interfaces_hash_accepts_the_collected_shape_when_computed():
    """The canonical interfaces hash (protocol package) takes the collector's output as it is."""
    assert len(interfaces_hash(_network()["networkInterfaces"])) == 64
    assert len(interfaces_hash(_network(addresses=[])["networkInterfaces"])) == 64


def test_netlink_dump_parses_every_address_when_recorded_from_a_real_host():
    """The RTM_GETADDR dump recorded on the Debian 12 VM yields its five addresses, IPv4 local addresses first."""
    data = (CASES / "netlink" / "rtm-getaddr-dump.bin").read_bytes()
    addresses, done = parse_messages(data)
    assert done is True
    assert addresses == [Address(1, "inet", "127.0.0.1", 8), Address(4, "inet", "192.0.2.2", 24), Address(1, "inet6", "::1", 128),
                         Address(4, "inet6", "fd00::2", 64), Address(4, "inet6", "fe80::fc:ff:fe00:1", 64)]


def _message(kind: int, payload: bytes) -> bytes:
    return struct.pack("=IHHII", 16 + len(payload), kind, 0, 1, 0) + payload


def test_netlink_peer_address_is_ignored_when_a_point_to_point_link_has_a_local_one():
    """For IPv4, IFA_LOCAL (own address) wins over IFA_ADDRESS (the peer on point-to-point links)."""
    attrs = struct.pack("=HH4s", 8, 1, bytes([10, 0, 0, 2])) + struct.pack("=HH4s", 8, 2, bytes([10, 0, 0, 1]))
    data = _message(20, struct.pack("=BBBBI", 2, 32, 0, 0, 7) + attrs) + _message(3, b"\0\0\0\0")
    assert parse_messages(data) == ([Address(7, "inet", "10.0.0.1", 32)], True)


def test_netlink_error_message_raises_when_the_kernel_refuses():
    """An NLMSG_ERROR carrying -EPERM becomes an OSError, so the collector falls back to files."""
    with pytest.raises(OSError, match="not permitted"):
        parse_messages(_message(2, struct.pack("=i", -1) + b"\0" * 16))
