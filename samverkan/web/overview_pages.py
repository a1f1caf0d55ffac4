"""Overviews: the calendar (month, week and agenda), the collaboration map and the follow-up."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template

from directory.core.access import Principal
from directory.meetings.access import is_member
from directory.meetings.followup import FollowUpService
from directory.meetings.public_holidays import holidays_between
from directory.meetings.service import MeetingService
from directory.records.resources import NETWORKS, ORGANIZATIONS
from directory.records.service import ListQuery, RecordService, visibility_filter
from directory.records.tables import NetworkCoordinator, NetworkMember, Organization
from samverkan.web import i18n
from samverkan.web.calendar_views import (
    ZONE,
    entries,
    month_grid,
    month_window,
    parse_month,
    parse_week,
    week_days,
    week_text,
    week_window,
)
from samverkan.web.charts import bar_chart, collaboration_map, column_chart, missing_kinds
from samverkan.web.i18n import short_month_text
from samverkan.web.rendering import page, vocabulary_labels

WebRequest = Request[Principal, Any, Any]
Month = Annotated[str, Parameter(max_length=7, pattern=r"^(\d{4}-\d{2})?$")]
Week = Annotated[str, Parameter(max_length=8, pattern=r"^(\d{4}-W\d{2})?$")]
View = Annotated[str, Parameter(pattern=r"^(month|week|agenda)?$")]


async def _own_networks(principal: Principal) -> set[uuid.UUID]:
    """Networks one coordinates, or whose members include one's organisation."""
    coordinated = await NetworkCoordinator.select(NetworkCoordinator.network_id).where(
        NetworkCoordinator.account_id == principal.account_id
    )
    found = {row["network_id"] for row in coordinated}
    if principal.organization_id is not None:
        rows = await NetworkMember.select(NetworkMember.network_id).where(
            NetworkMember.organization_id == principal.organization_id
        )
        found |= {row["network_id"] for row in rows}
    return found


async def _calendar(
    request: WebRequest, network: Any, month: str, view: str, week: str = ""
) -> Template:
    """A month (as a grid or a list) or, with ``view=week``, one week from Monday."""
    today = dt.datetime.now(ZONE).date()
    first = parse_month(month, today)
    monday = parse_week(week, today)
    if view == "week":
        first = (monday + dt.timedelta(days=3)).replace(day=1)  # the month its Thursday is in
    start, end = week_window(monday) if view == "week" else month_window(first)
    meetings = await MeetingService(request.user).list(network.id if network else None, start, end)
    if network is None:
        own = await _own_networks(request.user)
        org = request.user.organization_id
        meetings = [
            m for m in meetings if m.network_id in own or (org and org in m.invited_organizations)
        ]
    found = entries(meetings)
    in_month = [e for e in found if e.day.month == first.month]
    this_month = first.year == today.year and first.month == today.month
    return await page(
        request,
        "calendar.html",
        network=network,
        view=view or "month",
        month=month_grid(first, in_month),
        agenda=in_month,
        week=week_days(monday, found) if view == "week" else None,
        week_shown=week_text(monday if view == "week" else today if this_month else first),
        this_week=week_text(today),
        today=today,
        holidays=_holidays(start.date(), end.date()),
    )


def _holidays(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """The public holidays of the days the page shows."""
    language = "sv" if i18n.current_locale() == "sv" else "en_US"
    return holidays_between(first, last, language)


@get("/calendar", name="my_calendar")
async def my_calendar(
    request: WebRequest, month: Month = "", view: View = "", week: Week = ""
) -> Template:
    return await _calendar(request, None, month, view, week)


@get("/networks/{network_id:uuid}/calendar", name="network_calendar")
async def network_calendar(
    request: WebRequest,
    network_id: uuid.UUID,
    month: Month = "",
    view: View = "",
    week: Week = "",
) -> Template:
    network = await RecordService(NETWORKS, request.user).get(network_id)
    return await _calendar(request, network, month, view, week)


@get("/map", name="collaboration_map")
async def map_page(request: WebRequest, network: uuid.UUID | None = None) -> Template:
    """Organisations that take part in networks, grouped by kind, linked by shared networks."""
    networks = (await RecordService(NETWORKS, request.user).page(ListQuery(per_page=500))).contents
    memberships: dict[uuid.UUID, set[uuid.UUID]] = {
        n.id: set(n.member_organization_ids) for n in networks
    }
    chosen = memberships.get(network, set()) if network else set().union(*memberships.values())
    rows = await Organization.select(
        Organization.id, Organization.name, Organization.kind, Organization.levels
    ).where(
        Organization.id.is_in(list(chosen) or [uuid.uuid4()])
        & Organization.retired_at.is_null()
        & visibility_filter(ORGANIZATIONS, request.user)
    )
    organizations = [{**row, "levels": msgspec.json.decode(row["levels"])} for row in rows]
    labels = await vocabulary_labels()
    return await page(
        request,
        "map.html",
        labels=labels,
        networks=networks,
        chosen=network,
        picture=collaboration_map(organizations, memberships, labels.get("kind", {})),
        missing=missing_kinds(organizations, labels.get("level", {}), labels.get("kind", {})),
    )


@get("/networks/{network_id:uuid}/follow-up", name="follow_up")
async def follow_up_page(request: WebRequest, network_id: uuid.UUID) -> Template:
    """The last twelve months: meetings held per month and attendance by kind of organisation."""
    network = await RecordService(NETWORKS, request.user).get(network_id)
    today = dt.datetime.now(ZONE).date()
    first = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    report = await FollowUpService(request.user).report(network_id, first, today)
    start = dt.datetime.combine(first, dt.time(), ZONE)
    meetings = await MeetingService(request.user).list(network_id, start, dt.datetime.now(ZONE))
    held = Counter(
        entry.starts_at.strftime("%Y-%m")
        for entry in entries(meetings)
        if not entry.cancelled and entry.ends_at <= dt.datetime.now(ZONE)
    )
    months = []
    cursor = first
    while cursor <= today:
        months.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    per_month = [(month, held.get(month.strftime("%Y-%m"), 0)) for month in months]
    labels = await vocabulary_labels()
    kinds = labels.get("kind", {})
    return await page(
        request,
        "follow_up.html",
        labels=labels,
        network=network,
        report=report,
        member=request.user.is_staff or await is_member(request.user, network_id),
        per_month=per_month,
        month_chart=column_chart([(short_month_text(m), n) for m, n in per_month]),
        kind_chart=bar_chart(
            [(kinds.get(kind, kind), count) for kind, count in report.attendance_by_kind.items()]
        ),
    )


OVERVIEW_HANDLERS = [my_calendar, network_calendar, map_page, follow_up_page]
