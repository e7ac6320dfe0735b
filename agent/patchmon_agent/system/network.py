"""Interfaces, addresses, gateways and DNS servers in the shapes of the reference agent's networkInterfaces."""
from __future__ import annotations

import ipaddress
import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .files import Root
from .netlink import Address, dump_addresses

_IFF_UP, _IFF_LOOPBACK = 0x1, 0x8
_TUNNEL_TYPES = frozenset({768, 769, 776, 778, 823})  # ipip, ip6 tunnel, sit, gre, ip6gre: no hardware address
_SIOCGIFADDR, _SIOCGIFNETMASK = 0x8915, 0x891B
_ZERO_V6 = "0" * 32

AddressReader = Callable[[], Sequence[Address]]


@dataclass(frozen=True)
class Link:
    name: str
    index: int
    flags: int
    mtu: int
    mac: str

    @property
    def up(self) -> bool:
        return bool(self.flags & _IFF_UP)

    @property
    def loopback(self) -> bool:
        return bool(self.flags & _IFF_LOOPBACK)


def _int(text: str, base: int = 10, default: int = 0) -> int:
    try:
        return int(text, base)
    except ValueError:
        return default


def links(fs: Root) -> list[Link]:
    """Interfaces of /sys/class/net in interface-index order."""
    found = []
    for name in fs.listdir("/sys/class/net"):
        base = f"/sys/class/net/{name}"
        index = _int(fs.read_first_line(f"{base}/ifindex"), default=-1)
        if index < 0:
            continue
        mac = fs.read_first_line(f"{base}/address").lower()
        if not mac.strip("0:") or _int(fs.read_first_line(f"{base}/type")) in _TUNNEL_TYPES:
            mac = ""
        found.append(Link(name, index, _int(fs.read_first_line(f"{base}/flags"), 16), _int(fs.read_first_line(f"{base}/mtu")), mac))
    return sorted(found, key=lambda link: link.index)


def _hex_ipv4(value: str) -> str:
    try:
        return socket.inet_ntoa(struct.pack("<I", int(value, 16)))
    except (ValueError, struct.error):
        return ""


def _hex_ipv6(value: str) -> str:
    try:
        return str(ipaddress.IPv6Address(bytes.fromhex(value)))
    except ValueError:
        return ""


def default_routes(fs: Root) -> list[tuple[str, str, int, str]]:
    """Default routes with a next hop as (family, gateway, metric, device), IPv4 first, each in table order."""
    routes = []
    for line in (fs.read("/proc/net/route") or "").splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 7 and fields[1] == "00000000" and _int(fields[2], 16) and _int(fields[3], 16) & 0x1:
            routes.append(("inet", _hex_ipv4(fields[2]), _int(fields[6]), fields[0]))
    for line in (fs.read("/proc/net/ipv6_route") or "").splitlines():
        fields = line.split()
        if len(fields) >= 10 and fields[0] == _ZERO_V6 and fields[1] == "00" and fields[4] != _ZERO_V6 and fields[9] != "lo":
            routes.append(("inet6", _hex_ipv6(fields[4]), _int(fields[5], 16), fields[9]))
    return [route for route in routes if route[1]]


def gateway_ip(routes: Sequence[tuple[str, str, int, str]]) -> str:
    """The host's default gateway: the IPv4 default route with the lowest metric, else the IPv6 one."""
    for family in ("inet", "inet6"):
        candidates = [route for route in routes if route[0] == family]
        if candidates:
            return min(candidates, key=lambda route: route[2])[1]
    return ""


def dns_servers(fs: Root) -> list[str]:
    """Every nameserver of /etc/resolv.conf, in order."""
    servers = []
    for line in (fs.read("/etc/resolv.conf") or "").splitlines():
        fields = line.split()
        if len(fields) > 1 and fields[0] == "nameserver":
            servers.append(fields[1])
    return servers


