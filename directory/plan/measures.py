"""The action plan as data: versions with sections and goals, and the measures (åtgärder) that
carry it out, with their indicators' values over time.

A plan is changed by drafting a new version and adopting it: the adopted one before it becomes
``superseded`` and stays readable, so the council can compare what it decided then and now.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import (
    N_,
    InvalidField,
    InvalidFields,
    NotFound,
    VersionMismatch,
)
from directory.core.schemas import as_builtins, provided_fields
from directory.core.validation import check_code, check_required, check_url
from directory.core.vocabulary import allowed_codes
from directory.meetings.tables import Meeting, MeetingFollowUp
from directory.plan.access import require_adopter, require_reader, require_writer
from directory.plan.schemas import (
    IndicatorValueIn,
    IndicatorValueOut,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    PlanIn,
    PlanOut,
    SectionOut,
)
from directory.plan.tables import ActionPlan, IndicatorValue, Measure, PlanSection
from directory.records.tables import Contact, Network, Organization

_JSON_LISTS = ("network_ids", "meeting_ids", "follow_up_ids")


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def list_plans(principal: Principal) -> list[PlanOut]:
    require_reader(principal)
    rows = await ActionPlan.select().order_by(ActionPlan.version, ascending=False)
    return [await _plan_out(row) for row in rows]


async def get_plan(principal: Principal, plan_id: uuid.UUID) -> PlanOut:
    require_reader(principal)
    row = await ActionPlan.select().where(ActionPlan.id == plan_id).first()
    if row is None:
        raise NotFound("plan", str(plan_id))
    return await _plan_out(row)


async def current_plan() -> dict[str, Any] | None:
    """The adopted plan, else the newest draft."""
    adopted = await ActionPlan.select().where(ActionPlan.status == "adopted").first()
    if adopted is not None:
        return adopted
    return await ActionPlan.select().order_by(ActionPlan.version, ascending=False).first()


async def _plan_out(row: Mapping[str, Any]) -> PlanOut:
    sections = (
        await PlanSection.select()
        .where(PlanSection.plan_id == row["id"])
        .order_by(PlanSection.position)
    )
    return PlanOut(
        id=row["id"],
        title=row["title"],
        version=row["version"],
        status=row["status"],
        adopted_on=row["adopted_on"],
        supersedes_id=row["supersedes_id"],
        sections=[
            SectionOut(
                id=section["id"],
                number=section["number"],
                title=section["title"],
                body=section["body"],
                goals=json.loads(section["goals"]),
            )
            for section in sections
        ],
    )


async def draft_plan(principal: Principal, data: PlanIn) -> PlanOut:
    """A new draft version; its measures are copied from the version it will supersede."""
    require_writer(principal)
    check_required("title", data.title)
    base = await current_plan()
    plan_id = uuid.uuid4()
    version = (base["version"] + 1) if base else 1
    async with transaction():
        await ActionPlan.insert(
            ActionPlan(
                id=plan_id,
                title=data.title.strip(),
                version=version,
                status="draft",
                supersedes_id=base["id"] if base else None,
            )
        )
        section_ids = await _insert_sections(plan_id, data)
        if base is not None:
            await _copy_measures(base["id"], plan_id, section_ids)
        await log_change(principal, "create", "plan", plan_id, {}, {"title": data.title})
    return await get_plan(principal, plan_id)


async def _insert_sections(plan_id: uuid.UUID, data: PlanIn) -> dict[str, uuid.UUID]:
    ids: dict[str, uuid.UUID] = {}
    rows = []
    for position, section in enumerate(data.sections):
        ids[section.number] = uuid.uuid4()
        rows.append(
            PlanSection(
                id=ids[section.number],
                plan_id=plan_id,
                number=section.number,
                title=section.title,
                body=section.body,
                goals=json.dumps(section.goals, ensure_ascii=False),
                position=position,
            )
        )
    if rows:
        await PlanSection.insert(*rows)
    return ids


async def _copy_measures(
    old_plan: uuid.UUID, new_plan: uuid.UUID, section_ids: Mapping[str, uuid.UUID]
) -> None:
    numbers = {
        row["id"]: row["number"]
        for row in await PlanSection.select(PlanSection.id, PlanSection.number).where(
            PlanSection.plan_id == old_plan
        )
    }
    for row in await Measure.select().where(Measure.plan_id == old_plan):
        copy = {**row, "id": uuid.uuid4(), "plan_id": new_plan, "version": 1}
        copy["section_id"] = section_ids.get(numbers.get(row["section_id"], ""))
        await Measure.insert(Measure(**copy))


async def adopt_plan(principal: Principal, plan_id: uuid.UUID, adopted_on: dt.date) -> PlanOut:
    """Adopt a draft (admins: the council's decision); the adopted version before it is kept as
    ``superseded``."""
    require_adopter(principal)
    plan = await get_plan(principal, plan_id)
    if plan.status != "draft":
        raise InvalidField("status", N_("only a draft can be adopted"))
    async with transaction():
        await ActionPlan.update({ActionPlan.status: "superseded"}).where(
            ActionPlan.status == "adopted"
        )
        await ActionPlan.update(
            {ActionPlan.status: "adopted", ActionPlan.adopted_on: adopted_on}
        ).where(ActionPlan.id == plan_id)
        await log_change(
            principal, "update", "plan", plan_id, {"status": "draft"}, {"status": "adopted"}
        )
    return await get_plan(principal, plan_id)


async def list_measures(principal: Principal, plan_id: uuid.UUID | None = None) -> list[MeasureOut]:
    """The plan's measures, overdue ones first, then by due date."""
    require_reader(principal)
    if plan_id is None:
        plan = await current_plan()
        if plan is None:
            return []
        plan_id = plan["id"]
    rows = await Measure.select().where(Measure.plan_id == plan_id)
    measures = [await _measure_out(row) for row in rows]
    return sorted(
        measures, key=lambda m: (not m.overdue, m.due_date or dt.date.max, m.title.casefold())
    )


async def get_measure(principal: Principal, measure_id: uuid.UUID) -> MeasureOut:
    require_reader(principal)
    return await _measure_out(await _measure_row(measure_id))


async def _measure_row(measure_id: uuid.UUID) -> dict[str, Any]:
    row = await Measure.select().where(Measure.id == measure_id).first()
    if row is None:
        raise NotFound("measure", str(measure_id))
    return row


async def _measure_out(row: Mapping[str, Any]) -> MeasureOut:
    owner = ""
    if row["owner_organization_id"] is not None:
        found = (
            await Organization.select(Organization.name)
            .where(Organization.id == row["owner_organization_id"])
            .first()
        )
        owner = found["name"] if found else ""
    values = (
        await IndicatorValue.select()
        .where(IndicatorValue.measure_id == row["id"])
        .order_by(IndicatorValue.measured_on)
    )
    fields: dict[str, Any] = {
        name: [uuid.UUID(value) for value in json.loads(row[name])]
        if name in _JSON_LISTS
        else row[name]
        for name in MeasureIn.__struct_fields__
    }
    return MeasureOut(
        **fields,
        id=row["id"],
        owner_name=owner,
        overdue=_overdue(row),
        version=row["version"],
        last_modified=row["last_modified"],
        values=[
            IndicatorValueOut(
                id=value["id"],
                measured_on=value["measured_on"],
                value=value["value"],
                note=value["note"],
            )
            for value in values
        ],
    )


def _overdue(row: Mapping[str, Any]) -> bool:
    due = row["due_date"]
    return due is not None and due < today() and row["status"] in ("planned", "ongoing")


async def validate_measure(values: Mapping[str, Any]) -> None:
    """Raises :class:`InvalidField` or :class:`InvalidFields` naming every bad field."""
    problems: list[InvalidField] = []
    codes = await allowed_codes()
    checks: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
        (check_required, ("title", values["title"])),
        (check_code, ("level", values["level"], codes["level"])),
        (check_url, ("evidence_url", values["evidence_url"])),
    ]
    for check, arguments in checks:
        try:
            check(*arguments)
        except InvalidField as problem:
            problems.append(problem)
    references: list[tuple[str, Any, list[Any]]] = [
        ("plan_id", ActionPlan, [values["plan_id"]]),
        ("owner_organization_id", Organization, [values["owner_organization_id"]]),
        ("responsible_contact_id", Contact, [values["responsible_contact_id"]]),
        ("network_ids", Network, values["network_ids"]),
        ("meeting_ids", Meeting, values["meeting_ids"]),
        ("follow_up_ids", MeetingFollowUp, values["follow_up_ids"]),
    ]
    for field, table, ids in references:
        wanted = {value for value in ids if value is not None}
        if not wanted:
            continue
        found = {
            row["id"] for row in await table.select(table.id).where(table.id.is_in(list(wanted)))
        }
        if missing := wanted - found:
            problems.append(
                InvalidField(
                    field, N_("no such record: %(ids)s"), {"ids": ", ".join(map(str, missing))}
                )
            )
    if problems:
        raise InvalidFields(problems) if len(problems) > 1 else problems[0]


