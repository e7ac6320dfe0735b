"""One WebSocket connection of the agent: TCP (or an HTTP proxy's CONNECT tunnel), TLS, the HTTP upgrade, frames.

A `Connection` is used by one thread only (the one running `AgentSocket.run`): an `ssl.SSLSocket` must
not be read and written from two threads at once.
"""
from __future__ import annotations

import base64
import select
import socket
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Callable

from patchmon_agent import ws_frames as wf

_HEAD_LIMIT = 16 * 1024  # an upgrade response or proxy answer is a few hundred bytes
_BODY_LIMIT = 512  # enough of a refusal's body to log ("Invalid API credentials")
_IO_TIMEOUT = 10.0  # a write (or the rest of a TLS record) that takes longer means the path is dead


class WebSocketError(Exception):
    """The connection could not be opened or was lost."""


class HandshakeError(WebSocketError):
    """The server (or a proxy) answered the upgrade with something other than 101."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}" if status else detail)
        self.status = status
        self.detail = detail


def proxy_for(scheme: str, host: str) -> str | None:
    """Return the proxy URL the environment sets for ``scheme`` (ws/wss) and ``host``, honouring no_proxy."""
    proxies = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxies.get("https" if scheme == "wss" else "http") or None


def tls_context(verify: bool) -> ssl.SSLContext:
    """Return a client TLS context using the system CA store; ``verify=False`` is the agent's skip_ssl_verify."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # noqa: S323 (the operator asked for it: skip_ssl_verify)
    return context


def _host_header(host: str, port: int, default_port: int) -> str:
    name = f"[{host}]" if ":" in host else host
    return name if port == default_port else f"{name}:{port}"


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("websocket handshake timed out")  # noqa: UP041 (Python 3.9: not yet TimeoutError)
    return left