def file_addresses(fs: Root, interfaces: Sequence[Link]) -> list[Address]:
    """Addresses without netlink: IPv6 from /proc/net/if_inet6 and, on a live host, each interface's primary IPv4."""
    found = [Address(index, "inet", address, prefix) for index, address, prefix in _ioctl_ipv4(interfaces)] if fs.is_live else []
    for line in (fs.read("/proc/net/if_inet6") or "").splitlines():
        fields = line.split()
        if len(fields) >= 6 and _hex_ipv6(fields[0]):
            found.append(Address(_int(fields[1], 16), "inet6", _hex_ipv6(fields[0]), _int(fields[2], 16)))
    return found


def _ioctl_ipv4(interfaces: Sequence[Link]) -> list[tuple[int, str, int]]:
    import fcntl

    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for link in interfaces:
            request = struct.pack("256s", link.name.encode()[:15])
            try:
                address = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)[20:24]
                mask = fcntl.ioctl(sock.fileno(), _SIOCGIFNETMASK, request)[20:24]
            except OSError:
                continue
            found.append((link.index, socket.inet_ntoa(address), bin(int.from_bytes(mask, "big")).count("1")))
    return found


def _link_speed(fs: Root, name: str) -> tuple[int, str]:
    speed = _int(fs.read_first_line(f"/sys/class/net/{name}/speed") or "x", default=-1)
    if speed == -1:
        return -1, ""
    duplex = fs.read_first_line(f"/sys/class/net/{name}/duplex")
    return speed, duplex if duplex in ("full", "half") else ""


def _kind(name: str) -> str:
    if name.startswith(("wl", "wifi")):
        return "wifi"
    if name.startswith(("docker", "br-")):
        return "bridge"
    return "ethernet"


def _address_entry(address: Address, gateways: dict[tuple[str, str], str], device: str) -> dict[str, str]:
    entry = {"address": address.address, "family": address.family, "netmask": f"/{address.prefixlen}"}
    link_local = address.family == "inet6" and ipaddress.IPv6Address(address.address).is_link_local
    gateway = "" if link_local else gateways.get((address.family, device), "")
    if gateway:
        entry["gateway"] = gateway
    return entry


def _interface_entry(fs: Root, link: Link, addresses: list[dict[str, str]]) -> dict[str, Any]:
    """One networkInterfaces item; empty fields are left out as the reference's omitempty tags do."""
    speed, duplex = _link_speed(fs, link.name)
    entry: dict[str, Any] = {"name": link.name, "type": _kind(link.name)}
    optional = (("macAddress", link.mac), ("mtu", link.mtu), ("status", "up" if link.up else "down"),
                ("linkSpeed", speed), ("duplex", duplex))
    entry.update((key, value) for key, value in optional if value)
    entry["addresses"] = addresses or None  # the reference sends null, not [], for an interface without addresses
    return entry


def collect(fs: Root, read_addresses: AddressReader | None = None) -> dict[str, Any]:
    """Return ip, gatewayIp, dnsServers and networkInterfaces."""
    interfaces = links(fs)
    if read_addresses is not None:
        addresses = list(read_addresses())
    else:
        try:
            addresses = dump_addresses() if fs.is_live else file_addresses(fs, interfaces)
        except OSError:
            addresses = file_addresses(fs, interfaces)
    routes = default_routes(fs)
    gateways: dict[tuple[str, str], str] = {}
    for family, gateway, _, device in routes:
        gateways.setdefault((family, device), gateway)
    primary_ip, result = "", []
    for link in interfaces:
        own = [address for address in addresses if address.index == link.index]
        if not primary_ip and link.up and not link.loopback:
            primary_ip = next((a.address for a in own if a.family == "inet" and not a.address.startswith("127.")), "")
        if link.loopback or not (own or link.up):
            continue
        result.append(_interface_entry(fs, link, [_address_entry(a, gateways, link.name) for a in own]))
    return {"ip": primary_ip, "gatewayIp": gateway_ip(routes), "dnsServers": dns_servers(fs), "networkInterfaces": result}
