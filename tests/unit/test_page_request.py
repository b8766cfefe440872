"""civic.web.templating.PageRequest: HTMXRequest's details, without its reference cycle."""

from __future__ import annotations

import gc

from litestar.plugins.htmx import HTMXRequest

from civic.web.templating import PageRequest

SCOPE = {
    "type": "http",
    "method": "GET",
    "path": "/ideas",
    "query_string": b"",
    "headers": [(b"hx-request", b"true"), (b"hx-target", b"idea-list"), (b"hx-boosted", b"true")],
}


def test_it_reads_the_htmx_headers_as_htmx_request_does():
    for request_class in (PageRequest, HTMXRequest):
        htmx = request_class(dict(SCOPE)).htmx
        assert bool(htmx)
        assert htmx.target == "idea-list"
        assert htmx.boosted is True


def unreachable_after_use(request_class) -> int:
    gc.collect()
    gc.disable()
    try:
        request = request_class(dict(SCOPE))
        assert request.htmx.target == "idea-list"
        del request
        return gc.collect()
    finally:
        gc.enable()


def test_a_used_request_is_freed_without_the_cyclic_collector():
    assert unreachable_after_use(PageRequest) == 0
    assert unreachable_after_use(HTMXRequest) > 0  # the cycle this class exists to avoid
