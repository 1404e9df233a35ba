"""Running the app under a production WSGI server: waitress in one process (threads), or gunicorn
with several worker processes so that searches, which hold Python's interpreter lock, use every core.

Either way the listening socket is opened here first, so the address printed is the one bound (port 0
picks a free port) and a busy port fails before anything starts.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable

from . import create_app

SWITCH_INTERVAL_S = 0.02  # how long a thread may hold the interpreter lock (see _hold_the_lock_longer)
THREADS_ALONE = 8  # threads of a single waitress process
THREADS_PER_WORKER = 2  # threads of each gunicorn worker process (see _serve_gunicorn)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024, reuse_port=False)
    sock.set_inheritable(True)  # gunicorn's workers take it over
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(
    config: dict, host: str, port: int, threads: int | None, workers: int, announce: Callable[[str], None]
) -> None:
    """Serve until interrupted; ``announce`` receives the page's address once it is listening.
    ``threads`` per process; None: :data:`THREADS_ALONE`, or :data:`THREADS_PER_WORKER` with workers."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(message)s")
    sock = listening_socket(host, port)
    if workers <= 1:
        _hold_the_lock_longer()
        _serve_waitress(create_app(config), sock, threads or THREADS_ALONE, announce)
    else:
        _serve_gunicorn(config, sock, threads or THREADS_PER_WORKER, workers, announce)


def _hold_the_lock_longer() -> None:
    """Let a searching thread keep Python's interpreter lock for up to :data:`SWITCH_INTERVAL_S`.

    A search is ~10 ms of Python work; with the default 5 ms interval, concurrent searches in one
    process take turns every 5 ms and all finish late. With 20 ms most finish in one turn, first
    come first served. Measured at 8 clients on two cores (tests/bench/web_load.py, runs alternated
    on a busy shared machine): median p95 101 ms over six runs against 118 ms over five with 5 ms,
    134 against 128 requests/s: a modest gain, within the spread of single runs. Threads waiting on
    the network release the lock anyway. ``$SEARCH_SWITCH_MS`` overrides it.
    """
    sys.setswitchinterval(float(os.environ.get("SEARCH_SWITCH_MS", SWITCH_INTERVAL_S * 1000)) / 1000)


def _serve_waitress(app, sock: socket.socket, threads: int, announce) -> None:
    import waitress

    server = waitress.create_server(app, sockets=[sock], threads=threads, ident="search")
    announce(url_of(sock))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _serve_gunicorn(config: dict, sock: socket.socket, threads: int, workers: int, announce) -> None:
    """gunicorn's threaded workers, each taking a new connection only when one of its ``threads`` is
    free, and each connection closed after its answer.

    Why: the workers share out connections by whichever accepts first, and a kept-alive connection
    stays with its worker. Eight busy clients on two workers were often split five to three or six
    to two, and the busier worker queued its requests behind its one interpreter lock while the
    other had time to spare (p95 119-177 ms at 8 clients in tests/bench/web_load.py). Taking only
    what it can answer now, and one request per connection, each request goes to a worker with a
    free thread, so the two cores stay evenly loaded (p95 72-87 ms in the same runs). Two threads:
    one searching, one to take the next request while the first answer is written or a slow client
    sends its request; more threads per worker only took turns on the lock (CPU per request up from
    13-14 ms with two to 17-18 ms with eight). A new connection per request costs well under a
    millisecond on a local network, and browsers reconnect as a matter of course.
    """
    from gunicorn.app.base import BaseApplication

    class SearchServer(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": [f"fd://{sock.fileno()}"],
                "workers": workers,
                "threads": threads,
                "worker_connections": threads,
                "keepalive": 0,  # see above
                "worker_class": "gthread",
                "timeout": 60,
                "graceful_timeout": 10,
                "proc_name": "search",
                "accesslog": None,  # web.access logs each request
                "control_socket_disable": True,
            }.items():
                self.cfg.set(key, value)

        def load(self):  # in each worker: its own engine and searchers
            _hold_the_lock_longer()
            return create_app(config)

    announce(url_of(sock))
    SearchServer().run()
