"""The web workers of ``samverkan serve --workers N``: forked from the process that loaded the
app, replaced when one dies, and all stopped by one SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def test_the_app_loads_the_password_word_lists_only_where_a_password_is_set() -> None:
    """zxcvbn's lists are 13 MB in every web worker otherwise (benchmarks/search.py, RSS)."""
    script = (
        "import sys; from samverkan.app import create_app; create_app();"
        "print('zxcvbn' in sys.modules);"
        "from directory.accounts.passwords import check_strength;"
        "check_strength('hyllan cykel tavla 97');"
        "print('zxcvbn' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown == ["False", "True"]
