"""OutputStream: when chunks are cut, their order, and what a failing server costs."""
from __future__ import annotations

from patchmon_agent.patching.stream import MAX_CHUNK_CHARS, OutputStream
from tests.agent.agent_fakes import reset_agent_logger  # noqa: F401 (autouse fixture)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _stream(sent: list[str], clock: Clock) -> OutputStream:
    return OutputStream(sent.append, flush_bytes=1024, flush_seconds=0.25, clock=clock)


def test_text_is_held_until_a_kibibyte_is_waiting():
    # Given
    sent: list[str] = []
    stream = _stream(sent, Clock())
    # When
    stream.write("a" * 600)
    stream.tick()
    stream.write("b" * 500)
    stream.close()
    # Then
    assert sent == ["a" * 600 + "b" * 500]


def test_waiting_text_is_sent_once_it_is_a_quarter_second_old():
    sent: list[str] = []
    clock = Clock()
    stream = _stream(sent, clock)
    stream.write("line 1\n")
    clock.now += 0.2
    stream.tick()
    stream.write("line 2\n")
    clock.now += 0.05
    stream.tick()
    stream.write("line 3\n")
    stream.close()
    assert sent == ["line 1\nline 2\n", "line 3\n"]


def test_flush_cuts_a_chunk_at_a_command_boundary():
    sent: list[str] = []
    stream = _stream(sent, Clock())
    stream.write("$ apt-get update -qq\n")
    stream.flush()
    stream.write("$ apt-get upgrade\n")
    stream.close()
    assert sent == ["$ apt-get update -qq\n", "$ apt-get upgrade\n"]
    assert stream.text == "$ apt-get update -qq\n$ apt-get upgrade\n"


def test_huge_writes_are_split_below_the_server_chunk_limit():
    sent: list[str] = []
    stream = _stream(sent, Clock())
    stream.write("z" * (MAX_CHUNK_CHARS * 2 + 10))
    stream.close()
    assert [len(c) for c in sent] == [MAX_CHUNK_CHARS, MAX_CHUNK_CHARS, 10]


def test_failing_chunk_post_is_logged_and_the_next_one_still_sent(caplog):
    # Given a server that refuses the first chunk
    sent: list[str] = []

    def send(chunk: str) -> None:
        if not sent:
            sent.append("refused")
            raise ConnectionError("connection reset")
        sent.append(chunk)

    stream = OutputStream(send, clock=Clock(), run_id="r1")
    # When
    stream.write("first\n")
    stream.flush()
    stream.write("second\n")
    stream.close()
    # Then
    assert sent == ["refused", "second\n"] and stream.text == "first\nsecond\n"
    assert [r.getMessage() for r in caplog.records] == ["patch output chunk not sent"]
