"""Find directory entries by name for the start page, within what the principal may read."""

from __future__ import annotations

import functools
import operator
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec

from directory.access import Principal
from directory.records import visibility_filter
from directory.resources import ALL_RESOURCES
from directory.settings import get_settings
from directory.tables import Organization

MAX_HITS = 30


@dataclass(frozen=True)
class Hit:
    """One result: who or what, where it belongs, and how to reach it."""

    resource: str
    id: uuid.UUID
    name: str
    detail: str
    organization: str
    phones: list[dict[str, str]]
    email: str


def _contains_text(column: Any, pattern: str) -> Any:
    """Case-insensitive ``LIKE``: ILIKE on PostgreSQL; SQLite's LIKE already ignores case."""
    return column.ilike(pattern) if get_settings().is_postgres else column.like(pattern)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def find(principal: Principal, text: str, resource: str = "") -> list[Hit]:
    """Entries whose name, title or description contains ``text`` (case-insensitive)."""
    pattern = f"%{_escape_like(text.strip())}%"
    names = {
        row["id"]: row["name"]
        for row in await Organization.select(Organization.id, Organization.name)
    }
    hits: list[Hit] = []
    for spec in ALL_RESOURCES:
        if resource and spec.name != resource:
            continue
        table = spec.table
        fields = [
            name
            for name in ("name", "title", "description", "alternate_name")
            if name in spec.column_names
        ]
        match = functools.reduce(
            operator.or_, (_contains_text(getattr(table, name), pattern) for name in fields)
        )
        rows = (
            await table.select()
            .where(visibility_filter(spec, principal) & table.retired_at.is_null() & match)  # type: ignore[attr-defined]
            .order_by(table.name)  # type: ignore[attr-defined]
            .limit(MAX_HITS)
        )
        for row in rows:
            hits.append(
                Hit(
                    resource=spec.name,
                    id=row["id"],
                    name=row["name"],
                    detail=row.get("title") or row.get("description", "")[:160],
                    organization=names.get(row.get("organization_id") or row.get("parent_id"), ""),
                    phones=msgspec.json.decode(row["phones"]) if "phones" in row else [],
                    email=row.get("email", ""),
                )
            )
    return hits[:MAX_HITS]
