"""The document the search backends store for one record, its key, and reading the rows that
documents are built from."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from directory.core.access import Visibility


class Document(msgspec.Struct, kw_only=True, frozen=True):
    """What the search backends store for one record; ``key`` is ``type-id``."""

    key: str
    type: str
    id: str
    title: str
    subtitle: str = ""
    body: str = ""
    email: str = ""
    phones: list[str] = []
    addresses: list[str] = []
    visibility: str = Visibility.INTERNAL
    kind: str = ""
    areas: list[str] = []
    levels: list[str] = []
    municipality: str = ""
    networks: list[str] = []


def document_key(resource_type: str, record_id: uuid.UUID | str) -> str:
    """Letters, digits and ``-`` only, as Meilisearch requires of a primary key."""
    return f"{resource_type}-{record_id}"


def join(*parts: str) -> str:
    """The non-empty ``parts`` as one line of a hit (``a · b``)."""
    return " · ".join(part for part in parts if part)


async def rows_with_ids(table: Any, ids: set[uuid.UUID]) -> list[dict[str, Any]]:
    """The rows of ``table`` (a Piccolo table with an ``id``) whose ids are in ``ids``, read 500
    at a time so the query stays under the databases' parameter limits."""
    chunk = sorted(ids)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(chunk), 500):
        rows += await table.select().where(table.id.is_in(chunk[start : start + 500]))
    return rows
