"""``samverkan reindex`` and ``samverkan search`` against the test database: in-process, and
``reindex`` in its own process at a lower priority."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory.demo.loader import load_demo_if_empty
from samverkan.cli import main
from samverkan.cli.search import REINDEX_NICENESS
from search.embedded import EmbeddedBackend
from tests.conftest import run_async
from tests.search.conftest import create


def test_reindex_rebuilds_everything_and_search_prints_hits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "nice", lambda increment: 0)  # in-process: keep the test's priority
    run_async(load_demo_if_empty())
    create("organization", name="Hemliga rummet", kind="internal", visibility="internal")
    runner = CliRunner()
    rebuilt = runner.invoke(main, ["reindex"], catch_exceptions=False)
    assert rebuilt.exit_code == 0
    stored = EmbeddedBackend().count()
    assert rebuilt.output.strip().splitlines()[-1] == f"indexed {stored} documents"
    assert stored > 100

    found = runner.invoke(main, ["search", "57829"], catch_exceptions=False)
    assert found.exit_code == 0
    assert "Socialtjänstens mottagning" in found.output
    assert "08-578 29 100" in found.output
    assert "hit(s) in" in found.output.splitlines()[-1]

    staff = runner.invoke(main, ["search", "hemliga rummet"], catch_exceptions=False)
    assert "Hemliga rummet" in staff.output
    partner = runner.invoke(
        main, ["search", "hemliga rummet", "--role", "partner"], catch_exceptions=False
    )
    assert "Hemliga rummet" not in partner.output
    assert partner.output.strip().splitlines()[-1].startswith("0 hit(s)")


def _niceness(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[16])


def test_reindex_yields_the_processor_to_the_web_workers() -> None:
    run_async(load_demo_if_empty())
    own = _niceness(os.getpid())
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "samverkan", "reindex"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    seen = set()
    while rebuild.poll() is None:
        seen.add(_niceness(rebuild.pid))
        time.sleep(0.01)
    assert rebuild.returncode == 0
    assert own is not None and own + REINDEX_NICENESS in seen
