"""What every benchmark needs: a free port, a real uvicorn server on loopback, admin SQL on the
PostgreSQL server, and percentiles of a list of timings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def admin_sql(server_url: str, sql: str) -> None:
    """Run ``sql`` outside any benchmark database (to create or drop one)."""
    import asyncpg

    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def wait_until(ready: Callable[[], bool], seconds: float = 120) -> None:
    """Poll ``ready`` until it is true; a transport error counts as not yet."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # fine enough to time a start of about a second
    raise SystemExit("the server did not become ready")


def wait_ready(base_url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Wait for ``/ready``; fail at once if the server process exits."""

    def ready() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        return httpx.get(f"{base_url}/ready", timeout=2).status_code == 200

    wait_until(ready, seconds)


@contextmanager
def served(
    command: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Run the app on a free loopback port until the block ends; yields its base URL.

    ``command`` is a ``samverkan`` CLI command line to which ``--port`` is added (for example
    ``["serve", "--workers", "4"]``); without one, one uvicorn process serves the app factory.
    """
    with served_process(command, env) as (base_url, _):
        yield base_url


def descendants(pid: int) -> list[int]:
    """The processes started by ``pid`` (its children and theirs), from ``/proc``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found += children
        frontier += children
    return found


def _rollup_mb(pid: int, *names: str) -> float:
    """The sum of the ``names`` fields of ``pid``'s ``smaps_rollup``, in MB."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        fields = dict(line.split(":", 1) for line in rollup if ":" in line)
    return sum(int(fields[name].split()[0]) for name in names) / 1024


def private_mb(pid: int) -> float:
    """Memory ``pid`` holds alone, in MB: resident pages no other process shares (forked
    workers share the pages of the modules their parent loaded, and every reader shares the
    page cache of the index files, which ``VmRSS`` counts in full for each)."""
    return _rollup_mb(pid, "Private_Clean", "Private_Dirty")


def pss_mb(pid: int) -> float:
    """Proportional memory of ``pid`` in MB: each resident page divided by the number of
    processes that map it, so that the figures of workers sharing pages add up."""
    return _rollup_mb(pid, "Pss")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (``VmRSS``)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def served_process(
    command: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`served`, yielding the server process too (to measure its workers)."""
    port = free_port()
    args = (
        ["-m", "samverkan", *command, "--host", "127.0.0.1", "--port", str(port)]
        if command
        else ["-m", "uvicorn", "samverkan.app:create_app", "--factory", "--host", "127.0.0.1",
              "--port", str(port), "--log-level", "warning"]
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, server)
        yield base_url, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
