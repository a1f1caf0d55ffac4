"""The audit log over HTTP, for admins and coordinators."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get
from litestar.params import Parameter

from directory.accounts.auth import writers_only
from directory.core.http import MomentQuery, parse_moment
from directory.core.schemas import AuditEntryOut
from directory.core.tables import AuditEntry


@get(
    "/audit",
    operation_id="list_audit_entries",
    guards=[writers_only],
    tags=["audit"],
    summary="Who created, changed, retired or erased what, newest first",
)
async def list_audit(
    resource_id: UUID | None = None,
    resource_type: str = "",
    since: MomentQuery = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
) -> list[AuditEntryOut]:
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit)
    if resource_id is not None:
        query = query.where(AuditEntry.resource_id == resource_id)
    if resource_type:
        query = query.where(AuditEntry.resource_type == resource_type)
    if (moment := parse_moment("since", since)) is not None:
        query = query.where(AuditEntry.at >= moment)
    rows = await query
    return [
        msgspec.convert(
            {
                **row,
                "previous": msgspec.json.decode(row["previous"]),
                "current": msgspec.json.decode(row["current"]),
            },
            AuditEntryOut,
        )
        for row in rows
    ]
