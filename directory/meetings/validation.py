"""Checks of a meeting's values before it is written; each failure names the field."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from directory.accounts.tables import Account
from directory.core.errors import N_, InvalidField
from directory.core.validation import check_code, check_required, check_url
from directory.core.vocabulary import allowed_codes
from directory.meetings import recurrence
from directory.records.tables import Contact, Network, Organization


async def _require_all(field: str, table: Any, ids: Sequence[uuid.UUID]) -> None:
    if not ids:
        return
    rows = await table.select(table.id).where(table.id.is_in(list(ids)))
    found = {row["id"] for row in rows}
    for index, ref in enumerate(ids):
        if ref not in found:
            raise InvalidField(f"{field}[{index}]", N_("no such record %(id)s"), {"id": ref})


async def validate_meeting(values: Mapping[str, Any]) -> None:
    """Raises :class:`InvalidField` for the first value that cannot be stored."""
    check_required("title", values["title"])
    check_url("online_url", values["online_url"])
    levels = (await allowed_codes())["level"]
    for index, code in enumerate(values["levels"]):
        check_code(f"levels[{index}]", code, levels)
    if values["rrule"]:
        recurrence.parse_rule(
            values["rrule"], values["starts_at"], values["timezone"], values["all_day"]
        )
    if not await Network.exists().where(Network.id == values["network_id"]):
        raise InvalidField("network_id", N_("no such network %(id)s"), {"id": values["network_id"]})
    await _require_all("invited_organizations", Organization, values["invited_organizations"])
    await _require_all("invited_contacts", Contact, values["invited_contacts"])
    if values["coordinator_id"] is not None:
        await _require_all("coordinator_id", Account, [values["coordinator_id"]])
