"""The follow-up report for the local crime prevention council (§11): one period's situation
picture and its change, the measures by status and level (overdue first), training coverage by
actor, the networks' meeting activity and attendance by actor, the required actors missing at
each prevention level, decisions taken and follow-ups still open."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from directory.core.access import Principal
from directory.meetings.followup import FollowUpService, _SafeWriter
from directory.meetings.tables import Meeting, MeetingFollowUp, MeetingNote
from directory.plan.access import require_reader
from directory.plan.actors import ACTORS, REQUIRED_ACTORS
from directory.plan.measures import current_plan, list_measures, today
from directory.plan.observations import situation_picture
from directory.plan.schemas import (
    CouncilReport,
    Decision,
    LevelGap,
    NetworkActivity,
    OpenFollowUp,
    StatusCount,
)
from directory.plan.trainings import coverage
from directory.records.tables import Network, NetworkMember, Organization

LEVELS = ("general", "selective", "indicated")
ZONE = ZoneInfo("Europe/Stockholm")


def period_dates(period: str) -> tuple[dt.date, dt.date]:
    year = int(period[:4])
    if period.endswith("H1"):
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def current_period(on: dt.date | None = None) -> str:
    on = on or today()
    return f"{on.year}-H{1 if on.month <= 6 else 2}"


async def council_report(principal: Principal, period: str) -> CouncilReport:
    require_reader(principal)
    start, end = period_dates(period)
    plan = await current_plan()
    measures = await list_measures(principal, plan["id"]) if plan else []
    organizations = {
        row["id"]: row
        for row in await Organization.select(
            Organization.id, Organization.name, Organization.areas, Organization.kind
        )
    }
    networks = await Network.select(Network.id, Network.name, Network.levels).where(
        Network.retired_at.is_null()
    )
    return CouncilReport(
        period=period,
        period_start=start,
        period_end=end,
        plan_title=plan["title"] if plan else "",
        plan_version=plan["version"] if plan else None,
        picture=await situation_picture(period),
        measures_by_status=_by_status(measures),
        measures=measures,
        coverage=await coverage(min(end, today())),
        networks=[await _activity(principal, row, start, end, organizations) for row in networks],
        level_gaps=await _level_gaps(measures, networks, organizations),
        decisions=await _decisions(start, end, {row["id"]: row["name"] for row in networks}),
        open_follow_ups=await _open_follow_ups({row["id"]: row["name"] for row in networks}),
    )


def _by_status(measures: list[Any]) -> list[StatusCount]:
    counts = Counter((measure.level, measure.status) for measure in measures)
    return [
        StatusCount(level=level, status=status, measures=count)
        for (level, status), count in sorted(counts.items())
    ]


def _actors_of(organization: Mapping[str, Any] | None) -> list[str]:
    if organization is None:
        return []
    return [actor.code for actor in ACTORS if actor.covers(organization)]


async def _activity(
    principal: Principal,
    network: Mapping[str, Any],
    start: dt.date,
    end: dt.date,
    organizations: Mapping[Any, Mapping[str, Any]],
) -> NetworkActivity:
    report = await FollowUpService(principal).report(network["id"], start, end)
    by_actor: Counter[str] = Counter()
    for item in report.attendance_by_organization:
        for actor in _actors_of(organizations.get(item.organization_id)):
            by_actor[actor] += item.attended
    return NetworkActivity(
        network_id=network["id"],
        name=network["name"],
        meetings_held=report.meetings_held,
        attendance_by_actor=dict(sorted(by_actor.items())),
        open_follow_ups=len(report.open_follow_ups),
    )


async def _level_gaps(
    measures: list[Any],
    networks: Sequence[Mapping[str, Any]],
    organizations: Mapping[Any, Mapping[str, Any]],
) -> list[LevelGap]:
    """An actor is present at a level when a measure at that level is owned by one of its
    organisations, or a network working at that level has one of them as a member."""
    present: dict[str, set[str]] = {level: set() for level in LEVELS}
    for measure in measures:
        if measure.status != "dropped" and measure.level in present:
            present[measure.level].update(
                _actors_of(organizations.get(measure.owner_organization_id))
            )
    members = await NetworkMember.select(NetworkMember.network_id, NetworkMember.organization_id)
    for network in networks:
        levels = [level for level in json.loads(network["levels"] or "[]") if level in present]
        for member in members:
            if member["network_id"] == network["id"]:
                actors = _actors_of(organizations.get(member["organization_id"]))
                for level in levels:
                    present[level].update(actors)
    return [
        LevelGap(
            level=level,
            present=[actor.code for actor in REQUIRED_ACTORS if actor.code in present[level]],
            missing=[actor.code for actor in REQUIRED_ACTORS if actor.code not in present[level]],
        )
        for level in LEVELS
    ]


async def _decisions(
    start: dt.date, end: dt.date, network_names: Mapping[Any, str]
) -> list[Decision]:
    low = dt.datetime.combine(start, dt.time(), ZONE)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), ZONE)
    notes = (
        await MeetingNote.select()
        .where(
            (MeetingNote.kind == "decision")
            & (MeetingNote.occurrence_start >= low)
            & (MeetingNote.occurrence_start < high)
        )
        .order_by(MeetingNote.occurrence_start)
    )
    meetings = (
        {
            row["id"]: row["network_id"]
            for row in await Meeting.select(Meeting.id, Meeting.network_id).where(
                Meeting.id.is_in([note["meeting_id"] for note in notes] or [None])
            )
        }
        if notes
        else {}
    )
    return [
        Decision(
            meeting_id=note["meeting_id"],
            network=network_names.get(meetings.get(note["meeting_id"]), ""),
            on=note["occurrence_start"].astimezone(ZONE).date(),
            body=note["body"],
        )
        for note in notes
        if meetings.get(note["meeting_id"]) in network_names
    ]


async def _open_follow_ups(network_names: Mapping[Any, str]) -> list[OpenFollowUp]:
    rows = (
        await MeetingFollowUp.select()
        .where(MeetingFollowUp.done_at.is_null())
        .order_by(MeetingFollowUp.due_date)
    )
    return [
        OpenFollowUp(
            id=row["id"],
            network=network_names[row["network_id"]],
            title=row["title"],
            owner=row["owner"],
            due_date=row["due_date"],
            overdue=row["due_date"] < today(),
        )
        for row in rows
        if row["network_id"] in network_names
    ]


def council_report_csv(report: CouncilReport) -> str:
    """The report as CSV, one section per table; hidden picture cells are not in it either."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["section", "key", "name", "value"])
    for cell in report.picture.cells:
        key = "/".join(cell.keys.values())
        writer.writerow(["picture", key, " / ".join(cell.labels.values()), cell.reports])
    for status in report.measures_by_status:
        writer.writerow(["measures", f"{status.level}/{status.status}", "", status.measures])
    for measure in report.measures:
        state = "overdue" if measure.overdue else measure.status
        writer.writerow(["measure", state, measure.title, measure.due_date or ""])
    for item in report.coverage:
        writer.writerow(["training_12_months", item.actor, item.label, item.last_12_months])
        writer.writerow(["training_24_months", item.actor, item.label, item.last_24_months])
    for network in report.networks:
        writer.writerow(["meetings_held", network.network_id, network.name, network.meetings_held])
        for actor, count in network.attendance_by_actor.items():
            writer.writerow(["attendance", actor, network.name, count])
    for gap in report.level_gaps:
        for actor in gap.missing:
            writer.writerow(["missing_actor", gap.level, actor, ""])
    for decision in report.decisions:
        writer.writerow(["decision", decision.on.isoformat(), decision.network, decision.body])
    for follow_up in report.open_follow_ups:
        writer.writerow(
            ["open_follow_up", follow_up.due_date.isoformat(), follow_up.title, follow_up.owner]
        )
    return out.getvalue()
