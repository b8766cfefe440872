"""Generated from the route table: junk in query strings and path parameters never gives a 500."""

import re

import pytest

from tests.helpers import login, make_user

JUNK_QUERIES = [
    "q=%00&page=abc",
    "page=99999999999999999999&per_page=-1",
    "q=" + "ก" * 5000,
    "sort=1;DROP TABLE users&status=<script>&province=%FF%FE",
    "kind=%E0%B8&after=zzz&cursor=%00",
]
PARAM = re.compile(r"\{([a-z_]+)(?::([a-z]+))?\}")


def _get_paths(app):
    for route in app.routes:
        methods = getattr(route, "methods", set())
        if "GET" not in methods or route.path.startswith(("/static", "/schema")):
            continue
        yield route.path


def _fill(path: str, value: str) -> str:
    return PARAM.sub(lambda m: value if m.group(2) != "int" else "1", path)


@pytest.mark.parametrize("logged_in", [False, True])
async def test_no_get_route_answers_500_to_junk(app, client, conn, logged_in):
    if logged_in:
        await make_user(conn, "fuzz@example.com", role="admin")
        await login(client, "fuzz@example.com")
    failures = []
    paths = sorted(set(_get_paths(app)))
    assert len(paths) > 40, f"only {len(paths)} GET routes found: the route walk is broken"
    for path in paths:
        for filled in {_fill(path, "1"), _fill(path, "%00"), _fill(path, "99999999999999999999")}:
            for query in JUNK_QUERIES:
                r = await client.get(f"{filled}?{query}")
                if r.status_code >= 500:
                    failures.append(f"{r.status_code} GET {filled}?{query[:60]}")
    assert not failures, "\n".join(failures)


JUNK_FORMS = [
    {},
    {"title": "\x00", "body": "x" * 200_000, "page": "99999999999999999999", "province": "%00", "id": "-1"},
    {"title": "ก", "reason": "<script>", "budget": "-1e309", "opens_at": "2569-13-45T99:99", "status": "nope"},
]
JUNK_JSON = [None, [], {"title": 5, "body": None}, {"title": "\u0000", "budget": 1e300, "status": "x" * 10_000}]


async def test_no_unsafe_route_answers_500_to_junk(app, client, conn):
    from civic.demo import seed
    from tests.helpers import csrf_token

    # Demo data makes id 1 exist for most things, so the junk reaches past the 404 checks.
    await seed(conn)
    await make_user(conn, "fuzz2@example.com", role="admin")
    await login(client, "fuzz2@example.com")
    token = await csrf_token(client)
    failures = []
    tried = 0
    for route in app.routes:
        for method in sorted(getattr(route, "methods", set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            if route.path in ("/logout", "/logout/everywhere") or route.path.startswith("/static"):
                continue
            path = _fill(route.path, "1")
            tried += 1
            for form in JUNK_FORMS:
                r = await client.request(method, path, data={**form, "_csrf_token": token})
                if r.status_code >= 500:
                    failures.append(f"{r.status_code} {method} {path} form={list(form)}")
            for body in JUNK_JSON:
                r = await client.request(method, path, json=body, headers={"x-csrftoken": token})
                if r.status_code >= 500:
                    failures.append(f"{r.status_code} {method} {path} json={str(body)[:40]}")
    assert tried > 40, f"only {tried} unsafe routes found: the route walk is broken"
    assert not failures, "\n".join(failures)
