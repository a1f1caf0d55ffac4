"""Loading the demo directory built from the municipality's action plan."""

from __future__ import annotations

from directory.core.database import transaction
from directory.demo.data import demo_document
from directory.demo.meetings import load_demo_meetings
from directory.demo.plan import load_demo_plan
from directory.records.exchange import rows_from_document
from directory.records.importer import import_rows
from directory.records.tables import Organization


async def load_demo_if_empty() -> int:
    """Import the demo directory through the ordinary import path, schedule the demo networks'
    meetings and load the plan cycle; a no-op on a used database. Returns the records made.

    One transaction: a demo cut short leaves the database empty (and so loadable again), and
    every statement runs on one connection rather than a new one each."""
    async with transaction():
        if await Organization.count() > 0:
            return 0
        records = await import_rows(rows_from_document(demo_document()), actor="demo")
        return records + await load_demo_meetings() + await load_demo_plan()
