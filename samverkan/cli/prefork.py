"""Several web workers forked from one process that loaded the app once.

uvicorn's own ``--workers`` starts each worker with ``spawn``, so every worker imports and builds
the app again: four workers on two cores answered 4 to 9 s after start, and each held its own
copy of every module. Forked after loading, a worker answers as soon as one process would, and
shares the parent's pages until it writes to them. Each worker is a plain ``uvicorn.Server`` on
the socket the parent bound; a worker that dies is replaced (unless it exited at start, which
stops the server), and SIGTERM or SIGINT stops them all gracefully.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import time
from types import FrameType

import uvicorn

log = logging.getLogger("uvicorn.error")
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
MIN_WORKER_LIFE = 2.0  # seconds; a worker that exits sooner (not killed) is not replaced


def serve_forked(config: uvicorn.Config, workers: int) -> None:
    """Load the app of ``config``, bind its socket, and serve it from ``workers`` forks until
    a stop signal; returns when every worker has exited."""
    config.load()
    gc.freeze()  # the collector would write to every loaded object, copying the shared pages
    sock = config.bind_socket()
    children: dict[int, float] = {}  # pid -> when it was forked
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    for number in _STOP_SIGNALS:
        signal.signal(number, stop)
    for _ in range(workers):
        children[_fork_worker(config, sock)] = time.monotonic()
    log.info("Started %d workers forked from process [%d]", workers, os.getpid())
    failed = False
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        lived = time.monotonic() - children.pop(pid, 0.0)
        if stopping:
            continue
        log.warning("Worker [%d] exited (%s)", pid, _exit_reason(status))
        if os.WIFEXITED(status) and lived < MIN_WORKER_LIFE:  # failed at start: so would another
            failed = True
            stop(signal.SIGTERM, None)
        else:
            children[_fork_worker(config, sock)] = time.monotonic()
    sock.close()
    if failed:
        raise SystemExit("a worker failed at start; see the log above")


def _fork_worker(config: uvicorn.Config, sock: socket.socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        for number in _STOP_SIGNALS:  # uvicorn.Server installs its own handlers
            signal.signal(number, signal.SIG_DFL)
        uvicorn.Server(config).run(sockets=[sock])
    except BaseException:
        log.exception("Worker [%d] failed", os.getpid())
        code = 1
    finally:
        os._exit(code)  # never return into the parent's loop


def _signal(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # exited already; os.wait() collects it
        os.kill(pid, number)


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
