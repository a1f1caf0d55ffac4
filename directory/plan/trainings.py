"""Trainings (utbildningar) and competence development (§5, §8, §11): what was held, for whom,
at which level, by which provider, and how many of each organisation took part. Dates are
meetings of a network, so staff subscribe to them like any other meeting."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, InvalidField, NotFound
from directory.core.validation import check_code, check_required
from directory.core.vocabulary import allowed_codes
from directory.meetings.tables import Meeting
from directory.plan.access import require_reader, require_writer
from directory.plan.actors import ACTORS
from directory.plan.measures import today
from directory.plan.schemas import (
    Coverage,
    ParticipationIn,
    ParticipationOut,
    TrainingIn,
    TrainingOut,
)
from directory.plan.tables import Measure, Training, TrainingParticipation
from directory.records.tables import Organization


async def _names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await Organization.select(Organization.id, Organization.name).where(
        Organization.id.is_in(list(ids))
    )
    return {row["id"]: row["name"] for row in rows}


async def _out(row: Mapping[str, Any]) -> TrainingOut:
    taking_part = await TrainingParticipation.select().where(
        TrainingParticipation.training_id == row["id"]
    )
    names = await _names(
        {item["organization_id"] for item in taking_part}
        | ({row["provider_organization_id"]} if row["provider_organization_id"] else set())
    )
    participation = sorted(
        (
            ParticipationOut(
                organization_id=item["organization_id"],
                participants=item["participants"],
                organization_name=names.get(item["organization_id"], ""),
            )
            for item in taking_part
        ),
        key=lambda item: item.organization_name.casefold(),
    )
    return TrainingOut(
        id=row["id"],
        title=row["title"],
        level=row["level"],
        held_on=row["held_on"],
        provider_organization_id=row["provider_organization_id"],
        target_group=row["target_group"],
        meeting_ids=[uuid.UUID(value) for value in json.loads(row["meeting_ids"])],
        measure_id=row["measure_id"],
        provider_name=names.get(row["provider_organization_id"], ""),
        participation=participation,
        participants=sum(item.participants for item in participation),
    )


async def list_trainings(principal: Principal) -> list[TrainingOut]:
    require_reader(principal)
    rows = await Training.select().order_by(Training.held_on, ascending=False)
    return [await _out(row) for row in rows]


async def get_training(principal: Principal, training_id: uuid.UUID) -> TrainingOut:
    require_reader(principal)
    row = await Training.select().where(Training.id == training_id).first()
    if row is None:
        raise NotFound("training", str(training_id))
    return await _out(row)


async def validate_training(data: TrainingIn) -> None:
    check_required("title", data.title)
    check_code("level", data.level, (await allowed_codes())["level"])
    if data.provider_organization_id and not await Organization.exists().where(
        Organization.id == data.provider_organization_id
    ):
        raise InvalidField("provider_organization_id", N_("no such organisation"))
    if data.measure_id and not await Measure.exists().where(Measure.id == data.measure_id):
        raise InvalidField("measure_id", N_("no such measure"))
    if data.meeting_ids:
        found = await Meeting.count().where(Meeting.id.is_in(data.meeting_ids))
        if found != len(set(data.meeting_ids)):
            raise InvalidField("meeting_ids", N_("no such meeting"))


async def create_training(principal: Principal, data: TrainingIn) -> TrainingOut:
    require_writer(principal)
    await validate_training(data)
    training_id = uuid.uuid4()
    values = msgspec.structs.asdict(data)
    values["meeting_ids"] = json.dumps([str(item) for item in data.meeting_ids])
    async with transaction():
        await Training.insert(Training(id=training_id, **values))
        await log_change(
            principal, "create", "training", training_id, {}, msgspec.to_builtins(data)
        )
    return await get_training(principal, training_id)


async def record_participation(
    principal: Principal, training_id: uuid.UUID, organizations: list[ParticipationIn]
) -> TrainingOut:
    """Replace the counts per organisation for one training, all or nothing."""
    require_writer(principal)
    await get_training(principal, training_id)
    wanted = {item.organization_id for item in organizations}
    if len(wanted) != len(organizations):
        raise InvalidField("organizations", N_("each organisation once"))
    known = await _names(wanted)
    if missing := wanted - set(known):
        raise InvalidField(
            "organizations", N_("no such record: %(ids)s"), {"ids": ", ".join(map(str, missing))}
        )
    async with transaction():
        await TrainingParticipation.delete().where(TrainingParticipation.training_id == training_id)
        if organizations:
            await TrainingParticipation.insert(
                *(
                    TrainingParticipation(
                        id=uuid.uuid4(),
                        training_id=training_id,
                        organization_id=item.organization_id,
                        participants=item.participants,
                    )
                    for item in organizations
                )
            )
        await log_change(
            principal,
            "update",
            "training",
            training_id,
            {},
            {"participation": msgspec.to_builtins(organizations)},
        )
    return await get_training(principal, training_id)


async def coverage(on: dt.date | None = None) -> list[Coverage]:
    """For each of the plan's actors: how many of its people took part within 12 and 24 months."""
    on = on or today()
    since = on - dt.timedelta(days=730)
    held = {
        row["id"]: row["held_on"]
        for row in await Training.select(Training.id, Training.held_on).where(
            (Training.held_on >= since) & (Training.held_on <= on)
        )
    }
    rows = (
        await TrainingParticipation.select().where(
            TrainingParticipation.training_id.is_in(list(held))
        )
        if held
        else []
    )
    organizations = {
        row["id"]: row
        for row in await Organization.select(Organization.id, Organization.areas, Organization.kind)
    }
    result = []
    for actor in ACTORS:
        recent = older = 0
        for row in rows:
            organization = organizations.get(row["organization_id"])
            if organization is None or not actor.covers(organization):
                continue
            older += row["participants"]
            if held[row["training_id"]] >= on - dt.timedelta(days=365):
                recent += row["participants"]
        result.append(
            Coverage(
                actor=actor.code,
                label=actor.label,
                required=actor.required,
                last_12_months=recent,
                last_24_months=older,
            )
        )
    return result
