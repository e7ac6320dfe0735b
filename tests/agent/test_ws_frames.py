"""RFC 6455 framing of the agent's WebSocket client: masking, lengths, fragmentation, control frames, close payloads."""
from __future__ import annotations

import struct

import pytest

from patchmon_agent import ws_frames as wf

MAX = 1 << 20


def _server_frame(opcode: int, payload: bytes = b"", *, fin: bool = True) -> bytes:
    return wf.encode_frame(opcode, payload, fin=fin, masked=False)


def test_masked_hello_matches_rfc_6455_example_when_the_key_is_fixed():
    """A masked "Hello" is byte for byte the example of RFC 6455 §5.7."""
    # Given the RFC's masking key
    key = bytes([0x37, 0xFA, 0x21, 0x3D])
    # When "Hello" is encoded as a client text frame
    frame = wf.encode_frame(wf.OP_TEXT, b"Hello", mask_key=key)
    # Then it is the RFC's bytes, and it decodes back
    assert frame == bytes([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    decoded, used = wf.parse_frame(frame, max_payload=MAX)
    assert decoded == wf.Frame(True, wf.OP_TEXT, b"Hello", True) and used == len(frame)


def test_client_frames_are_masked_with_a_fresh_key_when_no_key_is_given():
    """Two encodings of one payload use different random keys, and both carry the mask bit."""
    # Given one payload
    payload = b"x" * 64
    # When it is encoded twice
    first, second = wf.encode_frame(wf.OP_TEXT, payload), wf.encode_frame(wf.OP_TEXT, payload)
    # Then both are masked, with different keys, and neither shows the payload in clear
    assert first[1] & 0x80 and second[1] & 0x80
    assert first[2:6] != second[2:6]
    assert payload not in first and payload not in second


@pytest.mark.parametrize(("size", "length_byte", "header_size"), [(125, 125, 2), (126, 126, 4), (65535, 126, 4), (65536, 127, 10)])
def test_length_uses_7_16_or_64_bits_when_the_payload_grows(size, length_byte, header_size):
    """Payloads up to 125 bytes use the 7-bit length, up to 65535 the 16-bit one, larger ones the 64-bit one."""
    # Given a payload of `size` bytes
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    # When it is encoded as a server (unmasked) frame
    frame = _server_frame(wf.OP_BINARY, payload)
    # Then the length field has the expected width and value, and the frame decodes back
    assert frame[1] == length_byte and len(frame) == header_size + size
    if header_size > 2:
        assert int.from_bytes(frame[2:header_size], "big") == size
    assert wf.parse_frame(frame, max_payload=MAX) == (wf.Frame(True, wf.OP_BINARY, payload), len(frame))


def test_parse_waits_for_more_bytes_when_the_frame_is_incomplete():
    """Every proper prefix of a frame (header, extended length, key or payload cut short) decodes to None."""
    # Given a masked frame with a 16-bit length
    frame = wf.encode_frame(wf.OP_TEXT, b"a" * 300)
    # When only a prefix has arrived
    # Then nothing is decoded yet
    assert all(wf.parse_frame(frame[:n], max_payload=MAX) is None for n in range(len(frame)))


def test_parse_leaves_the_next_frame_in_the_buffer_when_two_arrive_together():
    """The byte count returned lets the caller keep the start of the next frame."""
    # Given two frames in one read
    buf = _server_frame(wf.OP_TEXT, b"one") + _server_frame(wf.OP_PING, b"p")
    # When the first is parsed
    first, used = wf.parse_frame(buf, max_payload=MAX)
    # Then the rest is exactly the second frame
    assert first.payload == b"one"
    assert wf.parse_frame(buf[used:], max_payload=MAX)[0] == wf.Frame(True, wf.OP_PING, b"p")


@pytest.mark.parametrize(("raw", "code"), [
    (bytes([0xC1, 0x00]), wf.CLOSE_PROTOCOL_ERROR),  # RSV1 set, no extension negotiated
    (bytes([0x83, 0x00]), wf.CLOSE_PROTOCOL_ERROR),  # reserved opcode 0x3
    (bytes([0x09, 0x00]), wf.CLOSE_PROTOCOL_ERROR),  # fragmented ping
    (bytes([0x89, 126, 0, 126]) + bytes(126), wf.CLOSE_PROTOCOL_ERROR),  # ping over 125 bytes
    (bytes([0x82, 127]) + struct.pack("!Q", 1 << 63), wf.CLOSE_PROTOCOL_ERROR),  # 64-bit length with its high bit set
    (bytes([0x82, 127]) + struct.pack("!Q", MAX + 1), wf.CLOSE_TOO_BIG),  # over the limit, refused before it arrives
])
def test_parse_refuses_with_a_close_code_when_the_frame_breaks_the_rfc(raw, code):
    """Reserved bits, unknown opcodes, bad control frames and oversized lengths raise ProtocolError with the close code to send."""
    # Given a malformed frame header
    # When it is parsed
    with pytest.raises(wf.ProtocolError) as refused:
        wf.parse_frame(raw, max_payload=MAX)
    # Then the error carries the close code
    assert refused.value.code == code


def test_encode_refuses_a_control_frame_when_it_is_too_long_or_fragmented():
    """Control frames carry at most 125 bytes and are never fragmented."""
    with pytest.raises(ValueError):
        wf.encode_frame(wf.OP_PING, bytes(126))
    with pytest.raises(ValueError):
        wf.encode_frame(wf.OP_CLOSE, b"", fin=False)


def test_message_is_split_into_continuation_frames_when_it_exceeds_the_frame_size():
    """A 40 KiB message in 16 KiB frames is text, continuation, continuation, with FIN only on the last."""
    # Given a 40 KiB text message
    payload = b"y" * (40 * 1024)
    # When it is encoded with 16 KiB frames
    frames = [wf.parse_frame(f, max_payload=MAX)[0] for f in wf.encode_message(wf.OP_TEXT, payload, frame_bytes=16 * 1024)]
    # Then the frames are ordered, sized and flagged as RFC 6455 §5.4 asks, and all masked
    assert [(f.opcode, f.fin, len(f.payload)) for f in frames] == [
        (wf.OP_TEXT, False, 16384), (wf.OP_CONTINUATION, False, 16384), (wf.OP_CONTINUATION, True, 8192)]
    assert all(f.masked for f in frames)
    assert b"".join(f.payload for f in frames) == payload


def test_empty_message_is_one_frame_when_encoded():
    """An empty message still goes out as one final frame."""
    assert [wf.parse_frame(f, max_payload=MAX)[0] for f in wf.encode_message(wf.OP_TEXT, b"", frame_bytes=16)] == [
        wf.Frame(True, wf.OP_TEXT, b"", True)]


def test_fragments_are_joined_when_a_text_message_arrives_in_pieces():
    """Text + continuation frames become one message, even with a UTF-8 character split across frames."""
    # Given "héllo" cut inside the two-byte "é"
    text = "héllo".encode()
    frames = [wf.Frame(False, wf.OP_TEXT, text[:2]), wf.Frame(False, wf.OP_CONTINUATION, text[2:4]), wf.Frame(True, wf.OP_CONTINUATION, text[4:])]
    assembler = wf.Reassembler(MAX)
    # When the frames are added in order
    results = [assembler.add(f) for f in frames]
    # Then only the last completes the message, and the next message starts clean
    assert results == [None, None, (wf.OP_TEXT, text)]
    assert assembler.add(wf.Frame(True, wf.OP_BINARY, b"\xff")) == (wf.OP_BINARY, b"\xff")


@pytest.mark.parametrize(("frames", "code"), [
    ([wf.Frame(True, wf.OP_CONTINUATION, b"x")], wf.CLOSE_PROTOCOL_ERROR),
    ([wf.Frame(False, wf.OP_TEXT, b"x"), wf.Frame(True, wf.OP_TEXT, b"y")], wf.CLOSE_PROTOCOL_ERROR),
    ([wf.Frame(False, wf.OP_TEXT, b"x" * 6), wf.Frame(True, wf.OP_CONTINUATION, b"x" * 6)], wf.CLOSE_TOO_BIG),
    ([wf.Frame(True, wf.OP_TEXT, b"\xc3")], wf.CLOSE_INVALID_DATA),
])
def test_reassembly_fails_with_a_close_code_when_the_sequence_is_invalid(frames, code):
    """A stray continuation, a new message inside a fragmented one, a message over the limit and bad UTF-8 are refused."""
    # Given a reassembler limited to 10 bytes
    assembler = wf.Reassembler(10)
    # When the frames are added
    with pytest.raises(wf.ProtocolError) as refused:
        for frame in frames:
            assembler.add(frame)
    # Then the error names the close code
    assert refused.value.code == code


def test_close_payload_round_trips_when_it_has_a_code_and_reason():
    """A close payload is the status code in network order, then the UTF-8 reason."""
    assert wf.encode_close(1001, "Going away") == b"\x03\xe9Going away"
    assert wf.parse_close(b"\x03\xe9Going away") == (1001, "Going away")
    assert wf.parse_close(b"") == (wf.CLOSE_NO_STATUS, "")


def test_close_reason_is_cut_on_a_character_boundary_when_it_is_too_long():
    """A long reason is cut to fit a 125-byte control frame without splitting a UTF-8 character."""
    # Given a reason of 200 two-byte characters
    payload = wf.encode_close(1000, "é" * 200)
    # When it is encoded
    # Then it fits a control frame and still decodes
    assert len(payload) <= 125
    assert wf.parse_close(payload)[1] == "é" * ((len(payload) - 2) // 2)


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000])
def test_close_code_is_refused_when_it_may_not_appear_on_the_wire(code):
    """Codes outside 1000–1003, 1007–1014 and 3000–4999 are a protocol error."""
    with pytest.raises(wf.ProtocolError):
        wf.parse_close(struct.pack("!H", code))


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999])
def test_close_code_is_accepted_when_it_is_defined_or_private(code):
    """Defined codes and the 3000–4999 ranges are accepted."""
    assert wf.parse_close(struct.pack("!H", code)) == (code, "")


def test_close_payload_is_refused_when_it_has_one_byte():
    """A one-byte close payload cannot hold a status code."""
    with pytest.raises(wf.ProtocolError):
        wf.parse_close(b"\x03")


def test_accept_matches_rfc_6455_example_when_given_the_sample_key():
    """Sec-WebSocket-Accept for the RFC's sample key is the RFC's answer, and fresh keys are 16 random bytes."""
    assert wf.accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    key = wf.new_key()
    assert len(key) == 24 and key != wf.new_key()
