"""Browser journeys: a real uvicorn server on a fresh database with demo data, driven by
Debian's Chromium through Playwright. Missing Chromium is a failure, never a silent skip."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg
import pytest

from civic.settings import PROJECT_ROOT
from tests.e2e import axe
from tests.helpers import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "tests" / "e2e" / "artifacts"
# The live server's database, for the few steps no page can take (live_sql).
LIVE_DSN: dict[str, str] = {}


def _server_dsn(admin_url: str, database: str) -> str:
    from urllib.parse import urlparse, urlunparse

    return urlunparse(urlparse(admin_url)._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def live_server(admin_url, template_db, tmp_path_factory):
    """Base URL of the app served by `civic run` (uvicorn) in its own process, on its own database."""
    name = f"e2e_{uuid.uuid4().hex[:8]}"

    async def create():
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        finally:
            await conn.close()

    asyncio.run(create())
    LIVE_DSN["dsn"] = _server_dsn(admin_url, name)
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {
        **os.environ,
        "DATABASE_URL": _server_dsn(admin_url, name),
        "SECRET_KEY": "e2e-secret-key-0123456789-0123456789-abcdef",
        "CIVIC_DATA_DIR": str(data_dir),
        "UPLOAD_DIR": str(data_dir / "uploads"),
        "LOG_LEVEL": "WARNING",
        # The journeys log in as the demo's staff, who would be sent to enrol TOTP first.
        "STAFF_TOTP_REQUIRED": "false",
    }
    seeded = subprocess.run(
        [sys.executable, "-m", "civic", "seed-demo"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert seeded.returncode == 0, f"seed-demo failed:\n{seeded.stdout}\n{seeded.stderr}"
    port = free_port()
    log_path = data_dir / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        # As production starts it: `civic run` serves through civic.web.server's protocol.
        [sys.executable, "-m", "civic", "run", "--no-demo", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the app did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(live_server):
    # Depends on live_server so that its database work runs before Playwright starts its own loop.
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: browser journeys cannot run. "
            "Install it with `apt-get install chromium` (.ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = b.new_context

        def remembering_scripts(**options):
            # axe-core is a script: a page with scripts off (the no-JavaScript journeys) can't run
            # it, and evaluating it there stalled the journey. Those pages are audited with scripts on.
            context = new_context(**options)
            context.scripts_off = options.get("java_script_enabled") is False
            return context

        b.new_context = remembering_scripts
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page (most citizens are on phones), Thai locale, fresh cookies."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, locale="th-TH", device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # A deliberate bad form gets a 4xx, which Chromium logs as a failed resource: that is the
    # app working. Script errors, CSP violations and 5xx are still failures.
    pg.on(
        "console",
        lambda msg: errors.append(msg.text)
        if msg.type == "error" and not re.search(r"status of 4\d\d", msg.text)
        else None,
    )
    visited: list[str] = []
    pg.on("load", lambda p: visited.append(p.url) if p.url not in visited else None)
    yield pg
    # Every page the journey saw, audited again as it stands at the end (a GET changes nothing).
    problems = []
    if not pg.is_closed():
        for url in visited:
            response = pg.goto(url)  # None when only the #fragment changed: the same document
            if response is None or response.ok:
                problems += [(url, v) for v in axe.violations(pg)]
    context.close()
    # A CSP violation or a broken script is a bug even when the journey still completes.
    assert not errors, f"browser console errors: {errors}"
    assert not problems, f"axe-core: serious or critical violations: {problems}"


@pytest.fixture
def shot(request):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(pg, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)
        axe.audit(pg, f"{name} ({pg.url})")
        return path

    return take


@pytest.fixture
def live_sql(live_server):
    """Runs one statement on the live server's database, for what no page can do (turning a clock
    back). In a thread of its own: Playwright's sync API holds this thread's event loop."""

    def run(sql: str, *args):
        async def execute():
            conn = await asyncpg.connect(LIVE_DSN["dsn"])
            try:
                return await conn.execute(sql, *args)
            finally:
                await conn.close()

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, execute()).result()

    return run
