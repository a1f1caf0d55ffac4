"""Bringing a municipality's existing spreadsheets in: measures and trainings as CSV, all rows
or none. Every row is checked first and every problem is reported with its row number; only a
file without problems is written, in one transaction."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec

from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, InvalidField, InvalidFields, problems_of
from directory.core.schemas import as_builtins, convert_row
from directory.plan import measures, trainings
from directory.plan.access import require_writer
from directory.plan.schemas import MeasureIn, ParticipationIn, TrainingIn
from directory.plan.tables import Measure, PlanSection, Training, TrainingParticipation
from directory.records.tables import Organization

T = TypeVar("T")

MEASURE_COLUMNS = ("section", "title", "level", "owner", "due_date", "status", "indicator")
TRAINING_COLUMNS = ("title", "held_on", "level", "provider", "target_group", "participants")
Progress = Callable[[int], None]


def read_csv(text: str, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a CSV file with a header that names ``columns`` (others are refused)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in columns]
    if "title" not in header or unknown:
        raise InvalidField(
            "header",
            N_("the header must name title and may name only %(columns)s"),
            {"columns": ", ".join(columns)},
        )
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


async def _organization_ids() -> dict[str, uuid.UUID]:
    """Organisations by name (case-insensitive) and by id, as a spreadsheet names them."""
    found: dict[str, uuid.UUID] = {}
    for row in await Organization.select(Organization.id, Organization.name).where(
        Organization.retired_at.is_null()
    ):
        found[row["name"].casefold()] = row["id"]
        found[str(row["id"])] = row["id"]
    return found


def _organization(text: str, known: dict[str, uuid.UUID], field: str) -> str | None:
    if not text:
        return None
    if text.casefold() not in known:
        raise InvalidField(field, N_("no organisation named %(name)s"), {"name": repr(text)})
    return str(known[text.casefold()])


def _numbered(row_number: int, error: InvalidField | InvalidFields) -> list[InvalidField]:
    return [
        InvalidField(f"row {row_number}: {problem.field}", problem.message_id, problem.params)
        for problem in problems_of(error)
    ]


def _convert(values: dict[str, Any], struct: type[T]) -> T:
    given = {key: value for key, value in values.items() if value not in ("", None)}
    return convert_row(given, struct, "row")


async def import_measures(
    principal: Principal, rows: list[dict[str, str]], progress: Progress | None = None
) -> int:
    """Add the rows as measures of the current plan; raises :class:`InvalidFields` naming every
    bad row, and then writes nothing."""
    require_writer(principal)
    plan = await measures.current_plan()
    if plan is None:
        raise InvalidField("plan", N_("there is no action plan yet"))
    sections = {
        row["number"]: str(row["id"])
        for row in await PlanSection.select(PlanSection.id, PlanSection.number).where(
            PlanSection.plan_id == plan["id"]
        )
    }
    known = await _organization_ids()
    checked: list[MeasureIn] = []
    problems: list[InvalidField] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            if row.get("section") and row["section"] not in sections:
                raise InvalidField(
                    "section", N_("the plan has no section %(number)s"), {"number": row["section"]}
                )
            data = _convert(
                {
                    "plan_id": str(plan["id"]),
                    "section_id": sections.get(row.get("section", "")),
                    "title": row.get("title", ""),
                    "level": row.get("level", ""),
                    "owner_organization_id": _organization(row.get("owner", ""), known, "owner"),
                    "due_date": row.get("due_date", ""),
                    "status": row.get("status", ""),
                    "indicator": row.get("indicator", ""),
                },
                MeasureIn,
            )
            await measures.validate_measure(as_builtins(data))
            checked.append(data)
        except (InvalidField, InvalidFields) as error:
            problems.extend(_numbered(number, error))
    if problems:
        raise InvalidFields(problems)
    async with transaction():
        for data in checked:
            measure_id = uuid.uuid4()
            await Measure.insert(
                Measure(id=measure_id, **measures.stored(msgspec.structs.asdict(data)))
            )
            await log_change(
                principal, "create", "measure", measure_id, {}, msgspec.to_builtins(data)
            )
            if progress:
                progress(1)
    return len(checked)


def _participants(text: str, known: dict[str, uuid.UUID]) -> list[ParticipationIn]:
    """``Fältgruppen=4; Polisen=2``: how many of each organisation took part."""
    result = []
    for part in filter(None, (item.strip() for item in text.split(";"))):
        name, _, count = part.rpartition("=")
        if not name or not count.strip().isdigit():
            raise InvalidField(
                "participants", N_("write each as organisation=number, separated by ;")
            )
        organization = _organization(name.strip(), known, "participants")
        result.append(
            ParticipationIn(organization_id=uuid.UUID(organization), participants=int(count))
        )
    return result


async def import_trainings(
    principal: Principal, rows: list[dict[str, str]], progress: Progress | None = None
) -> int:
    """Add the rows as trainings with their participation; all rows or none."""
    require_writer(principal)
    known = await _organization_ids()
    checked: list[tuple[TrainingIn, list[ParticipationIn]]] = []
    problems: list[InvalidField] = []
    for number, row in enumerate(rows, start=2):
        try:
            data = _convert(
                {
                    "title": row.get("title", ""),
                    "held_on": row.get("held_on", ""),
                    "level": row.get("level", ""),
                    "provider_organization_id": _organization(
                        row.get("provider", ""), known, "provider"
                    ),
                    "target_group": row.get("target_group", ""),
                },
                TrainingIn,
            )
            await trainings.validate_training(data)
            checked.append((data, _participants(row.get("participants", ""), known)))
        except (InvalidField, InvalidFields) as error:
            problems.extend(_numbered(number, error))
    if problems:
        raise InvalidFields(problems)
    async with transaction():
        for data, taking_part in checked:
            training_id = uuid.uuid4()
            values = msgspec.structs.asdict(data)
            values["meeting_ids"] = json.dumps([str(item) for item in data.meeting_ids])
            await Training.insert(Training(id=training_id, **values))
            for item in taking_part:
                await TrainingParticipation.insert(
                    TrainingParticipation(
                        id=uuid.uuid4(), training_id=training_id, **msgspec.structs.asdict(item)
                    )
                )
            await log_change(
                principal, "create", "training", training_id, {}, msgspec.to_builtins(data)
            )
            if progress:
                progress(1)
    return len(checked)
