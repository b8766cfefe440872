"""The live API against its own /schema: schemathesis generates requests from the OpenAPI
document (valid and invalid ones, then sequences of calls) and checks every answer against it.

The app runs as production starts it (`civic run`) on the demo data, and the calls carry the
bearer token of the platform admin, who is also an admin of two agencies, so that staff-only
operations are reached and not just refused. State changes are exercised: the database is this
test's own. The run is bounded by examples per operation (SCHEMATHESIS_MAX_EXAMPLES, default 10;
about a minute on two busy cores) and, as a backstop, by TIME_LIMIT."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from civic.accounts import actions as accounts
from civic.accounts.schemas import TokenIn
from civic.demo import ADMIN_EMAIL, seed
from civic.orgs import store as orgs
from civic.settings import PROJECT_ROOT
from tests.helpers import free_port

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
)
# Not yet: positive_data_acceptance. Most input Structs do not declare their rules (required
# text, enums, date formats), so schema-valid bodies are refused with 422 by the actions.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
# Fixed, so that `make test` is repeatable; set another to explore (the run prints its seed).
SEED = os.environ.get("SCHEMATHESIS_SEED", "1")
TIME_LIMIT = 300


async def _admin_token(conn) -> str:
    await seed(conn)
    admin = await accounts.user_by_email(conn, ADMIN_EMAIL)
    for slug in ("mdes", "hdy-city"):
        org_id = await conn.fetchval("SELECT id FROM organisations WHERE slug = $1", slug)
        await orgs.add_member(conn, org_id, admin.id, "admin")
    return (await accounts.create_token(conn, admin, TokenIn(name="schemathesis"))).token


def _wait_until_serving(base: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the app did not start:\n{log_path.read_text()}")
        time.sleep(0.2)


def _schemathesis(base: str, token: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "run", f"{base}/schema/openapi.json"),
        *("--header", f"Authorization: Bearer {token}"),
        *("--checks", ",".join(CHECKS)),
        *("--max-examples", str(MAX_EXAMPLES), "--seed", SEED, "--no-shrink"),
        *("--workers", "1", "--request-timeout", "30"),
    ]
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIME_LIMIT, env=os.environ | {"NO_COLOR": "1"}
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"schemathesis ran past {TIME_LIMIT}s:\n{(exc.stdout or b'')[-4000:]!r}")


def _run_against_live_app(db_url: str, token: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    """Serves the app with `civic run` on db_url, runs schemathesis against it, and answers
    schemathesis's run and the server's log."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": db_url,
        "SECRET_KEY": "schemathesis-secret-key-0123456789-0123456789",
        "CIVIC_DATA_DIR": str(tmp_path),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RUN_RELAY": "false",
        "RUN_SCHEDULER": "false",
        "LOG_LEVEL": "WARNING",
        # The run uses the demo admin's token; an admin without a second factor is (rightly) sent
        # to enrol first, which would answer every operation alike (tests/integration/test_identity.py).
        "STAFF_TOTP_REQUIRED": "false",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "civic", "run", "--no-demo", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(base, proc, log_path)
        return _schemathesis(base, token, tmp_path), log_path.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def test_the_api_answers_as_its_schema_says(conn, db_url, tmp_path):
    token = await _admin_token(conn)
    started = time.monotonic()
    run, server_log = await asyncio.to_thread(_run_against_live_app, db_url, token, tmp_path)
    output = run.stdout + run.stderr
    summary = output[output.rfind("\n", 0, output.find("= SUMMARY =")) + 1 :] if "= SUMMARY =" in output else output[-3000:]
    print(f"schemathesis, {MAX_EXAMPLES} examples per operation, seed {SEED}: {time.monotonic() - started:.0f}s")
    print(summary)
    # The failures section names each operation, the check and a curl line to reproduce it.
    failures = output[output.find("= FAILURES =") - 30 : output.find("= SUMMARY =")] if "= FAILURES =" in output else ""
    assert run.returncode == 0, f"{failures[-20000:]}\n{summary}\nserver log:\n{server_log[-3000:]}"
    generated = re.search(r"(\d+) generated", output)
    assert generated and int(generated.group(1)) > 0, summary
