"""Search documents for the action plan's measures and trainings.

The plan cycle is for municipal staff (:mod:`directory.plan.measures`), so both are ``internal``.
Only the measures of the plan in force are searchable, the version the plan pages show: a revised
draft copies every measure, and a superseded version's copies must not show twice. Adopting a
version (a ``plan`` change) therefore re-indexes the measures of it and of the one it supersedes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from directory.core.access import Visibility
from directory.plan.measures import current_plan
from directory.plan.tables import ActionPlan, Measure, Training
from directory.records.tables import Organization
from search.document import Document, document_key, join, rows_with_ids

PLAN_TYPES = ("measure", "training")

Row = Mapping[str, Any]


def _measure(row: Row, owners: Mapping[uuid.UUID, str]) -> Document:
    return Document(
        key=document_key("measure", row["id"]),
        type="measure",
        id=str(row["id"]),
        title=row["title"],
        subtitle=join(owners.get(row["owner_organization_id"], ""), row["indicator"]),
        body=join(row["description"], row["evidence_note"]),
        visibility=Visibility.INTERNAL,
        levels=[row["level"]],
        networks=[str(ref) for ref in msgspec.json.decode(row["network_ids"] or "[]")],
    )


def _training(row: Row, providers: Mapping[uuid.UUID, str]) -> Document:
    return Document(
        key=document_key("training", row["id"]),
        type="training",
        id=str(row["id"]),
        title=row["title"],
        subtitle=join(providers.get(row["provider_organization_id"], ""), str(row["held_on"])),
        body=row["target_group"],
        visibility=Visibility.INTERNAL,
        levels=[row["level"]],
    )


async def _names(ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = [ref for ref in set(ids) if ref is not None]
    if not wanted:
        return {}
    rows = await Organization.select(Organization.id, Organization.name).where(
        Organization.id.is_in(wanted)
    )
    return {row["id"]: row["name"] for row in rows}


async def build_plan(
    selection: Mapping[str, set[uuid.UUID]],
) -> tuple[list[Document], list[str]]:
    """Documents to store and keys to remove for the measures and trainings in ``selection``."""
    measures = await rows_with_ids(Measure, set(selection.get("measure", set())))
    trainings = await rows_with_ids(Training, set(selection.get("training", set())))
    in_force = await current_plan()
    names = await _names(
        [row["owner_organization_id"] for row in measures]
        + [row["provider_organization_id"] for row in trainings]
    )
    documents = [_training(row, names) for row in trainings]
    removed = [
        document_key("training", gone)
        for gone in selection.get("training", set()) - {row["id"] for row in trainings}
    ]
    kept = {row["id"] for row in measures if in_force and row["plan_id"] == in_force["id"]}
    documents += [_measure(row, names) for row in measures if row["id"] in kept]
    removed += [document_key("measure", gone) for gone in selection.get("measure", set()) - kept]
    return documents, removed


async def affected_measures(plan_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The measures of the changed plan versions and of the versions they supersede."""
    if not plan_ids:
        return set()
    plans = await ActionPlan.select(ActionPlan.supersedes_id).where(
        ActionPlan.id.is_in(list(plan_ids))
    )
    versions = plan_ids | {row["supersedes_id"] for row in plans if row["supersedes_id"]}
    rows = await Measure.select(Measure.id).where(Measure.plan_id.is_in(list(versions)))
    return {row["id"] for row in rows}


async def searchable_plan_ids() -> dict[str, list[uuid.UUID]]:
    """Every training, and the measures of the plan in force (for a full rebuild)."""
    in_force = await current_plan()
    measures = (
        await Measure.select(Measure.id).where(Measure.plan_id == in_force["id"])
        if in_force
        else []
    )
    trainings = await Training.select(Training.id)
    return {
        "measure": [row["id"] for row in measures],
        "training": [row["id"] for row in trainings],
    }
