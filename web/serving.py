"""Running the app under a production WSGI server: waitress in one process (threads), or gunicorn
with several worker processes so that searches, which hold Python's interpreter lock, use every core.

Either way the listening socket is opened here first, so the address printed is the one bound (port 0
picks a free port) and a busy port fails before anything starts. Either way, too, a slow or idle
client costs a connection, never a thread that searches: both servers read a request whole before
handing it to the app, close a client that takes longer than :data:`CLIENT_TIMEOUT_S`, and take up to
:data:`MAX_CONNECTIONS` connections per process (tests/bench/attacks.py measures it).
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
# A connection that sends nothing for this long, or (under gunicorn) takes longer to send a request's
# line and headers, is closed: a browser sends them at once, a slow-loris client never finishes
CLIENT_TIMEOUT_S = 10
MAX_CONNECTIONS = 1000  # open connections per process; idle ones cost a socket and a few kilobytes each
MAX_REQUEST_BYTES = 64 * 1024  # headers and body: the API takes no uploads


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024, reuse_port=False)
    sock.set_inheritable(True)  # gunicorn's workers take it over
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(
    config: dict,
    host: str,
    port: int,
    threads: int | None,
    workers: int,
    announce: Callable[[str], None],
    client_timeout_s: int = CLIENT_TIMEOUT_S,
) -> None:
    """Serve until interrupted; ``announce`` receives the page's address once it is listening.
    ``threads`` of the single waitress process (None: :data:`THREADS_ALONE`); with ``workers`` > 1,
    gunicorn's processes each answer one request at a time (see :func:`gunicorn_settings`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(message)s")
    sock = listening_socket(host, port)
    if workers <= 1:
        _hold_the_lock_longer()
        _serve_waitress(create_app(config), sock, waitress_settings(threads, client_timeout_s), announce)
    else:
        _serve_gunicorn(config, sock, gunicorn_settings(sock, workers, client_timeout_s), announce)


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


def waitress_settings(threads: int | None, client_timeout_s: int = CLIENT_TIMEOUT_S) -> dict:
    """waitress's settings: its event loop reads each request whole before a thread sees it, so slow
    clients cost only connections; those are capped, and silent ones closed."""
    return {
        "threads": threads or THREADS_ALONE,
        "ident": "search",
        "channel_timeout": client_timeout_s,  # (default 120 s)
        "cleanup_interval": max(1, client_timeout_s // 4),  # how often silent channels are looked for
        "connection_limit": MAX_CONNECTIONS,  # (default 100: 98 idle clients stopped the server)
        "asyncore_use_poll": True,  # select() cannot watch sockets numbered over 1023
        "max_request_header_size": MAX_REQUEST_BYTES,
        "max_request_body_size": MAX_REQUEST_BYTES,
    }


def _serve_waitress(app, sock: socket.socket, settings: dict, announce) -> None:
    import waitress

    server = waitress.create_server(app, sockets=[sock], **settings)
    announce(url_of(sock))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def gunicorn_settings(sock: socket.socket, workers: int, client_timeout_s: int = CLIENT_TIMEOUT_S) -> dict:
    """gunicorn's settings: gevent workers, each serving its connections as greenlets of one thread.

    Why: gunicorn's threaded workers read a request in the thread that answers it, so a few clients
    sending half a request line held every thread. A greenlet waiting on a slow client costs a few
    kilobytes, and gunicorn closes a connection whose request line and headers take longer than
    ``keepalive`` seconds in all, however slowly they trickle in. A process runs one search at a
    time, as its one interpreter lock would anyway, and accepts nothing while it searches, so
    connections go to the processes with time to spare (docs/decisions.md).
    """
    return {
        "bind": [f"fd://{sock.fileno()}"],
        "workers": workers,
        "worker_class": "web.serving.SearchWorker",
        "worker_connections": MAX_CONNECTIONS,
        # the time a request's line and headers may take in all (gunicorn's async workers read them
        # under it); no connection is kept after its answer anyway (see _close_after_answer)
        "keepalive": client_timeout_s,
        "pre_request": _close_after_answer,
        "timeout": 30,  # a worker silent this long is restarted (a search stops at 5 s)
        "graceful_timeout": 10,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        "proc_name": "search",
        "accesslog": None,  # web.access logs each request
        "control_socket_disable": True,
    }


def _close_after_answer(worker, request) -> None:
    """gunicorn's hook before each request: the connection closes after this answer.

    A kept-alive connection stays with the worker that accepted it, and clients keeping theirs pile
    up on one worker while the other idles; with one request per connection each request goes to a
    worker with time to spare. Browsers reconnect as a matter of course.
    """
    request.must_close = True


def _serve_gunicorn(config: dict, sock: socket.socket, settings: dict, announce) -> None:
    from gunicorn.app.base import BaseApplication

    class SearchServer(BaseApplication):
        def load_config(self):
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):  # in each worker: its own engine and searchers
            return create_app(config)

    announce(url_of(sock))
    SearchServer().run()


def _gevent_worker():
    from gunicorn.workers.ggevent import GeventWorker

    class SearchWorker(GeventWorker):
        """gevent's worker with only the network patched: the engine keeps its searcher per thread
        (threading.local), and patched threads would make that one per connection, reopened for
        every request. Greenlets switch only while waiting on a socket, never inside a search."""

        def patch(self):
            from gevent import monkey

            monkey.patch_all(thread=False)
            # (what GeventWorker.patch does after patching: the listening sockets as gevent's)
            listening: list = self.sockets  # type: ignore[has-type]  # (gunicorn's Worker sets it)
            self.sockets = [
                socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach()) for s in listening
            ]

    return SearchWorker


def __getattr__(name: str):
    # gunicorn loads its worker class by name in each worker; gevent is imported only there
    if name == "SearchWorker":
        return _gevent_worker()
    raise AttributeError(name)