def read_head(sock: socket.socket, deadline: float) -> tuple[int, str, dict[str, str], bytes]:
    """Read an HTTP response head: ``(status, reason, headers in lower case, bytes after the head)``."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        if len(buf) > _HEAD_LIMIT:
            raise HandshakeError(0, "response head too large")
        sock.settimeout(_remaining(deadline))
        chunk = sock.recv(4096)
        if not chunk:
            raise WebSocketError("connection closed during the handshake")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise HandshakeError(0, "malformed HTTP status line")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers, rest


def _refusal(sock: socket.socket, status: int, reason: str, *, headers: dict[str, str], rest: bytes, deadline: float) -> HandshakeError:
    """Build the error for a refused upgrade, with the start of its body (e.g. 401 "Invalid API credentials")."""
    try:
        wanted = min(int(headers.get("content-length", "0")), _BODY_LIMIT)
    except ValueError:
        wanted = 0
    deadline = min(deadline, time.monotonic() + 2.0)
    try:
        while len(rest) < wanted:
            sock.settimeout(_remaining(deadline))
            chunk = sock.recv(wanted - len(rest))
            if not chunk:
                break
            rest += chunk
    except OSError:
        pass  # the status alone says enough
    text = " ".join(rest[:_BODY_LIMIT].decode("utf-8", "replace").split())[:200]
    return HandshakeError(status, text or reason)


def _tunnel(sock: socket.socket, proxy: urllib.parse.SplitResult, target: str, deadline: float) -> None:
    """Ask an HTTP proxy for a CONNECT tunnel to ``target`` (host:port)."""
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.username is not None:
        user = urllib.parse.unquote(proxy.username)
        password = urllib.parse.unquote(proxy.password or "")
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))
    sock.settimeout(_remaining(deadline))
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
    status, reason, _, _ = read_head(sock, deadline)
    if not 200 <= status < 300:
        raise HandshakeError(status, f"proxy refused CONNECT: {reason}")


def _check_header(name: str, value: str) -> None:
    if any(c in name for c in "\r\n:") or any(c in value for c in "\r\n"):
        raise ValueError(f"invalid header {name!r}")


def open_connection(url: str, headers: dict[str, str], *, verify_tls: bool, timeout: float, max_message: int, frame_bytes: int,
                    proxy: str | None = None) -> Connection:
    """Open a WebSocket to ``url`` with ``headers`` on the upgrade; ``proxy`` is an http:// proxy URL or None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a ws:// or wss:// URL: {url!r}")
    default_port = 443 if parts.scheme == "wss" else 80
    host, port = parts.hostname, parts.port or default_port
    deadline = time.monotonic() + timeout
    if proxy:
        via = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
        if via.scheme != "http" or not via.hostname:
            raise ValueError(f"unsupported proxy {via.scheme}://{via.hostname} (only http:// proxies are supported)")
        sock = socket.create_connection((via.hostname, via.port or 80), timeout=_remaining(deadline))
    else:
        sock = socket.create_connection((host, port), timeout=_remaining(deadline))
    try:
        _keepalive(sock)
        if proxy:
            _tunnel(sock, via, _host_header(host, port, -1), deadline)
        if parts.scheme == "wss":
            sock.settimeout(_remaining(deadline))
            sock = tls_context(verify_tls).wrap_socket(sock, server_hostname=host)
        leftover = _upgrade(sock, _host_header(host, port, default_port), (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                            headers, deadline)
        return Connection(sock, leftover, max_message=max_message, frame_bytes=frame_bytes)
    except BaseException:
        sock.close()
        raise


def _upgrade(sock: socket.socket, host: str, target: str, headers: dict[str, str], deadline: float) -> bytes:
    """Send the upgrade request and check the 101 answer; return the bytes already read past it."""
    key = wf.new_key()
    fields = {"Host": host, "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
    fixed = {name.lower() for name in fields}
    fields.update({name: value for name, value in headers.items() if name.lower() not in fixed})
    for name, value in fields.items():
        _check_header(name, value)
    request = f"GET {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items()) + "\r\n"
    sock.settimeout(_remaining(deadline))
    sock.sendall(request.encode("utf-8"))
    status, reason, answer, rest = read_head(sock, deadline)
    if status != 101:
        raise _refusal(sock, status, reason, headers=answer, rest=rest, deadline=deadline)
    if answer.get("upgrade", "").lower() != "websocket" or "upgrade" not in answer.get("connection", "").lower():
        raise HandshakeError(status, "the server did not switch to websocket")
    if answer.get("sec-websocket-accept") != wf.accept_for(key):
        raise HandshakeError(status, "wrong Sec-WebSocket-Accept")
    if answer.get("sec-websocket-extensions") or answer.get("sec-websocket-protocol"):
        raise HandshakeError(status, "the server chose an extension or subprotocol that was not offered")
    return rest


def _keepalive(sock: socket.socket) -> None:
    """Let the kernel notice a dead peer (TCP keepalive probes are free; WebSocket messages are billed)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


class Connection:
    """An open WebSocket: masked writes, buffered frame reads, ping→pong and the close handshake."""

    def __init__(self, sock: socket.socket, leftover: bytes, *, max_message: int, frame_bytes: int) -> None:
        self.sock = sock
        self.frame_bytes = frame_bytes
        # Monotonic times: any frame received; data messages sent and received (what API Gateway counts as activity).
        self.opened_at = self.last_frame_at = self.last_sent_at = self.last_received_at = time.monotonic()
        self.close_code: int | None = None  # set once the connection is over (peer close, EOF, error or our close)
        self.close_reason = ""
        self._buf = bytearray(leftover)
        self._assembler = wf.Reassembler(max_message)
        self._max_message = max_message
        self._close_sent = False
        self._eof = False

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def fileno(self) -> int:
        return self.sock.fileno()

    def buffered(self) -> bool:
        """True when data is already read (by us or by TLS) and waits to be parsed."""
        return bool(self._buf) or (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0)

    def send_message(self, opcode: int, payload: bytes) -> None:
        """Send one data message, in frames of at most ``frame_bytes``."""
        self._write(b"".join(wf.encode_message(opcode, payload, frame_bytes=self.frame_bytes)))
        self.last_sent_at = time.monotonic()

    def read(self, timeout: float) -> list[tuple[int, bytes]]:
        """Read what is available (waiting up to ``timeout``) and return the complete data messages."""
        before = len(self._buf)
        messages = self._parse()
        if len(self._buf) != before or self.closed or self._eof:  # a buffered frame (even a ping) was handled: no wait
            return messages
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):  # noqa: UP041 (Python 3.9: not yet TimeoutError)
            return []
        if not data:
            self._eof = True
            self._finish(wf.CLOSE_ABNORMAL, "connection lost")
            return []
        self._buf += data
        return self._parse()

    def close(self, code: int, reason: str, *, wait: float, deliver: Callable[[int, bytes], None] | None = None) -> None:
        """Start (or finish) the close handshake, wait up to ``wait`` s for the peer's close, then close the socket.

        Data messages that arrive meanwhile go to ``deliver``: a message the server pushed just before it
        saw our close (a make-before-break rotation) is not lost.
        """
        self._send_close(code, reason)
        deadline = time.monotonic() + wait
        try:
            while not self._eof and self.close_code is None and time.monotonic() < deadline:
                if not self.buffered() and not select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))[0]:
                    break
                for opcode, payload in self.read(max(0.01, deadline - time.monotonic())):
                    if deliver is not None:
                        deliver(opcode, payload)
        except OSError:
            pass  # it is closing anyway
        self._finish(code, reason)
        self.abort()

    def abort(self) -> None:
        """Close the socket without a handshake (the connection is dead or the peer already closed)."""
        if self.close_code is None:
            self.close_code, self.close_reason = wf.CLOSE_ABNORMAL, "aborted"
        try:
            self.sock.close()
        except OSError:
            pass

    def _parse(self) -> list[tuple[int, bytes]]:
        messages: list[tuple[int, bytes]] = []
        while self.close_code is None:
            try:
                parsed = wf.parse_frame(self._buf, max_payload=self._max_message)
                if parsed is None:
                    break
                frame, used = parsed
                del self._buf[:used]
                message = self._on_frame(frame)
            except wf.ProtocolError as exc:
                self._send_close(exc.code, exc.reason)
                self._finish(exc.code, exc.reason)
                break
            if message is not None:
                messages.append(message)
        return messages

    def _on_frame(self, frame: wf.Frame) -> tuple[int, bytes] | None:
        now = time.monotonic()
        self.last_frame_at = now
        if frame.masked:
            raise wf.ProtocolError(wf.CLOSE_PROTOCOL_ERROR, "masked frame from the server")
        if frame.opcode == wf.OP_PING:
            self._write(wf.encode_frame(wf.OP_PONG, frame.payload))
        elif frame.opcode == wf.OP_CLOSE:
            code, reason = wf.parse_close(frame.payload)
            # Echo the status (RFC 6455 §5.5.1); the server then closes TCP, so do we.
            self._send_close(None if code == wf.CLOSE_NO_STATUS else code, reason)
            self._finish(code, reason)
        elif frame.opcode != wf.OP_PONG:
            message = self._assembler.add(frame)
            if message is not None:
                self.last_received_at = now
            return message
        return None

    def _send_close(self, code: int | None, reason: str) -> None:
        if self._close_sent or self._eof:
            return
        self._close_sent = True
        try:
            self._write(wf.encode_frame(wf.OP_CLOSE, b"" if code is None else wf.encode_close(code, reason)))
        except OSError:
            pass  # a dead connection cannot hear it

    def _finish(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason

    def _write(self, data: bytes) -> None:
        self.sock.settimeout(_IO_TIMEOUT)
        self.sock.sendall(data)
