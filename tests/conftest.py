"""One embedded PostgreSQL per test session; migrations applied once into a template
database; a fresh clone of it for every test that asks for `db_url`."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import signal
import tempfile
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from civic import embedded_db
from civic.settings import load_settings

# A real SMTP server for everyone's mail tests: the mailserver and mail_settings fixtures.
pytest_plugins = ["tests.mailserver"]

TEMPLATE_DB = "civic_template"
_counter = itertools.count()


def _interrupt_on_sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def pg_server():
    if os.environ.get("TEST_DATABASE_URL"):
        yield None
        return
    # A run ended by SIGTERM (CI's time limit, `timeout`) ends as Ctrl-C does: pytest tears the
    # session down, so the server below is stopped instead of left running.
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    base = Path(tempfile.mkdtemp(prefix="civic-test-pg-"))
    server = embedded_db.start(base, cleanup="delete")
    yield server
    server.cleanup()
    shutil.rmtree(base, ignore_errors=True)


def _server_url(pg_server, database: str) -> str:
    if pg_server is None:
        from urllib.parse import urlparse, urlunparse

        parsed = urlparse(os.environ["TEST_DATABASE_URL"])
        return urlunparse(parsed._replace(path=f"/{database}"))
    return embedded_db.dsn(pg_server, database)


@pytest.fixture(scope="session")
def admin_url(pg_server) -> str:
    return _server_url(pg_server, "postgres")


@pytest.fixture(scope="session")
def template_db(pg_server, admin_url) -> str:
    from civic.db import _init_connection, migrate

    async def build():
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}")
            await conn.execute(
                f"CREATE DATABASE {TEMPLATE_DB} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        finally:
            await conn.close()
        conn = await asyncpg.connect(_server_url(pg_server, TEMPLATE_DB))
        try:
            await _init_connection(conn)
            await migrate(conn)
        finally:
            await conn.close()

    asyncio.run(build())
    return TEMPLATE_DB


@pytest.fixture
async def db_url(pg_server, admin_url, template_db):
    name = f"t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
    finally:
        await conn.close()
    yield _server_url(pg_server, name)
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


@pytest.fixture
async def pool(db_url):
    from civic.db import create_pool

    p = await create_pool(db_url, max_size=10)
    yield p
    await p.close()


@pytest.fixture
async def search_pool(db_url):
    """As the app opens it: PostgreSQL search's own connections (none until a test searches)."""
    from civic.search.postgres import create_search_pool

    p = await create_search_pool(db_url, max_size=2, min_size=0)
    yield p
    await p.close()


@pytest.fixture
async def conn(pool):
    async with pool.acquire() as c:
        yield c


@pytest.fixture
def settings(tmp_path, db_url):
    return load_settings(
        {
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": db_url,
            "CIVIC_DATA_DIR": str(tmp_path),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "RUN_RELAY": "false",
            "RUN_SCHEDULER": "false",
            # Staff would be sent to enrol TOTP first; tests/integration/test_identity.py turns it on.
            "STAFF_TOTP_REQUIRED": "false",
        }
    )


@pytest.fixture
async def app(settings, pool, search_pool):
    from civic.app import create_app

    return create_app(settings, pool=pool, search_pool=search_pool)


class Browser(httpx.AsyncClient):
    """An HTTP client bound to the app in this event loop, keeping its own cookies."""


def _browser(app) -> Browser:
    return Browser(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local", follow_redirects=False
    )


@pytest.fixture
async def client(app):
    # The app runs in the test's own event loop and shares the test's pool. httpx sends no
    # lifespan events, so no background loops start: tests drive those explicitly.
    async with _browser(app) as c:
        yield c


@pytest.fixture
async def make_client(app, client):
    """More browsers for the same, already started app: each has its own cookies."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:

        async def factory() -> Browser:
            return await stack.enter_async_context(_browser(app))

        yield factory


def pytest_collection_modifyitems(config, items):
    """Browser journeys run last: Playwright's sync API keeps an event loop running for the
    rest of the session, and async tests cannot start their own loop after it."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.fspath))
