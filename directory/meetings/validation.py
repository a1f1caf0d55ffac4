"""Checks of a meeting's values before it is written; each failure names the field."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from directory.accounts.tables import Account
from directory.core.errors import N_, Conflict, InvalidField
from directory.core.validation import check_code, check_instant, check_required, check_url
from directory.core.vocabulary import allowed_codes
from directory.meetings import recurrence
from directory.records.tables import Contact, Network, Organization

LONGEST = dt.timedelta(days=366)


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


def stored_times(values: Mapping[str, Any], timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Start and end as UTC instants; a naive time is wall time in ``timezone``, and an all-day
    meeting runs from local midnight of its first day to local midnight after its last. Raises
    :class:`InvalidField` for an end not after the start or a meeting longer than a year."""
    zone = ZoneInfo(timezone)

    def aware(value: dt.datetime) -> dt.datetime:
        return value.replace(tzinfo=zone) if value.tzinfo is None else value

    check_instant("starts_at", values["starts_at"])
    check_instant("ends_at", values["ends_at"])
    start, end = aware(values["starts_at"]), aware(values["ends_at"])
    if values.get("all_day"):
        first = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        after = last if last > first else first + dt.timedelta(days=1)
        start = dt.datetime.combine(first, dt.time(), zone)
        end = dt.datetime.combine(after, dt.time(), zone)
    if end <= start:
        raise InvalidField("ends_at", N_("must be after starts_at"))
    if end - start > LONGEST:
        raise InvalidField("ends_at", N_("a meeting lasts at most %(days)s days"), {"days": 366})
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def require_planned(row: Mapping[str, Any]) -> None:
    """Raises :class:`Conflict` for a cancelled meeting: it is restored before it changes."""
    if row["status"] == "cancelled":
        raise Conflict(N_("the meeting is cancelled: restore it before changing it"))


def require_occurrence(row: Mapping[str, Any], rid: dt.datetime) -> None:
    """Raises :class:`InvalidField` ("recurrence_id") unless the series ``row`` has an occurrence
    starting at ``rid`` (UTC). The message names the instant in the meeting's time zone (its day
    for an all-day series), so a reader sees the wall time the calendar shows."""
    if not row["rrule"]:
        raise InvalidField("recurrence_id", N_("the meeting does not recur"))
    if not recurrence.is_occurrence(
        row["rrule"], row["starts_at"], row["timezone"], row["all_day"], rid
    ):
        local = rid.astimezone(ZoneInfo(row["timezone"]))
        named = local.date() if row["all_day"] else local
        raise InvalidField("recurrence_id", N_("%(time)s is not an occurrence"), {"time": named})
