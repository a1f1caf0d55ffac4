"""The local situation picture (lokal lägesbild): structured reports in, aggregates out.

A report names a kind of signal, an area, a prevention level, a district and a period, never a
person. Nobody reads single reports back, not even admins: the only way out is the aggregate,
in which every cell with fewer than ``SAMVERKAN_PICTURE_MIN_REPORTS`` reports is left out
(k-anonymity), together with its count, so no total gives it away.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence

from directory.core.access import Principal
from directory.core.change_log import log_change
from directory.core.database import transaction
from directory.core.errors import N_, InvalidField
from directory.core.settings import get_settings
from directory.core.tables import TaxonomyTerm
from directory.core.validation import check_code
from directory.core.vocabulary import allowed_codes
from directory.plan.access import require_reporter_for
from directory.plan.schemas import (
    Dimension,
    ObservationIn,
    ObservationReceipt,
    Picture,
    PictureCell,
)
from directory.plan.tables import Observation
from directory.plan.validation import check_no_personal_data
from directory.records.tables import Organization

DIMENSIONS: tuple[Dimension, ...] = ("area", "level", "district", "signal")
_TAXONOMY_OF = {"area": "area", "level": "level", "district": "district", "signal": "signal"}


def previous_period(period: str) -> str:
    """The half-year before ``period`` ("2026-H1" -> "2025-H2")."""
    year, half = int(period[:4]), period[-1]
    return f"{year}-H1" if half == "2" else f"{year - 1}-H2"


async def report_observation(principal: Principal, data: ObservationIn) -> ObservationReceipt:
    """Store one report; a partner reports for their own organisation only."""
    organization_id = data.organization_id or principal.organization_id
    require_reporter_for(principal, organization_id)
    if organization_id is None:
        raise InvalidField("organization_id", N_("must not be empty"))
    codes = await allowed_codes()
    for field, taxonomy in (
        ("area", "area"),
        ("level", "level"),
        ("signal", "signal"),
        ("frequency", "frequency"),
        ("district", "district"),
    ):
        check_code(field, getattr(data, field), codes[taxonomy])
    check_no_personal_data("note", data.note)
    if not await Organization.exists().where(
        (Organization.id == organization_id) & Organization.retired_at.is_null()
    ):
        raise InvalidField("organization_id", N_("no such organisation"))
    row = Observation(
        id=uuid.uuid4(),
        period=data.period,
        area=data.area,
        level=data.level,
        signal=data.signal,
        frequency=data.frequency,
        district=data.district,
        organization_id=organization_id,
        note=data.note.strip(),
    )
    async with transaction():
        await row.save()
        # The audit entry records that a report came in, not what it said.
        await log_change(principal, "create", "observation", row.id, {}, {"period": data.period})
    return ObservationReceipt(id=row.id, period=data.period)


async def _labels(language: str) -> dict[tuple[str, str], str]:
    column = TaxonomyTerm.label_en if language == "en" else TaxonomyTerm.label_sv
    rows = await TaxonomyTerm.select(
        TaxonomyTerm.taxonomy, TaxonomyTerm.code, column.as_alias("label")
    )
    return {(row["taxonomy"], row["code"]): row["label"] for row in rows}


async def _counts(period: str, group_by: Sequence[str]) -> Counter[tuple[str, ...]]:
    columns = [getattr(Observation, name) for name in group_by]
    rows = await Observation.select(*columns).where(Observation.period == period)
    return Counter(tuple(row[name] for name in group_by) for row in rows)


async def situation_picture(
    period: str, group_by: Sequence[Dimension] = ("area", "level"), language: str = "sv"
) -> Picture:
    """The aggregate for ``period``, compared with the half-year before it."""
    if not group_by or len(set(group_by)) != len(group_by):
        raise InvalidField("group_by", N_("name one to four different dimensions"))
    k = get_settings().picture_min_reports
    current = await _counts(period, group_by)
    before = await _counts(previous_period(period), group_by)
    labels = await _labels(language)
    cells = [
        PictureCell(
            keys=dict(zip(group_by, key, strict=True)),
            labels={
                name: labels.get((_TAXONOMY_OF[name], code), code)
                for name, code in zip(group_by, key, strict=True)
            },
            reports=count,
            previous_reports=before[key] if before[key] >= k else None,
        )
        for key, count in sorted(current.items())
        if count >= k
    ]
    return Picture(
        period=period,
        previous_period=previous_period(period),
        group_by=list(group_by),
        min_reports=k,
        cells=cells,
        reports_shown=sum(cell.reports for cell in cells),
        hidden_cells=sum(1 for count in current.values() if count < k),
    )
