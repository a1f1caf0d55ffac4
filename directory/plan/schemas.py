"""What crosses the wire for the plan cycle."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

from directory.core.schemas import Code, LongText, Name, Url

Period = Annotated[
    str, Meta(pattern=r"^(19|20|21)\d\d-H[12]$", description="a half-year, 1900–2199, e.g. 2026-H2")
]
Note = Annotated[str, Meta(max_length=500)]
MeasureStatus = Literal["planned", "ongoing", "done", "dropped"]
Ids = Annotated[list[UUID], Meta(max_length=200)]
Dimension = Literal["area", "level", "district", "signal"]


class ObservationIn(Struct, kw_only=True, forbid_unknown_fields=True):
    period: Period
    area: Code
    level: Code
    signal: Code
    frequency: Code
    district: Code
    organization_id: UUID | None = None
    note: Note = ""


class ObservationReceipt(Struct, kw_only=True):
    """What the reporter gets back: that it was stored, not the stored row."""

    id: UUID
    period: str


class PictureCell(Struct, kw_only=True):
    keys: dict[str, str]
    labels: dict[str, str]
    reports: int
    previous_reports: int | None = None


class Picture(Struct, kw_only=True):
    """The aggregate. Cells with fewer reports than ``min_reports`` are left out, and so is
    their count from ``reports_shown``: a total would give a hidden cell away by subtraction."""

    period: str
    previous_period: str
    group_by: list[str]
    min_reports: int
    cells: list[PictureCell]
    reports_shown: int
    hidden_cells: int


class SectionIn(Struct, kw_only=True, forbid_unknown_fields=True):
    number: Annotated[str, Meta(max_length=20)]
    title: Name
    body: LongText = ""
    goals: Annotated[list[Annotated[str, Meta(max_length=1000)]], Meta(max_length=50)] = []


class SectionOut(SectionIn, kw_only=True):
    id: UUID


class PlanIn(Struct, kw_only=True, forbid_unknown_fields=True):
    title: Name
    sections: Annotated[list[SectionIn], Meta(max_length=100)] = []


class PlanOut(Struct, kw_only=True):
    id: UUID
    title: str
    version: int
    status: str
    adopted_on: dt.date | None
    supersedes_id: UUID | None
    sections: list[SectionOut]


class AdoptIn(Struct, kw_only=True, forbid_unknown_fields=True):
    adopted_on: dt.date


class MeasureIn(Struct, kw_only=True, forbid_unknown_fields=True):
    plan_id: UUID
    title: Name
    level: Code
    section_id: UUID | None = None
    description: LongText = ""
    owner_organization_id: UUID | None = None
    responsible_contact_id: UUID | None = None
    due_date: dt.date | None = None
    status: MeasureStatus = "planned"
    indicator: Name = ""
    network_ids: Ids = []
    meeting_ids: Ids = []
    follow_up_ids: Ids = []
    evidence_url: Url = ""
    evidence_note: Annotated[str, Meta(max_length=1000)] = ""


class MeasurePatch(Struct, kw_only=True, forbid_unknown_fields=True):
    title: Name | UnsetType = UNSET
    level: Code | UnsetType = UNSET
    section_id: UUID | UnsetType | None = UNSET
    description: LongText | UnsetType = UNSET
    owner_organization_id: UUID | UnsetType | None = UNSET
    responsible_contact_id: UUID | UnsetType | None = UNSET
    due_date: dt.date | UnsetType | None = UNSET
    status: MeasureStatus | UnsetType = UNSET
    indicator: Name | UnsetType = UNSET
    network_ids: Ids | UnsetType = UNSET
    meeting_ids: Ids | UnsetType = UNSET
    follow_up_ids: Ids | UnsetType = UNSET
    evidence_url: Url | UnsetType = UNSET
    evidence_note: Annotated[str, Meta(max_length=1000)] | UnsetType = UNSET


class IndicatorValueIn(Struct, kw_only=True, forbid_unknown_fields=True):
    measured_on: dt.date
    value: float
    note: Note = ""


class IndicatorValueOut(IndicatorValueIn, kw_only=True):
    id: UUID


class MeasureOut(MeasureIn, kw_only=True):
    id: UUID
    owner_name: str
    overdue: bool
    version: int
    last_modified: dt.datetime
    values: list[IndicatorValueOut] = []


class ParticipationIn(Struct, kw_only=True, forbid_unknown_fields=True):
    organization_id: UUID
    participants: Annotated[int, Meta(ge=1, le=10_000)]


class ParticipationOut(ParticipationIn, kw_only=True):
    organization_name: str


class TrainingIn(Struct, kw_only=True, forbid_unknown_fields=True):
    title: Name
    level: Code
    held_on: dt.date
    provider_organization_id: UUID | None = None
    target_group: Name = ""
    meeting_ids: Ids = []
    measure_id: UUID | None = None


class TrainingOut(TrainingIn, kw_only=True):
    id: UUID
    provider_name: str
    participation: list[ParticipationOut]
    participants: int


class ParticipationList(Struct, kw_only=True, forbid_unknown_fields=True):
    organizations: Annotated[list[ParticipationIn], Meta(max_length=500)]


class Coverage(Struct, kw_only=True):
    """Whether one of the plan's actors took part in a training within 12 and 24 months."""

    actor: str
    label: str
    required: bool
    last_12_months: int
    last_24_months: int


class EvidenceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    url: Url = ""
    note: Annotated[str, Meta(max_length=1000)] = ""
    results: LongText = ""


class EvidenceOut(EvidenceIn, kw_only=True):
    service_id: UUID


class StatusCount(Struct, kw_only=True):
    level: str
    status: str
    measures: int


class NetworkActivity(Struct, kw_only=True):
    network_id: UUID
    name: str
    meetings_held: int
    attendance_by_actor: dict[str, int]
    open_follow_ups: int


class LevelGap(Struct, kw_only=True):
    """The required actors (§4) that no measure and no network reaches at one level."""

    level: str
    present: list[str]
    missing: list[str]


class Decision(Struct, kw_only=True):
    meeting_id: UUID
    network: str
    on: dt.date
    body: str


class OpenFollowUp(Struct, kw_only=True):
    id: UUID
    network: str
    title: str
    owner: str
    due_date: dt.date
    overdue: bool


class CouncilReport(Struct, kw_only=True):
    period: str
    period_start: dt.date
    period_end: dt.date
    plan_title: str
    plan_version: int | None
    picture: Picture
    measures_by_status: list[StatusCount]
    measures: list[MeasureOut]
    coverage: list[Coverage]
    networks: list[NetworkActivity]
    level_gaps: list[LevelGap]
    decisions: list[Decision]
    open_follow_ups: list[OpenFollowUp]
