"""civic.web.server.worker_listener: with --workers, each worker listens on a socket of its own,
so that the kernel, not whichever worker happens to be idle, spreads connections among them."""

from __future__ import annotations

import pickle
import socket
from multiprocessing.reduction import ForkingPickler

import pytest

from civic.web.server import worker_listener


def _sent_to_a_worker(sock: socket.socket) -> socket.socket:
    # What uvicorn's supervisor does with its sockets when it starts a worker (spawn).
    return pickle.loads(bytes(ForkingPickler.dumps(sock)))


def _listening(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))


def test_each_worker_binds_a_socket_of_its_own_on_the_supervisors_address():
    with worker_listener("127.0.0.1", 0) as parent:
        assert not _listening(parent), "the supervisor's socket must never take connections"
        workers = [_sent_to_a_worker(parent) for _ in range(2)]
        try:
            for sock in workers:
                assert sock.getsockname() == parent.getsockname()
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
                sock.listen()
            assert len({sock.fileno() for sock in workers}) == 2
            assert not _listening(parent)

            # The kernel spreads connections over both listeners (all 64 on one: odds 2**-63).
            clients = [socket.create_connection(parent.getsockname()) for _ in range(64)]
            accepted = []
            for sock in workers:
                sock.setblocking(False)
                n = 0
                while True:
                    try:
                        conn, _ = sock.accept()
                    except BlockingIOError:
                        break
                    conn.close()
                    n += 1
                accepted.append(n)
            assert sum(accepted) == 64 and min(accepted) > 0, accepted
            for client in clients:
                client.close()
        finally:
            for sock in workers:
                sock.close()


def test_an_address_in_use_is_an_error_even_for_another_civic():
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError):
            worker_listener("127.0.0.1", plain.getsockname()[1])

    # A civic already serving with workers listens with SO_REUSEPORT, which a second one could
    # otherwise join silently and take half its connections.
    with worker_listener("127.0.0.1", 0) as first:
        running = _sent_to_a_worker(first)
        running.listen()
        try:
            with pytest.raises(OSError):
                worker_listener("127.0.0.1", first.getsockname()[1])
        finally:
            running.close()
