"""HTTP routes for a network's external calendars: subscribe, list, fetch now, read events."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Request, Router, delete, get, post
from litestar.params import Parameter
from msgspec import Meta, Struct

from directory.accounts.auth import writers_only
from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import NotFound
from directory.core.validation import check_url
from directory.meetings.access import require_coordinator, require_follow_up_reader
from directory.records.tables import Network
from sync.calendar_import import events_between, refresh
from sync.calendar_import_tables import ExternalCalendar

PrincipalRequest = Request[Principal, Any, Any]


class ExternalCalendarIn(Struct, kw_only=True, forbid_unknown_fields=True):
    network_id: uuid.UUID
    url: Annotated[str, Meta(max_length=1000)]
    label: Annotated[str, Meta(max_length=200)] = ""


class ExternalCalendarOut(Struct, kw_only=True):
    id: uuid.UUID
    network_id: uuid.UUID
    url: str
    label: str
    event_count: int
    last_good_at: dt.datetime | None
    last_checked_at: dt.datetime | None
    last_error: str


class ExternalEventOut(Struct, kw_only=True):
    """Times as the feed gave them: a UTC instant (``...Z``), a floating local time, or for an
    all-day event a date."""

    uid: str
    title: str
    starts_at: str
    ends_at: str
    all_day: bool
    location: str


def _time_text(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _out(row: dict[str, Any]) -> ExternalCalendarOut:
    return ExternalCalendarOut(**{k: row[k] for k in ExternalCalendarOut.__struct_fields__})


async def _row(calendar_id: uuid.UUID) -> dict[str, Any]:
    row = await ExternalCalendar.select().where(ExternalCalendar.id == calendar_id).first()
    if row is None:
        raise NotFound("external_calendar", str(calendar_id))
    return row


async def _require_reader(
    principal: Principal, network_id: uuid.UUID, calendar_id: uuid.UUID | None = None
) -> None:
    """External calendars follow the rule of the network's notes (staff and its members); a
    calendar of a network hidden from the principal is not found, without naming the network."""
    try:
        await require_follow_up_reader(principal, network_id)
    except NotFound:
        if calendar_id is None:
            raise
        raise NotFound("external_calendar", str(calendar_id)) from None


@post(
    "/",
    operation_id="add_external_calendar",
    summary="Subscribe a network to an ICS feed",
    guards=[writers_only],
)
async def add_external_calendar(
    request: PrincipalRequest, data: ExternalCalendarIn
) -> ExternalCalendarOut:
    check_url("url", data.url)
    if not await Network.exists().where(Network.id == data.network_id):
        raise NotFound("network", str(data.network_id))
    await require_coordinator(request.user, data.network_id)
    calendar_id = uuid.uuid4()
    async with transaction():
        await ExternalCalendar.insert(
            ExternalCalendar(
                id=calendar_id, network_id=data.network_id, url=data.url, label=data.label
            )
        )
        await log_change(
            request.user, "create", "external_calendar", calendar_id, {}, {"url": data.url}
        )
    return _out(await refresh(calendar_id))


@get("/", operation_id="list_external_calendars", summary="A network's external calendars")
async def list_external_calendars(
    request: PrincipalRequest, network_id: uuid.UUID
) -> list[ExternalCalendarOut]:
    await _require_reader(request.user, network_id)
    rows = await ExternalCalendar.select().where(ExternalCalendar.network_id == network_id)
    return [_out(row) for row in rows]


@post(
    "/{calendar_id:uuid}/refresh",
    operation_id="refresh_external_calendar",
    summary="Fetch the feed now (the last good copy stays if it fails)",
    status_code=200,
    guards=[writers_only],
)
async def refresh_external_calendar(
    request: PrincipalRequest, calendar_id: uuid.UUID
) -> ExternalCalendarOut:
    row = await _row(calendar_id)
    await require_coordinator(request.user, row["network_id"])
    return _out(await refresh(calendar_id))


@delete(
    "/{calendar_id:uuid}",
    operation_id="remove_external_calendar",
    summary="Unsubscribe",
    status_code=204,
    guards=[writers_only],
)
async def remove_external_calendar(request: PrincipalRequest, calendar_id: uuid.UUID) -> None:
    row = await _row(calendar_id)
    await require_coordinator(request.user, row["network_id"])
    async with transaction():
        await ExternalCalendar.delete().where(ExternalCalendar.id == calendar_id)
        await log_change(
            request.user, "delete", "external_calendar", calendar_id, {"url": row["url"]}, {}
        )


@get(
    "/{calendar_id:uuid}/events",
    operation_id="external_calendar_events",
    summary="Occurrences from the last good copy, to show beside the network's own",
)
async def external_calendar_events(
    request: PrincipalRequest,
    calendar_id: uuid.UUID,
    start: dt.datetime,
    end: Annotated[dt.datetime, Parameter(description="exclusive")],
) -> list[ExternalEventOut]:
    row = await _row(calendar_id)
    await _require_reader(request.user, row["network_id"], calendar_id)
    return [
        ExternalEventOut(
            uid=event.uid,
            title=event.title,
            starts_at=_time_text(event.starts_at),
            ends_at=_time_text(event.ends_at),
            all_day=not isinstance(event.starts_at, dt.datetime),
            location=event.location,
        )
        for event in events_between(row["body"], start, end)
    ]


external_calendars_router = Router(
    path="/external-calendars",
    route_handlers=[
        add_external_calendar,
        list_external_calendars,
        refresh_external_calendar,
        remove_external_calendar,
        external_calendar_events,
    ],
    tags=["meetings"],
)
