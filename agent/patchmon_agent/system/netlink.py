"""Interface addresses from the kernel over rtnetlink (an RTM_GETADDR dump), the source Go's net.Interfaces reads."""
from __future__ import annotations

import os
import socket
import struct
from typing import NamedTuple

_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port id
_IFADDRMSG = struct.Struct("=BBBBI")  # family, prefix length, flags, scope, interface index
_RTATTR = struct.Struct("=HH")  # length, type
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_RTM_NEWADDR, _RTM_GETADDR = 20, 22
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_IFA_ADDRESS, _IFA_LOCAL = 1, 2


class Address(NamedTuple):
    index: int
    family: str  # "inet" or "inet6"
    address: str
    prefixlen: int


def _align(length: int) -> int:
    return (length + 3) & ~3


def _attributes(body: bytes, offset: int) -> dict[int, bytes]:
    attrs: dict[int, bytes] = {}
    while offset + _RTATTR.size <= len(body):
        length, kind = _RTATTR.unpack_from(body, offset)
        if length < _RTATTR.size:
            break
        attrs.setdefault(kind, body[offset + _RTATTR.size:offset + length])
        offset += _align(length)
    return attrs


def _address(body: bytes) -> Address | None:
    if len(body) < _IFADDRMSG.size:
        return None
    family, prefixlen, _flags, _scope, index = _IFADDRMSG.unpack_from(body, 0)
    attrs = _attributes(body, _IFADDRMSG.size)
    if family == socket.AF_INET:
        # IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        raw, name, size = attrs.get(_IFA_LOCAL) or attrs.get(_IFA_ADDRESS), "inet", 4
    elif family == socket.AF_INET6:
        raw, name, size = attrs.get(_IFA_ADDRESS) or attrs.get(_IFA_LOCAL), "inet6", 16
    else:
        return None
    if raw is None or len(raw) != size:
        return None
    return Address(index, name, socket.inet_ntop(family, raw), prefixlen)


def parse_messages(data: bytes) -> tuple[list[Address], bool]:
    """Parse one buffer of netlink messages; return its addresses and whether the dump has ended."""
    found: list[Address] = []
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, kind, _flags, _seq, _port = _HEADER.unpack_from(data, offset)
        if length < _HEADER.size or kind == _NLMSG_DONE:
            return found, True
        if kind == _NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", data, offset + _HEADER.size)
            if error:
                raise OSError(-error, os.strerror(-error))
        elif kind == _RTM_NEWADDR:
            address = _address(data[offset + _HEADER.size:offset + length])
            if address:
                found.append(address)
        offset += _align(length)
    return found, False


def dump_addresses(timeout: float = 2.0) -> list[Address]:
    """Ask the kernel for every IPv4 and IPv6 address of every interface; OSError when netlink is unavailable."""
    family = getattr(socket, "AF_NETLINK", None)
    if family is None:
        raise OSError("netlink sockets are not available on this platform")
    with socket.socket(family, socket.SOCK_RAW, getattr(socket, "NETLINK_ROUTE", 0)) as sock:
        sock.settimeout(timeout)
        sock.bind((0, 0))
        request = _IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
        sock.sendto(_HEADER.pack(_HEADER.size + len(request), _RTM_GETADDR, _NLM_F_REQUEST | _NLM_F_DUMP, 1, 0) + request,
                    (0, 0))
        addresses: list[Address] = []
        while True:
            chunk = sock.recv(65536)
            found, done = parse_messages(chunk)
            addresses.extend(found)
            if done or not chunk:
                return addresses