def stored(values: Mapping[str, Any]) -> dict[Any, Any]:
    return {
        name: json.dumps([str(item) for item in value]) if name in _JSON_LISTS else value
        for name, value in values.items()
    }


async def create_measure(principal: Principal, data: MeasureIn) -> MeasureOut:
    require_writer(principal)
    values = as_builtins(data)
    await validate_measure(values)
    measure_id = uuid.uuid4()
    async with transaction():
        await Measure.insert(Measure(id=measure_id, **stored(values)))
        await log_change(principal, "create", "measure", measure_id, {}, msgspec.to_builtins(data))
    return await get_measure(principal, measure_id)


async def update_measure(
    principal: Principal, measure_id: uuid.UUID, patch: MeasurePatch, if_match: str | None
) -> MeasureOut:
    """Change the given fields; ``if_match`` is the version the caller read, when it sends one."""
    require_writer(principal)
    current = await get_measure(principal, measure_id)
    if if_match is not None and if_match.strip('W/"') != str(current.version):
        raise VersionMismatch(f'"{current.version}"')
    changes = provided_fields(patch)
    merged = {**{name: getattr(current, name) for name in MeasureIn.__struct_fields__}, **changes}
    await validate_measure(as_builtins(merged))
    async with transaction():
        updated = (
            await Measure.update(
                {
                    **stored(as_builtins(changes)),
                    "last_modified": dt.datetime.now(dt.UTC),
                    "version": current.version + 1,
                }
            )
            .where((Measure.id == measure_id) & (Measure.version == current.version))
            .returning(Measure.id)
        )
        if not updated:
            raise VersionMismatch(f'"{current.version}"')
        previous = {name: msgspec.to_builtins(getattr(current, name)) for name in changes}
        await log_change(
            principal, "update", "measure", measure_id, previous, msgspec.to_builtins(changes)
        )
    return await get_measure(principal, measure_id)


async def record_value(
    principal: Principal, measure_id: uuid.UUID, data: IndicatorValueIn
) -> MeasureOut:
    require_writer(principal)
    await _measure_row(measure_id)
    value_id = uuid.uuid4()
    async with transaction():
        await IndicatorValue.insert(
            IndicatorValue(id=value_id, measure_id=measure_id, **msgspec.structs.asdict(data))
        )
        await log_change(
            principal, "update", "measure", measure_id, {}, {"value": msgspec.to_builtins(data)}
        )
    return await get_measure(principal, measure_id)
