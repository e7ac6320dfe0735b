"""The agent's WebSocket client against a real WebSocket server (the `websockets` library) and raw sockets:
URL, backoff, handshake, messages, control frames, heartbeat, rotation, limits, TLS and proxy."""
from __future__ import annotations

import json
import logging
import ssl
import subprocess
import threading
import time

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Response

from patchmon_agent import ws_frames as wf
from patchmon_agent.ws import AgentSocket, backoff_delay, ws_url
from patchmon_agent.ws_transport import HandshakeError, open_connection
from tests.agent.ws_helpers import CREDENTIALS, ConnectProxy, Recorder, Running, raw_server, wait_for, ws_server

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _no_proxy_from_the_environment(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


# -- URL and backoff --------------------------------------------------------------------------------

@pytest.mark.parametrize(("server", "expected"), [
    ("https://pm.example.com", "wss://pm.example.com/api/v1/agents/ws"),
    ("http://127.0.0.1:8000/", "ws://127.0.0.1:8000/api/v1/agents/ws"),
    (" HTTPS://pm.example.com:8443// ", "wss://pm.example.com:8443/api/v1/agents/ws"),
    ("wss://pm.example.com", "wss://pm.example.com/api/v1/agents/ws"),
    ("ws://pm.local", "ws://pm.local/api/v1/agents/ws"),
    ("https://example.com/patchmon", "wss://example.com/patchmon/api/v1/agents/ws"),
])
def test_ws_url_maps_scheme_and_appends_the_agent_path_when_given_a_server_url(server, expected):
    """https→wss, http→ws, ws/wss kept, trailing slashes trimmed, then /api/v1/agents/ws (as the official agent does)."""
    assert ws_url(server) == expected


def test_ws_url_assumes_wss_with_a_warning_when_the_url_has_no_scheme(caplog):
    """A bare host is treated as wss://, as the official agent does, and says so."""
    with caplog.at_level(logging.WARNING, logger="patchmon_agent.ws"):
        assert ws_url("pm.example.com") == "wss://pm.example.com/api/v1/agents/ws"
    assert "no scheme" in caplog.text


def test_ws_url_is_refused_when_the_scheme_is_not_http_or_ws():
    with pytest.raises(ValueError):
        ws_url("ftp://pm.example.com")


def test_backoff_doubles_from_1_to_32_seconds_when_jitter_is_at_its_maximum():
    """The bound is min(32, 2^attempt) s."""
    assert [backoff_delay(n, rng=lambda: 1.0) for n in range(8)] == [1, 2, 4, 8, 16, 32, 32, 32]
    assert backoff_delay(10_000, rng=lambda: 1.0) == 32  # no overflow after days of failures


def test_backoff_is_uniform_between_zero_and_the_bound_when_jitter_is_random():
    """Full jitter: every delay is in [0, bound], and delays differ (agents restarted together spread out)."""
    delays = [backoff_delay(3) for _ in range(200)]
    assert all(0 <= d <= 8 for d in delays)
    assert len(set(delays)) > 150 and min(delays) < 2 and max(delays) > 6
    assert backoff_delay(0, rng=lambda: 0.0) == 0


# -- handshake --------------------------------------------------------------------------------------

def test_upgrade_carries_the_agent_credentials_when_connecting():
    """X-API-ID, X-API-KEY, a version-13 key and the agent's User-Agent go on the upgrade; no subprotocol, no extension."""
    # Given a server
    recorder = Recorder()
    with ws_server(recorder) as url, Running(url) as agent:
        # When the agent connects
        wait_for(lambda: recorder.connections)
        headers = recorder.connections[0]["headers"]
        # Then the request carries the credentials and nothing unexpected
        assert headers["X-API-ID"] == CREDENTIALS["X-API-ID"] and headers["X-API-KEY"] == CREDENTIALS["X-API-KEY"]
        assert headers["Sec-WebSocket-Version"] == "13" and headers["User-Agent"].startswith("patchmon-agent/")
        assert headers["X-Agent-Heartbeat"] == "240"  # the server then sends this agent no keepalive
        assert "Sec-WebSocket-Protocol" not in headers and "Sec-WebSocket-Extensions" not in headers
        wait_for(lambda: agent.socket.connected)
        assert agent.events == ["connect"]


def test_refusal_reports_status_and_body_when_the_server_answers_401():
    """A refused upgrade raises HandshakeError with the status and the server's plain-text reason."""
    # Given a server refusing every upgrade as $connect does for bad credentials
    def refuse(connection, request):
        return Response(401, "Unauthorized", Headers([("Content-Type", "text/plain"), ("Content-Length", "23")]), b"Invalid API credentials")

    with ws_server(Recorder(), process_request=refuse) as url:
        # When the agent connects
        with pytest.raises(HandshakeError) as refused:
            open_connection(url, CREDENTIALS, verify_tls=True, timeout=5, max_message=1024, frame_bytes=1024)
    # Then the error says why
    assert refused.value.status == 401 and refused.value.detail == "Invalid API credentials"


def test_upgrade_fails_when_the_accept_header_is_wrong():
    """A 101 whose Sec-WebSocket-Accept does not match the key is not a WebSocket."""
    def respond(conn, head):
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")

    with raw_server(respond) as port, pytest.raises(HandshakeError, match="Sec-WebSocket-Accept"):
        open_connection(f"ws://127.0.0.1:{port}/api/v1/agents/ws", CREDENTIALS, verify_tls=True, timeout=5, max_message=1024, frame_bytes=1024)


def _accept(head: str) -> bytes:
    key = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("sec-websocket-key:"))
    return (f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {wf.accept_for(key)}\r\n\r\n").encode()


def test_first_message_is_kept_when_it_arrives_in_the_same_packet_as_the_101():
    """Bytes read past the upgrade response are the start of the frame stream, not lost."""
    def respond(conn, head):
        conn.sendall(_accept(head) + wf.encode_frame(wf.OP_TEXT, b'{"type":"report_now"}', masked=False))
        time.sleep(0.5)

    with raw_server(respond) as port:
        conn = open_connection(f"ws://127.0.0.1:{port}/x", CREDENTIALS, verify_tls=True, timeout=5, max_message=1024, frame_bytes=1024)
        try:
            assert conn.read(timeout=2) == [(wf.OP_TEXT, b'{"type":"report_now"}')]
        finally:
            conn.abort()


def test_ping_is_answered_at_once_when_it_arrives_in_the_same_packet_as_the_101():
    """A control frame already buffered is handled without waiting for more bytes from the socket."""
    answers: list[bytes] = []

    def respond(conn, head):
        conn.sendall(_accept(head) + wf.encode_frame(wf.OP_PING, b"hi", masked=False))
        conn.settimeout(3)
        answers.append(conn.recv(1024))

    with raw_server(respond) as port:
        conn = open_connection(f"ws://127.0.0.1:{port}/x", CREDENTIALS, verify_tls=True, timeout=5, max_message=1024, frame_bytes=1024)
        started = time.monotonic()
        assert conn.read(timeout=5) == []
        elapsed = time.monotonic() - started
        wait_for(lambda: answers)
        conn.abort()
    pong, _ = wf.parse_frame(answers[0], max_payload=1024)
    assert (pong.opcode, pong.payload, pong.masked) == (wf.OP_PONG, b"hi", True) and elapsed < 1


def test_client_closes_with_1002_when_the_server_masks_its_frames():
    """Server frames must not be masked (RFC 6455 §5.1): the client fails the connection with 1002."""
    answers: list[bytes] = []

    def respond(conn, head):
        conn.sendall(_accept(head) + wf.encode_frame(wf.OP_TEXT, b"{}", masked=True))
        conn.settimeout(3)
        answers.append(conn.recv(1024))

    with raw_server(respond) as port:
        conn = open_connection(f"ws://127.0.0.1:{port}/x", CREDENTIALS, verify_tls=True, timeout=5, max_message=1024, frame_bytes=1024)
        assert conn.read(timeout=2) == []
        assert conn.close_code == wf.CLOSE_PROTOCOL_ERROR
        conn.abort()
    close, _ = wf.parse_frame(answers[0], max_payload=1024)
    assert close.opcode == wf.OP_CLOSE and close.masked and wf.parse_close(close.payload)[0] == wf.CLOSE_PROTOCOL_ERROR


# -- messages ----------------------------------------------------------------------------------------

def test_message_reaches_on_message_once_when_the_server_fragments_it():
    """A text message sent in three fragments is delivered once, as a dict."""
    def script(ws, record):
        ws.send(iter(['{"type":', '"run_patch",', '"patch_run_id":"r1"}']))

    with ws_server(Recorder(script)) as url, Running(url) as agent:
        wait_for(lambda: agent.messages)
        time.sleep(0.2)
    assert agent.messages == [{"type": "run_patch", "patch_run_id": "r1"}]


def test_unusable_and_keepalive_messages_are_skipped_when_they_arrive(caplog):
    """Non-JSON, untyped (an API Gateway error), binary, `pong` and `connected` messages never reach on_message."""
    def script(ws, record):
        for message in ("not json", '{"message":"Internal server error","connectionId":"c","requestId":"r"}', b"\x00\x01",
                        '{"type":"pong"}', '{"type":"connected"}', "[1,2]", '{"type":"report_now"}'):
            ws.send(message)

    with caplog.at_level(logging.DEBUG, logger="tests.agent.ws"), ws_server(Recorder(script)) as url, Running(url) as agent:
        wait_for(lambda: agent.messages)
    assert agent.messages == [{"type": "report_now"}]
    assert "not JSON" in caplog.text and "Internal server error" in caplog.text and "binary" in caplog.text


def test_socket_keeps_serving_when_on_message_raises(caplog):
    """A failing handler is logged; the next message is still delivered."""
    # Given a handler that fails on the first message
    seen: list[dict] = []

    def handler(message):
        seen.append(message)
        if len(seen) == 1:
            raise RuntimeError("boom")

    def script(ws, record):
        ws.send('{"type":"report_now"}')
        ws.send('{"type":"update_agent"}')

    with ws_server(Recorder(script)) as url:
        stop = threading.Event()
        sock = AgentSocket(url, CREDENTIALS, handler, logger=logging.getLogger("tests.agent.ws"))
        thread = threading.Thread(target=sock.run, args=(stop,))
        with caplog.at_level(logging.ERROR, logger="tests.agent.ws"):
            thread.start()
            # When both messages arrive
            wait_for(lambda: len(seen) == 2)
            stop.set()
            thread.join(10)
    # Then the failure was logged and the second message delivered
    assert [m["type"] for m in seen] == ["report_now", "update_agent"]
    assert "handler failed" in caplog.text


def test_sends_from_many_threads_arrive_whole_when_called_concurrently():
    """send() is thread-safe: 4 threads × 50 messages arrive intact; a 100 KB message arrives whole."""
    recorder = Recorder()
    with ws_server(recorder) as url, Running(url) as agent:
        wait_for(lambda: agent.socket.connected)

        def burst(n):
            for i in range(50):
                assert agent.socket.send({"type": "ssh_proxy_data", "thread": n, "i": i})
                time.sleep(0.001)

        threads = [threading.Thread(target=burst, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        big = {"type": "rdp_proxy_data", "data": "z" * 100_000}
        assert agent.socket.send(big)
        wait_for(lambda: len(recorder.received()) == 201)
    received = [json.loads(m) for m in recorder.received()]
    assert received[-1] == big
    assert sorted((m["thread"], m["i"]) for m in received[:-1]) == [(n, i) for n in range(4) for i in range(50)]


def test_send_is_refused_when_not_connected_or_too_big():
    """Without a connection send() returns False; a message over 128,000 bytes raises ValueError."""
    sock = AgentSocket("ws://127.0.0.1:9/api/v1/agents/ws", CREDENTIALS, lambda m: None)
    assert sock.send({"type": "docker_status"}) is False
    with pytest.raises(ValueError):
        sock.send({"data": "x" * 128_000})


# -- control frames and close ------------------------------------------------------------------------

def test_ping_is_answered_with_the_same_payload_when_the_server_pings():
    """A server ping gets a pong carrying its payload (the official server pings every 30 s)."""
    pongs: list[bool] = []

    def script(ws, record):
        pongs.append(ws.ping(b"are-you-there").wait(3))

    with ws_server(Recorder(script)) as url, Running(url):
        wait_for(lambda: pongs)
    assert pongs == [True]


def test_client_echoes_the_close_and_reconnects_when_the_gateway_goes_away():
    """A server close (1001, as at the idle or 2-hour limit) is echoed, then the client reconnects."""
    recorder = Recorder(lambda ws, record: ws.close(1001, "Going away") if len(recorder.connections) == 1 else None)
    with ws_server(recorder) as url, Running(url) as agent:
        wait_for(lambda: agent.socket.connection_count == 2)
    first = recorder.connections[0]
    assert (first["code"], first["reason"]) == (1001, "Going away")
    assert agent.events[:3] == ["connect", "disconnect", "connect"]


def test_client_closes_with_1000_when_stop_is_set():
    """Setting stop sends a close 1000 and run() returns; on_disconnect is called."""
    recorder = Recorder()
    with ws_server(recorder) as url:
        with Running(url) as agent:
            wait_for(lambda: agent.socket.connected)
        wait_for(lambda: recorder.connections[0]["closed"])
    assert (recorder.connections[0]["code"], recorder.connections[0]["reason"]) == (1000, "agent stopping")
    assert agent.events == ["connect", "disconnect"] and not agent.socket.connected


def test_client_closes_with_1009_and_reconnects_when_a_message_is_too_big():
    """A message over 128 KiB is refused with 1009, then the client connects again."""
    recorder = Recorder(lambda ws, record: ws.send("x" * (129 * 1024)) if len(recorder.connections) == 1 else None)
    with ws_server(recorder) as url, Running(url) as agent:
        wait_for(lambda: agent.socket.connection_count == 2)
    assert recorder.connections[0]["code"] == 1009 and not agent.messages


def test_backoff_grows_when_connections_drop_right_after_opening():
    """A connection shorter than stable_seconds counts as a failure: a server that accepts and drops is not hammered."""
    # Given a server that closes every connection at once, and jitter pinned to its maximum
    recorder = Recorder(lambda ws, record: ws.close(1001, "Going away"))
    with ws_server(recorder) as url:
        agent = Running(url)
        agent.socket.backoff_base, agent.socket.rng = 0.05, lambda: 1.0
        # When it runs for 1.2 s (waits 0.05, 0.1, 0.2, 0.4, 0.8 s between attempts)
        with agent:
            time.sleep(1.2)
    # Then it connected a handful of times, not dozens
    assert 3 <= len(recorder.connections) <= 6


def test_backoff_restarts_from_the_base_when_the_connection_was_stable():
    """After a connection that lasted stable_seconds, the next wait is drawn from [0, base] again."""
    # Given the same server, but every connection counts as stable
    recorder = Recorder(lambda ws, record: ws.close(1001, "Going away"))
    with ws_server(recorder) as url:
        agent = Running(url)
        agent.socket.backoff_base, agent.socket.rng, agent.socket.stable_seconds = 0.05, lambda: 1.0, 0.0
        # When it runs for 1.2 s
        with agent:
            time.sleep(1.2)
    # Then it reconnected after each 0.05 s wait
    assert len(recorder.connections) >= 10


# -- heartbeat and rotation --------------------------------------------------------------------------

def test_heartbeat_is_sent_when_the_connection_is_quiet():
    """After heartbeat_seconds without a message either way, {"action":"ping"} goes out; answered, the connection stays."""
    recorder = Recorder()
    with ws_server(recorder) as url, Running(url, heartbeat_seconds=0.3) as agent:
        wait_for(lambda: len(recorder.received()) >= 3)
        assert agent.socket.connection_count == 1
    assert set(recorder.received()) == {'{"action":"ping"}'}


def test_no_heartbeat_is_sent_when_the_server_keepalive_flows():
    """Server messages (the per-minute {"type":"connected"}) already reset the idle timer: the heartbeat costs nothing."""
    def script(ws, record):
        def keepalive():
            while record["closed"] is None:
                ws.send('{"type":"connected"}')
                time.sleep(0.1)
        threading.Thread(target=keepalive, daemon=True).start()

    recorder = Recorder(script)
    with ws_server(recorder) as url, Running(url, heartbeat_seconds=0.5):
        time.sleep(2)
    assert recorder.received() == []


def test_client_reconnects_when_a_heartbeat_gets_no_answer(caplog):
    """No frame within reply_timeout after a heartbeat means a dead connection: the client opens a new one."""
    recorder = Recorder(answer_heartbeats=False)
    with caplog.at_level(logging.WARNING, logger="tests.agent.ws"), ws_server(recorder) as url:
        agent = Running(url, heartbeat_seconds=0.2)
        agent.socket.reply_timeout = 0.3
        with agent:
            wait_for(lambda: agent.socket.connection_count >= 2)
    assert "heartbeat unanswered" in caplog.text


def test_new_connection_opens_before_the_old_closes_when_the_connection_reaches_max_age():
    """At max age the client connects again, then closes the old connection with 1000; on_connect is not called again."""
    recorder = Recorder()
    handshakes: list[float] = []  # taken in the handshake: a handler thread may start late on a busy machine

    def note_handshake(connection, request):
        handshakes.append(time.monotonic())

    with ws_server(recorder, process_request=note_handshake) as url, Running(url, max_age_seconds=0.5) as agent:
        wait_for(lambda: len(recorder.connections) >= 2 and recorder.connections[0]["closed"])
        events = list(agent.events)
    first = recorder.connections[0]
    assert handshakes[1] < first["closed"]
    assert (first["code"], first["reason"]) == (1000, "reconnecting")
    assert events == ["connect"]


# -- TLS and proxy -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return folder / "cert.pem", context


def test_tls_is_refused_when_the_certificate_is_not_trusted(certificate, caplog):
    """With verification on, a self-signed certificate fails the connection (and nothing is delivered)."""
    _, context = certificate
    with caplog.at_level(logging.WARNING, logger="tests.agent.ws"), ws_server(Recorder(), ssl_context=context) as url:
        with Running(url) as agent:
            wait_for(lambda: "connect failed" in caplog.text)
    assert agent.socket.connection_count == 0 and "CERTIFICATE_VERIFY_FAILED" in caplog.text


def test_tls_connects_when_verification_is_skipped(certificate):
    """skip_ssl_verify (verify_tls=False) accepts the self-signed certificate."""
    _, context = certificate
    with ws_server(Recorder(lambda ws, record: ws.send('{"type":"report_now"}')), ssl_context=context) as url:
        with Running(url, verify_tls=False) as agent:
            wait_for(lambda: agent.messages)
    assert agent.messages == [{"type": "report_now"}]


def test_tls_connects_when_the_system_ca_store_trusts_the_certificate(certificate, monkeypatch):
    """Verification uses OpenSSL's default CA store (here pointed at the test CA with SSL_CERT_FILE)."""
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with ws_server(Recorder(), ssl_context=context) as url, Running(url) as agent:
        wait_for(lambda: agent.socket.connected)


def test_connection_goes_through_the_proxy_when_the_environment_sets_one(monkeypatch):
    """http_proxy (for ws://; https_proxy for wss://) is used through CONNECT, with Basic credentials from its URL."""
    proxy = ConnectProxy()
    monkeypatch.setenv("http_proxy", f"http://agent:s%40cret@127.0.0.1:{proxy.port}")
    try:
        with ws_server(Recorder(lambda ws, record: ws.send('{"type":"report_now"}'))) as url, Running(url) as agent:
            wait_for(lambda: agent.messages)
    finally:
        proxy.close()
    target = url.split("/")[2]
    assert proxy.requests[0].startswith(f"CONNECT {target} HTTP/1.1\r\n")
    assert "Proxy-Authorization: Basic YWdlbnQ6c0BjcmV0\r\n" in proxy.requests[0]  # agent:s@cret


def test_proxy_is_bypassed_when_no_proxy_names_the_host(monkeypatch):
    """no_proxy is honoured."""
    proxy = ConnectProxy()
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    try:
        with ws_server(Recorder()) as url, Running(url) as agent:
            wait_for(lambda: agent.socket.connected)
    finally:
        proxy.close()
    assert proxy.requests == []
