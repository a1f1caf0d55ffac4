"""``samverkan reindex`` and ``samverkan search`` in-process against the test database."""

from __future__ import annotations

from click.testing import CliRunner

from directory.demo.loader import load_demo_if_empty
from samverkan.cli import main
from search.embedded import EmbeddedBackend
from tests.conftest import run_async
from tests.search.conftest import create


def test_reindex_rebuilds_everything_and_search_prints_hits() -> None:
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
