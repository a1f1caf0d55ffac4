"""Fixtures for the reliability and security suite: the HTTP client, a token per role, and a real
``samverkan serve`` with several workers on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.directory.conftest import auth, client

__all__ = ["auth", "client", "live_server", "start_server", "stop_server"]
ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    workers: int = 2, pool_size: int = 4, demo: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """``samverkan serve`` in its own process group, once ``/ready`` answers 200; with ``demo``
    it loads the demo data into the (emptied) test database first."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_POOL_SIZE": str(pool_size),
        "SAMVERKAN_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "samverkan",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(port),
            *(["--demo"] if demo else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("SAMVERKAN_TEST_SERVER_LOG") else subprocess.DEVNULL,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"samverkan serve exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/ready", timeout=2).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("samverkan serve did not become ready in 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    """The base URL of a real server with two workers sharing the test database."""
    process, base_url = start_server()
    yield base_url
    stop_server(process)
