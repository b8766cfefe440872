"""The floor under bench_ideas.py's support figure: what the fixed stack costs before civic does
anything. `litestar_app` is Litestar with one JSON route and no middleware, database or auth;
`asgi_app` is a bare ASGI callable, i.e. uvicorn alone. Both are served exactly as `civic run`
serves the real app (uvicorn, uvloop, httptools, same worker count)."""

from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> dict[str, bool]:
    return {"ok": True}


litestar_app = Litestar([hello], openapi_config=None)

_BODY = b'{"ok":true}'
_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_BODY)).encode())],
}


async def asgi_app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send(_START)
    await send({"type": "http.response.body", "body": _BODY})
