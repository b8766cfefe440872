"""How `civic run` serves through uvicorn: its httptools protocol, sending a response's head and
body in one write (CoalescingHttpToolsProtocol), and with --workers, a listening socket for each
worker (WorkerListener).

ASGI hands the server a response in two messages, head then body, and uvicorn writes each to
the socket as it comes: two send() calls and, with TCP_NODELAY, two packets for even the
smallest JSON answer. On loopback each send runs the receiver's whole TCP path in the sender's
system call: profiled under bench_ideas' support load, a worker spent a quarter of its samples
in these two writes. aiohttp coalesces the same way (aio-libs/aiohttp#10991).

The first write of a loop step waits for a second one in the same step and goes out with it;
alone, it leaves when the step ends. Nothing waits longer than that, so streamed responses and
uvicorn's flow control behave as before.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Data this large is written as it is (after what is pending): joining would copy it for no gain.
COALESCE_LIMIT = 64 * 1024


class _CoalescingTransport:
    """The parts of asyncio.Transport that uvicorn uses, with the first write of a loop step held
    back: a second write in the same step (a body after its head) goes out joined with it at
    once, and a lone one when the step ends. Everything else goes to the real transport."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: bytes | None = None

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if len(data) >= COALESCE_LIMIT:
                self._transport.write(pending)
                self._transport.write(data)
            else:
                self._transport.write(pending + data)
        elif len(data) >= COALESCE_LIMIT:
            self._transport.write(data)
        else:
            self._pending = bytes(data)
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if not self._transport.is_closing():
                self._transport.write(pending)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]


class WorkerListener(socket.socket):
    """The server's address, bound (not listened on) by uvicorn's supervisor, that every worker
    process replaces with a listening socket of its own on the same address (SO_REUSEPORT).

    uvicorn hands all its workers one shared listening socket. Whichever worker is idle when
    connections arrive accepts them, so a burst of keep-alive connections can land 28 on one
    worker and 4 on the other, and one core idles while the other queues: under bench_ideas'
    32 clients a lopsided split cost about 15 % of support throughput. With one socket per
    worker the kernel spreads connections by their address hash instead. (HAProxy's advice for
    the same problem, haproxy/haproxy#684, is one bind per process.)

    The supervisor sends its sockets to each worker it starts, by pickling; this class pickles
    as "bind your own". The supervisor's socket never listens, so no connection waits on it.
    A worker that stops drops the connections still queued on its socket, as with any
    SO_REUSEPORT server (Linux >= 5.14 can move them: net.ipv4.tcp_migrate_req).
    """

    def __reduce__(self):  # type: ignore[override]
        return (_reuseport_socket, (self.family, self.getsockname()))


def _reuseport_socket(family: int, address: tuple, cls: type[socket.socket] = socket.socket) -> socket.socket:
    sock = cls(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def worker_listener(host: str, port: int) -> socket.socket:
    """The address for uvicorn's supervisor to hand its workers (see WorkerListener); raises
    OSError when something else holds it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # SO_REUSEPORT would let a second civic on this port join the first and share its traffic;
    # a plain bind first makes that an "address in use" error, as it would be without workers.
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    return _reuseport_socket(family, (host, port), WorkerListener)
