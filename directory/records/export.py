"""Reading the whole directory out, for ``samverkan export`` and the exchange round trip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec

from directory.records.exchange import DOCUMENT_KEYS
from directory.records.relations import load_relations
from directory.records.resources import ALL_RESOURCES, ResourceSpec

_PAGE = 1000


async def export_records(spec: ResourceSpec) -> AsyncIterator[dict[str, Any]]:
    """Every current (not retired) record of ``spec`` as JSON-ready builtins, in id order."""
    table = spec.table
    offset = 0
    while True:
        rows = (
            await table.select()
            .where(table.retired_at.is_null())  # type: ignore[attr-defined]
            .order_by(table.id)  # type: ignore[attr-defined]
            .limit(_PAGE)
            .offset(offset)
        )
        relations = await load_relations(spec, [row["id"] for row in rows])
        for row in rows:
            record = msgspec.convert(
                {**spec.from_row(row), **relations.get(row["id"], {})}, spec.record
            )
            yield msgspec.to_builtins(record)
        if len(rows) < _PAGE:
            return
        offset += _PAGE


async def export_document() -> dict[str, Any]:
    """The HSDS-style document that :func:`directory.exchange.read_json` reads back."""
    document: dict[str, Any] = {"version": 1}
    for spec in ALL_RESOURCES:
        document[DOCUMENT_KEYS[spec.name]] = [record async for record in export_records(spec)]
    return document
