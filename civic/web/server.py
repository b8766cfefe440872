"""uvicorn's httptools protocol, sending a response's head and body in one write.

ASGI hands the server a response in two messages, head then body, and uvicorn writes each to
the socket as it comes: two send() calls and, with TCP_NODELAY, two packets for even the
smallest JSON answer. On loopback each send runs the receiver's whole TCP path in the sender's
system call, so the second write cost about a tenth of a support request's server CPU
(bench_ideas). aiohttp coalesces the same way (aio-libs/aiohttp#10991).

Writes made in one step of the event loop are joined and sent when that step ends. Bytes are
never held longer than that, so streamed responses and uvicorn's flow control behave as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Data this large is written through at once (after what is pending): joining would copy it
# for no gain.
COALESCE_LIMIT = 64 * 1024


class _CoalescingTransport:
    """The parts of asyncio.Transport that uvicorn uses, with write() deferred to the loop
    step's end; everything else goes to the real transport."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        if len(data) >= COALESCE_LIMIT:
            self.flush()
            self._transport.write(data)
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)
        self._size += len(data)
        if self._size >= COALESCE_LIMIT:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending.clear()
            self._size = 0
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._size = 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
