"""How `civic run --workers N` listens: a socket for each worker (WorkerListener)."""

from __future__ import annotations

import socket


class WorkerListener(socket.socket):
    """The server's address, bound (not listened on) by uvicorn's supervisor, that every worker
    process replaces with a listening socket of its own on the same address (SO_REUSEPORT).

    uvicorn hands all its workers one shared listening socket. Whichever worker is idle when
    connections arrive accepts them, so a burst of keep-alive connections can land 28 on one
    worker and 4 on the other, and one core idles while the other queues: under bench_ideas'
    32 clients a lopsided split cost about 15 % of support throughput. With one socket per
    worker the kernel spreads connections by their address hash instead. (HAProxy's advice for
    the same problem, haproxy/haproxy#684, is one bind per process.)

    The supervisor sends its sockets to each worker it starts, by pickling; this class pickles
    as "bind your own". The supervisor's socket never listens, so no connection waits on it.
    A worker that stops drops the connections still queued on its socket, as with any
    SO_REUSEPORT server (Linux >= 5.14 can move them: net.ipv4.tcp_migrate_req).
    """

    def __reduce__(self):  # type: ignore[override]
        return (_reuseport_socket, (self.family, self.getsockname()))


def _reuseport_socket(family: int, address: tuple, cls: type[socket.socket] = socket.socket) -> socket.socket:
    sock = cls(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def worker_listener(host: str, port: int) -> socket.socket:
    """The address for uvicorn's supervisor to hand its workers (see WorkerListener); raises
    OSError when something else holds it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # SO_REUSEPORT would let a second civic on this port join the first and share its traffic;
    # a plain bind first makes that an "address in use" error, as it would be without workers.
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    return _reuseport_socket(family, (host, port), WorkerListener)
