"""The document the search backends store for one record, and its key."""

from __future__ import annotations

import uuid

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
