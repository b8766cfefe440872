"""`python -m civic run --workers 2`, as production starts it: each worker listens on a socket
of its own (civic.web.server.worker_listener), both serve, and a second civic cannot join."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from civic.settings import PROJECT_ROOT
from tests.helpers import free_port


def _tcp_sockets(port: int, state: str) -> set[str]:
    """Socket inodes of this machine's IPv4 TCP sockets on local `port` in `state` (hex, as in
    /proc/net/tcp: 0A is LISTEN, 01 ESTABLISHED)."""
    rows = (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
    return {r[9] for r in rows if r[1].endswith(f":{port:04X}") and r[3] == state}


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _children(pid: int) -> list[int]:
    return [
        int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()
    ]


def _run(db_url: str, tmp_path: Path, port: int, **env: str) -> tuple[list[str], dict[str, str]]:
    """`civic run` on `port`, and its environment (`env` added)."""
    env = os.environ | {
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "CIVIC_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return [sys.executable, "-m", "civic", "run", "--no-demo", "--host", "127.0.0.1", "--port", str(port)], env


def test_each_worker_listens_on_its_own_socket_and_serves(db_url, tmp_path):
    port = free_port()
    run, env = _run(db_url, tmp_path, port, RUN_RELAY="false", RUN_SCHEDULER="false")
    proc = subprocess.Popen(
        [*run, "--workers", "2"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        # Each worker listens once its start-up is done.
        while len(_tcp_sockets(port, "0A")) < 2:
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the workers did not both start listening"
            time.sleep(0.2)
        assert len(_tcp_sockets(port, "0A")) == 2

        clients = []
        for _ in range(32):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /api/v1/health HTTP/1.1\r\nhost: t\r\n\r\n")
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
            clients.append(client)
        established = _tcp_sockets(port, "01")
        workers = [pid for pid in _children(proc.pid) if _socket_inodes(pid) & established]
        served = sorted(len(_socket_inodes(pid) & established) for pid in workers)
        # Spread by the kernel's hash: all 32 on one worker has odds of 2**-31.
        assert len(served) == 2 and sum(served) == 32, served
        for client in clients:
            client.close()

        second = subprocess.run(
            [*run, "--workers", "2"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
        )
        assert second.returncode != 0
        assert f"cannot serve on 127.0.0.1:{port}" in second.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:  # noqa: S310
            assert r.status == 200
    finally:
        proc.terminate()
        proc.wait(20)


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]


def _background(pid: int) -> int | None:
    """The pid of `civic worker` among civic run's children, if one runs."""
    found = [c for c in _children(pid) if _cmdline(c)[1:4] == ["-m", "civic", "worker"]]
    return found[0] if found else None


def _niceness(pid: int) -> int:
    # /proc/PID/stat: the 19th field, after the command in parentheses
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_the_background_loops_run_once_beside_the_web_workers_at_a_lower_priority(db_url, tmp_path):
    port = free_port()
    run, env = _run(db_url, tmp_path, port, RUN_RELAY="false")
    proc = subprocess.Popen([*run, "--workers", "2"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(_tcp_sockets(port, "0A")) < 2:
            assert proc.poll() is None
            assert time.monotonic() < deadline, "the workers did not both start listening"
            time.sleep(0.2)
        background = _background(proc.pid)
        assert background is not None
        # the loops RUN_RELAY turned off stay off there
        assert _cmdline(background)[-1:] == ["--no-relay"]
        assert _niceness(background) == _niceness(proc.pid) + 10
        listening = _tcp_sockets(port, "0A")
        web = [c for c in _children(proc.pid) if _socket_inodes(c) & listening]
        assert len(web) == 2 and background not in web
        for pid in web:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert {b"RUN_RELAY=false", b"RUN_CONSUMERS=false", b"RUN_SCHEDULER=false", b"RUN_MAIL=false"} <= set(environ)

        # killed, it is started again
        os.kill(background, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (again := _background(proc.pid)) in (None, background):
            assert time.monotonic() < deadline, "the background worker was not started again"
            time.sleep(0.2)
        assert _cmdline(again)[-1:] == ["--no-relay"]
    finally:
        proc.terminate()
        proc.wait(20)
    # and it stops with civic run
    assert not Path(f"/proc/{again}").exists()
