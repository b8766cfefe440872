"""A request leaves nothing for the cycle collector: what it built is freed when it ends. Garbage
in reference cycles waits for a collection, and a full one walked every object of a worker
(about 100 ms at 150,000 objects), stalling every request on it meanwhile."""

from __future__ import annotations

import gc

from litestar import Request
from litestar.utils.scope.state import ScopeState


async def _cyclic_garbage(client, paths: list[str]) -> list[object]:
    """The objects that only the cycle collector could free, after GETting `paths`."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for path in paths:
            assert (await client.get(path)).status_code == 200, path
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


async def test_an_api_request_leaves_no_cycles(client):
    garbage = await _cyclic_garbage(client, ["/api/v1/privacy/notice", "/api/v1/ideas?sort=new"] * 5)
    # HTMXRequest and its HTMXDetails pointed at each other, holding the request's scope and the
    # server's callbacks (the test client's own objects may be there: they are not the app's)
    held = [o for o in garbage if isinstance(o, Request | ScopeState)]
    assert held == []
