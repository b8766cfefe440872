"""civic.web.server: uvicorn's protocol with a response's head and body sent in one write,
checked on a recording transport (what reaches the socket, in how many writes) and on a real
socket (keep-alive, HEAD, 204, a large body, a streamed body)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import uvicorn
from uvicorn.server import ServerState

from civic.web.server import COALESCE_LIMIT, CoalescingHttpToolsProtocol

BIG = b"x" * (3 * COALESCE_LIMIT)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0.01)  # each part leaves in its own loop step
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    if path == "/empty":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    body = BIG if path == "/big" else b'{"ok":true}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def exchange(raw_request: bytes) -> RecordingTransport:
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    protocol = CoalescingHttpToolsProtocol(config, ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(raw_request)
    for _ in range(50):
        await asyncio.sleep(0.005)
    return transport


async def test_a_small_response_leaves_in_one_write():
    transport = await exchange(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"content-length: 11" in head
    assert body == b'{"ok":true}'


async def test_two_pipelined_requests_get_both_answers_in_order():
    transport = await exchange(b"GET / HTTP/1.1\r\nhost: x\r\n\r\nGET /empty HTTP/1.1\r\nhost: x\r\n\r\n")
    sent = b"".join(transport.writes)
    assert sent.index(b"200 OK") < sent.index(b"204 No Content")


async def test_a_large_body_is_written_through_whole_and_after_its_head():
    transport = await exchange(b"GET /big HTTP/1.1\r\nhost: x\r\n\r\n")
    sent = b"".join(transport.writes)
    head, _, body = sent.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == BIG
    assert transport.writes[-1] == BIG  # not copied into a join


async def test_a_streamed_body_is_not_held_back():
    transport = await exchange(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
    assert len(transport.writes) >= 3  # its parts left as they came, one loop step each
    sent = b"".join(transport.writes)
    assert b"transfer-encoding: chunked" in sent
    assert sent.endswith(b"0\r\n\r\n")
    assert b"one " in sent and b"two " in sent and b"three" in sent


@pytest.fixture
async def server_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=CoalescingHttpToolsProtocol, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers a flag, not an event
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_a_real_socket_serves_keep_alive_head_empty_large_and_streamed_responses(server_url):
    async with httpx.AsyncClient(base_url=server_url) as client:
        for _ in range(3):  # one kept-alive connection
            response = await client.get("/")
            assert response.json() == {"ok": True}
        head = await client.head("/")
        assert head.status_code == 200 and head.content == b""
        assert (await client.get("/empty")).status_code == 204
        assert (await client.get("/big")).content == BIG
        assert (await client.get("/stream")).text == "one two three"
        assert (await client.get("/")).json() == {"ok": True}
