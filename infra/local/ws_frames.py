"""API Gateway's 32 KB WebSocket frame quota, both ways: framing details aiohttp does not expose.

Inbound, a client data frame over the quota closes the connection with 1009 (browsers send a whole
message as one frame, so in AWS they cannot send more than 32 KB at once). Outbound, @connections
messages reach the client split into frames of at most 32 KB, which the client must reassemble.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import cast

OPCODE_TEXT, OPCODE_BINARY, OPCODE_CLOSE = 0x1, 0x2, 0x8


def encode_frames(payload: bytes, opcode: int, frame_bytes: int) -> bytes:
    """Encode one unmasked server message as frames carrying at most ``frame_bytes`` each."""
    chunks = [payload[i : i + frame_bytes] for i in range(0, len(payload), frame_bytes)] or [b""]
    out = bytearray()
    for n, chunk in enumerate(chunks):
        first = (0x80 if n == len(chunks) - 1 else 0) | (opcode if n == 0 else 0)  # FIN on the last; opcode on the first
        size = len(chunk)
        if size < 126:
            out += struct.pack("!BB", first, size)
        elif size < 1 << 16:
            out += struct.pack("!BBH", first, 126, size)
        else:
            out += struct.pack("!BBQ", first, 127, size)
        out += chunk
    return bytes(out)


def _header_size(head: bytes) -> int:
    if len(head) < 2:
        return 2
    length = head[1] & 0x7F
    return 2 + {126: 2, 127: 8}.get(length, 0) + (4 if head[1] & 0x80 else 0)


def _payload_size(head: bytes) -> int:
    length = head[1] & 0x7F
    return int.from_bytes(head[2 : {126: 4, 127: 10}[length]], "big") if length >= 126 else length


class FrameGuard(asyncio.Protocol):
    """Sit between a WebSocket's transport and its aiohttp protocol, reading only frame headers.

    On the first data frame over ``limit`` it sends a 1009 close frame, closes the transport and calls
    ``on_oversize``; aiohttp then sees a lost connection.
    """

    def __init__(self, transport: asyncio.Transport, limit: int, on_oversize: Callable[[], None]) -> None:
        """Install the guard on ``transport`` in front of its current protocol."""
        self._transport, self._limit, self._on_oversize = transport, limit, on_oversize
        self._inner = cast(asyncio.Protocol, transport.get_protocol())
        self._head = b""  # the current frame header, while incomplete
        self._skip = 0  # payload bytes of the current frame not yet seen
        self._tripped = False
        transport.set_protocol(self)

    def data_received(self, data: bytes) -> None:
        """Pass data on unless it carries an oversized frame."""
        if self._tripped:
            return
        if self._oversized(data):
            self._tripped = True
            reason = b"Message too big"
            self._transport.write(struct.pack("!BBH", 0x80 | OPCODE_CLOSE, 2 + len(reason), 1009) + reason)
            self._transport.close()
            self._on_oversize()
            return
        self._inner.data_received(data)

    def _oversized(self, data: bytes) -> bool:
        pos = 0
        while pos < len(data):
            if self._skip:
                step = min(self._skip, len(data) - pos)
                self._skip -= step
                pos += step
                continue
            need = _header_size(self._head) - len(self._head)
            self._head += data[pos : pos + need]
            pos += need
            if len(self._head) == _header_size(self._head):
                opcode, self._skip = self._head[0] & 0x0F, _payload_size(self._head)
                self._head = b""
                if opcode < OPCODE_CLOSE and self._skip > self._limit:
                    return True
        return False

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()
