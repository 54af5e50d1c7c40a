"""Running the web app in one or more server processes (``ltc serve``; infrastructure:
no capability of its own).

With several processes, each listens on a socket of its own bound with ``SO_REUSEPORT``,
so the kernel shares new connections out between them as they arrive. (Processes that
share one listening socket take connections in bursts: the first to wake accepts every
waiting connection, and under load one process can end up serving nearly all clients
while the other idles.) Where ``SO_REUSEPORT`` is missing, uvicorn's own supervisor
shares one socket.

The parent process starts the workers, restarts one that dies, and stops them all on
Ctrl+C or SIGTERM.

Each process builds the app before it serves (its templates compiled then, and read only
once: a served app's templates do not change), then freezes what it has made so far
(modules, the app, its routes, templates and statements: some 200,000 objects) out of
the garbage collector's reach, and collects young objects less often: otherwise every
few hundred requests a full collection walks all of them (tens of milliseconds on one
request), and a request's short-lived rows and pages set off several young collections
(see docs/benchmarks.md, web app).
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import socket
import time
from types import FrameType
from typing import Any

import uvicorn

APP = "ltc.web.app:app_from_settings"
#: how long a stopping worker may take to finish its requests before it is killed
GRACE = 10.0
#: allocations (less deallocations) between two collections of the youngest generation
#: (Python's default is 700)
YOUNG_THRESHOLD = 20_000


def _config(host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(APP, factory=True, host=host, port=port, log_level="warning",
                          access_log=False)


def ready(config: uvicorn.Config) -> uvicorn.Server:
    """The server of ``config`` with its app built, and what building it made frozen out
    of the garbage collector's reach (see the module's docstring)."""
    from ltc.web.pages import TEMPLATES

    config.load()
    for name in TEMPLATES.list_templates(filter_func=lambda n: n.endswith(".j2")):
        TEMPLATES.get_template(name)  # compiled now, not on a first request
    TEMPLATES.auto_reload = False  # no stat() of each template on every page
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    return uvicorn.Server(config)


def port_is_free(host: str, port: int) -> None:
    """Raise OSError if anything listens on ``host:port`` (another server sharing the
    port included: a socket bound without ``SO_REUSEPORT`` cannot join it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that the other worker processes bind too."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops workers with SIGTERM
    sock = listening_socket(host, port)
    ready(_config(host, port)).run(sockets=[sock])


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve the app until Ctrl+C or SIGTERM."""
    if workers <= 1:
        ready(_config(host, port)).run()
        return
    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers,
                    log_level="warning", access_log=False)
        return
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> Any:
        process = context.Process(target=_worker, args=(host, port), daemon=False)
        process.start()
        return process

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    processes[i] = start()  # a worker died: replace it
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes open requests
        deadline = time.monotonic() + GRACE
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
