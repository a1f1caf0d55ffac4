"""The web workers of ``samverkan serve --workers N``: forked from the process that loaded the
app, replaced when one dies, and all stopped by one SIGTERM."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.reliability.conftest import start_server, stop_server


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _until(condition: object, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_worker_is_replaced_and_sigterm_stops_every_worker() -> None:
    process, base_url = start_server(workers=2)
    try:
        assert _until(lambda: len(_children(process.pid)) == 2)
        first = _children(process.pid)
        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        assert _until(lambda: len(_children(process.pid) - {killed}) == 2), "not replaced"
        replaced = _children(process.pid)
        assert killed not in replaced
        answers = [httpx.get(f"{base_url}/health", headers={"Connection": "close"})
                   for _ in range(10)]  # fmt: skip
        assert all(answer.status_code == 200 for answer in answers)
        os.kill(process.pid, signal.SIGTERM)  # the parent alone, as a supervisor would
        assert process.wait(timeout=20) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in replaced), "a worker outlived it"
    finally:
        stop_server(process)
