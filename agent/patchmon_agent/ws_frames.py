"""RFC 6455 framing for the agent's WebSocket client: frames, reassembly, close payloads, handshake key.

Standard library only and Python 3.9+, like the rest of the agent. Nothing here does I/O: the
decoder works on a byte buffer, so a read that times out half-way through a frame loses nothing.
"""
from __future__ import annotations

import base64
import hashlib
import os
import struct
from typing import NamedTuple

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
DATA_OPCODES = frozenset({OP_CONTINUATION, OP_TEXT, OP_BINARY})
CONTROL_OPCODES = frozenset({OP_CLOSE, OP_PING, OP_PONG})

CLOSE_NORMAL, CLOSE_GOING_AWAY, CLOSE_PROTOCOL_ERROR = 1000, 1001, 1002
CLOSE_NO_STATUS, CLOSE_ABNORMAL, CLOSE_INVALID_DATA = 1005, 1006, 1007
CLOSE_TOO_BIG, CLOSE_INTERNAL_ERROR = 1009, 1011
_RESERVED_CODES = frozenset({1004, CLOSE_NO_STATUS, CLOSE_ABNORMAL, 1015})  # never on the wire (RFC 6455 §7.4.1)
MAX_CONTROL_PAYLOAD = 125
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ProtocolError(Exception):
    """The peer broke RFC 6455; ``code`` is the close code to answer with."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


class Frame(NamedTuple):
    fin: bool
    opcode: int
    payload: bytes
    masked: bool = False


def apply_mask(data: bytes, key: bytes) -> bytes:
    """XOR ``data`` with the 4-byte masking ``key`` (its own inverse)."""
    n = len(data)
    if n == 0:
        return b""
    # One big-integer XOR is ~50x faster than a Python loop over 128 KiB.
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


def encode_frame(opcode: int, payload: bytes = b"", *, fin: bool = True, masked: bool = True, mask_key: bytes | None = None) -> bytes:
    """Encode one frame; a client frame is masked with ``mask_key`` or a fresh random key."""
    if opcode in CONTROL_OPCODES and (len(payload) > MAX_CONTROL_PAYLOAD or not fin):
        raise ValueError("control frames carry at most 125 bytes and cannot be fragmented")
    size = len(payload)
    first = (0x80 if fin else 0) | opcode
    mask_bit = 0x80 if masked else 0
    if size < 126:
        head = struct.pack("!BB", first, mask_bit | size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", first, mask_bit | 126, size)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, size)
    if not masked:
        return head + payload
    key = mask_key if mask_key is not None else os.urandom(4)
    if len(key) != 4:
        raise ValueError("a masking key has 4 bytes")
    return head + key + apply_mask(payload, key)


def encode_message(opcode: int, payload: bytes, *, frame_bytes: int, masked: bool = True) -> list[bytes]:
    """Encode one data message as frames of at most ``frame_bytes`` payload each (first: opcode, others: continuation)."""
    chunks = [payload[i : i + frame_bytes] for i in range(0, len(payload), frame_bytes)] or [b""]
    last = len(chunks) - 1
    return [encode_frame(opcode if n == 0 else OP_CONTINUATION, chunk, fin=n == last, masked=masked) for n, chunk in enumerate(chunks)]


def parse_frame(buf: bytes | bytearray, *, max_payload: int) -> tuple[Frame, int] | None:
    """Decode the frame at the start of ``buf``: ``(frame, bytes used)``, or None while it is incomplete."""
    if len(buf) < 2:
        return None
    b0, b1 = buf[0], buf[1]
    if b0 & 0x70:
        raise ProtocolError(CLOSE_PROTOCOL_ERROR, "reserved bits set")  # no extension was negotiated
    fin, opcode, masked, length = bool(b0 & 0x80), b0 & 0x0F, bool(b1 & 0x80), b1 & 0x7F
    if opcode not in DATA_OPCODES and opcode not in CONTROL_OPCODES:
        raise ProtocolError(CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
    if opcode in CONTROL_OPCODES and (not fin or length > MAX_CONTROL_PAYLOAD):
        raise ProtocolError(CLOSE_PROTOCOL_ERROR, "fragmented or oversized control frame")
    pos = 2
    if length >= 126:
        width = 2 if length == 126 else 8
        if len(buf) < pos + width:
            return None
        length = int.from_bytes(bytes(buf[pos : pos + width]), "big")
        pos += width
        if length >> 63:
            raise ProtocolError(CLOSE_PROTOCOL_ERROR, "64-bit length with the high bit set")
    if length > max_payload:
        raise ProtocolError(CLOSE_TOO_BIG, "Message too big")
    key = b""
    if masked:
        if len(buf) < pos + 4:
            return None
        key, pos = bytes(buf[pos : pos + 4]), pos + 4
    if len(buf) < pos + length:
        return None
    payload = bytes(buf[pos : pos + length])
    return Frame(fin, opcode, apply_mask(payload, key) if masked else payload, masked), pos + length


class Reassembler:
    """Join data frames into messages, enforcing continuation order and the message size limit."""

    def __init__(self, max_message: int) -> None:
        self.max_message = max_message
        self._opcode: int | None = None
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, frame: Frame) -> tuple[int, bytes] | None:
        """Take one data frame; return ``(opcode, payload)`` when it completes a message."""
        if frame.opcode == OP_CONTINUATION:
            if self._opcode is None:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR, "continuation frame without a message")
        elif self._opcode is not None:
            raise ProtocolError(CLOSE_PROTOCOL_ERROR, "new message before the previous one ended")
        else:
            self._opcode = frame.opcode
        self._size += len(frame.payload)
        if self._size > self.max_message:
            raise ProtocolError(CLOSE_TOO_BIG, "Message too big")
        self._parts.append(frame.payload)
        if not frame.fin:
            return None
        opcode, payload = self._opcode, b"".join(self._parts)
        self._opcode, self._parts, self._size = None, [], 0
        if opcode == OP_TEXT:
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(CLOSE_INVALID_DATA, "text message is not UTF-8") from None
        return opcode, payload


def encode_close(code: int, reason: str = "") -> bytes:
    """Build a close frame's payload: the status code, then a UTF-8 reason (cut to fit 125 bytes)."""
    data = reason.encode("utf-8")[: MAX_CONTROL_PAYLOAD - 2]
    return struct.pack("!H", code) + data.decode("utf-8", "ignore").encode("utf-8")


def parse_close(payload: bytes) -> tuple[int, str]:
    """Read a close frame's payload; an empty one means 1005 (no status received)."""
    if not payload:
        return CLOSE_NO_STATUS, ""
    if len(payload) == 1:
        raise ProtocolError(CLOSE_PROTOCOL_ERROR, "close payload of one byte")
    code = struct.unpack("!H", payload[:2])[0]
    if code < 1000 or code in _RESERVED_CODES or 1016 <= code < 3000 or code >= 5000:
        raise ProtocolError(CLOSE_PROTOCOL_ERROR, f"invalid close code {code}")
    try:
        return code, payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(CLOSE_INVALID_DATA, "close reason is not UTF-8") from None


def new_key() -> str:
    """Return a fresh Sec-WebSocket-Key: 16 random bytes in base64."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_for(key: str) -> str:
    """Return the Sec-WebSocket-Accept a server must answer to ``key``."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")  # noqa: S324 (RFC 6455 mandates SHA-1)
