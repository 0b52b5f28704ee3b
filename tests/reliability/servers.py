"""Misbehaving loopback servers for the fault-injection suite.

A `FaultServer` listens on 127.0.0.1 only, answers at most `max_requests` requests and
stops by itself after `lifetime` seconds, whatever the test does. Each route is a function
that writes raw bytes to the socket, so a test can send what no well-behaved HTTP server
would: a body cut short, a reset in the middle of one, a stall, a gzip bomb.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Handler = Callable[["Request", socket.socket], int]  # writes the answer, returns its status


@dataclass(slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass(slots=True)
class Logged:
    at: float
    path: str
    headers: dict[str, str]
    status: int


def head(status: int, headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
              404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
              502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Status")  # fmt: skip
    lines = [f"HTTP/1.1 {status} {reason}", "Connection: close"]
    out = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    if length is not None:
        out["Content-Length"] = str(length)
    lines += [f"{k}: {v}" for k, v in out.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply(body: bytes | str = b"", status: int = 200, headers: dict[str, str] | None = None,
          delay: float = 0.0) -> Handler:  # fmt: skip
    """A well-formed answer (after ``delay`` seconds)."""
    data = body.encode() if isinstance(body, str) else body

    def handler(request: Request, conn: socket.socket) -> int:
        if delay:
            time.sleep(delay)
        conn.sendall(head(status, headers, len(data)) + data)
        return status

    return handler


def script(*handlers: Handler) -> Handler:
    """Answer with each handler in turn; the last one answers every later request."""
    queue = list(handlers)

    def handler(request: Request, conn: socket.socket) -> int:
        current = queue.pop(0) if len(queue) > 1 else queue[0]
        return current(request, conn)

    return handler


def stall(seconds: float) -> Handler:
    """Accept the request, say nothing for ``seconds``, then hang up."""

    def handler(request: Request, conn: socket.socket) -> int:
        time.sleep(seconds)
        return 0

    return handler


def reset_mid_body(body: bytes, after: int) -> Handler:
    """Promise ``len(body)`` bytes, send ``after`` of them, then reset the connection."""

    def handler(request: Request, conn: socket.socket) -> int:
        conn.sendall(head(200, None, len(body)) + body[:after])
        time.sleep(0.05)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return -1  # closed with RST by the caller

    return handler


def short_body(body: bytes, promised: int) -> Handler:
    """Content-Length says ``promised``; the body ends (a clean close) before that."""

    def handler(request: Request, conn: socket.socket) -> int:
        conn.sendall(head(200, None, promised) + body)
        return 200

    return handler


def stream(chunks: Callable[[], Iterable[bytes]], headers: dict[str, str] | None = None,
           length: int | None = None) -> Handler:  # fmt: skip
    """Send a body chunk by chunk (chunked encoding unless ``length`` is given), stopping
    quietly when the client hangs up, as a client refusing an oversize body does."""

    def handler(request: Request, conn: socket.socket) -> int:
        out = dict(headers or {})
        if length is None:
            out["Transfer-Encoding"] = "chunked"
        try:
            conn.sendall(head(200, out, length))
            for chunk in chunks():
                if length is None:
                    conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    conn.sendall(chunk)
            if length is None:
                conn.sendall(b"0\r\n\r\n")
        except OSError:
            return 200  # the client gave up on it
        return 200

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    return reply(b"", status, {"Location": location})


def not_found(request: Request, conn: socket.socket) -> int:
    conn.sendall(head(404, None, 9) + b"not found")
    return 404


ROBOTS = reply("User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})


@dataclass
class FaultServer:
    """A loopback HTTP/1.1 server whose routes are raw socket writers."""

    routes: dict[str, Handler] = field(default_factory=dict)
    max_requests: int = 400
    lifetime: float = 300.0
    log: list[Logged] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.routes.setdefault("/robots.txt", ROBOTS)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._served = 0
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._deadline = time.monotonic() + self.lifetime
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def requests_for(self, path: str) -> list[Logged]:
        with self._lock:
            return [entry for entry in self.log if entry.path == path]

    @property
    def served(self) -> int:
        return self._served

    def _serve(self) -> None:
        try:
            while not self._stopped.is_set() and time.monotonic() < self._deadline:
                try:
                    conn, _ = self._sock.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                with self._lock:
                    self._served += 1
                    over = self._served > self.max_requests
                if over:  # bounded: past the budget every connection is hung up on
                    conn.close()
                    continue
                threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        finally:
            self._sock.close()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            first, *lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, target, _ = [*first.split(" "), "", ""][:3]
            headers = {}
            for line in lines:
                key, _, value = line.partition(":")
                headers[key.strip()] = value.strip()
            request = Request(method, target, headers, time.monotonic())
            entry = Logged(request.at, request.path, headers, 0)  # logged on arrival
            with self._lock:
                self.log.append(entry)
            entry.status = self._route(target.split("?", 1)[0])(request, conn)
        except OSError:
            pass
        finally:
            conn.close()

    def _route(self, path: str) -> Handler:
        """The route for ``path``: exact, else the longest "prefix*" route, else 404."""
        if path in self.routes:
            return self.routes[path]
        prefixes = [k for k in self.routes if k.endswith("*") and path.startswith(k[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else not_found

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(inflated: int) -> bytes:
    """``inflated`` bytes of zeros as a gzip member, compressed by streaming (never held
    inflated in memory): 1 GB comes to about 1 MB on the wire."""
    if inflated not in _BOMBS:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header
        block = bytes(1 << 20)
        parts = []
        left = inflated
        while left > 0:
            parts.append(packer.compress(block[: min(left, len(block))]))
            left -= len(block)
        parts.append(packer.flush())
        _BOMBS[inflated] = b"".join(parts)
    return _BOMBS[inflated]
