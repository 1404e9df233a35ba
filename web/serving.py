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
from typing import Callable

from . import create_app

SWITCH_INTERVAL_S = 0.02  # how long a thread may hold the interpreter lock (see _hold_the_lock_longer)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024, reuse_port=False)
    sock.set_inheritable(True)  # gunicorn's workers take it over
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(config: dict, host: str, port: int, threads: int, workers: int,
          announce: Callable[[str], None]) -> None:
    """Serve until interrupted; ``announce`` receives the page's address once it is listening."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(message)s")
    sock = listening_socket(host, port)
    if workers <= 1:
        _hold_the_lock_longer()
        _serve_waitress(create_app(config), sock, threads, announce)
    else:
        _serve_gunicorn(config, sock, threads, workers, announce)


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
    from gunicorn.app.base import BaseApplication

    class SearchServer(BaseApplication):
        def load_config(self):
            for key, value in {"bind": [f"fd://{sock.fileno()}"], "workers": workers, "threads": threads,
                               "worker_class": "gthread", "timeout": 60, "graceful_timeout": 10,
                               "proc_name": "search", "accesslog": None,  # web.access logs each request
                               "control_socket_disable": True}.items():
                self.cfg.set(key, value)

        def load(self):  # in each worker: its own engine and searchers
            _hold_the_lock_longer()
            return create_app(config)

    announce(url_of(sock))
    SearchServer().run()
