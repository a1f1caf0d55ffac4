"""The audit entry and the outbox event that every write appends in its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from directory.core.access import Principal
from directory.core.tables import AuditEntry, ChangeEvent


async def log_change(
    principal: Principal,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID,
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
) -> None:
    """Append who changed what (audit) and that it changed (outbox; an ``erase`` is a delete);
    call inside the write's :func:`~directory.database.transaction` so the record, its history
    and its outbox event commit together, in the outbox's order."""
    encode = msgspec.json.encode
    await AuditEntry.insert(
        AuditEntry(
            actor=principal.username,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            previous=encode(previous).decode(),
            current=encode(current).decode(),
        )
    )
    operation = "delete" if action == "erase" else "upsert"
    await ChangeEvent.insert(
        ChangeEvent(resource_type=resource_type, resource_id=resource_id, operation=operation)
    )
