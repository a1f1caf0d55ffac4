"""The plan cycle in the browser: report to the situation picture, read the picture, keep the
plan's measures and trainings, and the council's follow-up report (charts as SVG, printable)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, TypeVar, get_args

import msgspec
from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from directory.core.access import Principal
from directory.core.errors import N_, InvalidField, InvalidFields, problems_of
from directory.plan import measures, observations, report, trainings
from directory.plan.schemas import (
    Dimension,
    IndicatorValueIn,
    MeasureIn,
    MeasurePatch,
    MeasureStatus,
    ObservationIn,
    ParticipationIn,
    TrainingIn,
)
from directory.records.resources import ORGANIZATIONS
from directory.records.service import ListQuery, RecordService
from samverkan.web.charts import bar_chart
from samverkan.web.embedding import redirect
from samverkan.web.messages import error_text, invalid_field
from samverkan.web.notices import with_notice
from samverkan.web.rendering import page, vocabulary_labels

WebRequest = Request[Principal, Any, Any]
PeriodParam = Annotated[str, Parameter(pattern=r"^((19|20|21)\d\d-H[12])?$", max_length=7)]
DIMENSIONS = ("area", "level", "district", "signal")
T = TypeVar("T")


async def _form(request: WebRequest) -> dict[str, str]:
    form = await request.form()
    return {key: str(form.get(key)).strip() for key in form}


def _errors(error: InvalidField | InvalidFields) -> dict[str, str]:
    return {problem.field.split("[")[0]: error_text(problem) for problem in problems_of(error)}


def _convert(values: dict[str, Any], struct: type[T]) -> T:
    """Form values as ``struct``, with the same bounds as the API; empty fields are left out."""
    given = {key: value for key, value in values.items() if value not in ("", None)}
    try:
        return msgspec.convert(given, struct, strict=False)
    except msgspec.ValidationError as error:
        raise invalid_field(error, "title") from None


async def _organizations(request: WebRequest) -> list[Any]:
    found = await RecordService(ORGANIZATIONS, request.user).page(ListQuery(per_page=500))
    return sorted(found.contents, key=lambda item: item.name.casefold())


async def _report_page(
    request: WebRequest, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Template:
    return await page(
        request,
        "plan/observe.html",
        status_code=status_code,
        values=values,
        errors=errors,
        organizations=await _organizations(request) if request.user.is_staff else [],
        periods=_recent_periods(),
    )


def _recent_periods() -> list[str]:
    period = report.current_period()
    periods = [period]
    for _ in range(3):
        periods.append(observations.previous_period(periods[-1]))
    return periods


@get("/plan/observations/new", name="plan_observe")
async def observe_form(request: WebRequest) -> Template:
    return await _report_page(request, {"period": report.current_period()}, {})


@post("/plan/observations/new", name="plan_observe_submit")
async def observe(request: WebRequest) -> Response[Any]:
    values = await _form(request)
    fields = (
        "period",
        "area",
        "level",
        "signal",
        "frequency",
        "district",
        "organization_id",
        "note",
    )
    try:
        data = _convert({key: values.get(key, "") for key in fields}, ObservationIn)
        await observations.report_observation(request.user, data)
    except (InvalidField, InvalidFields) as error:
        return await _report_page(request, values, _errors(error), HTTP_422_UNPROCESSABLE_ENTITY)
    return redirect(with_notice(f"/plan/picture?period={data.period}", "observation_reported"))


@get("/plan/picture", name="plan_picture")
async def picture_page(
    request: WebRequest,
    period: PeriodParam = "",
    by: Dimension = "area",
) -> Template:
    period = period or report.current_period()
    group_by: list[Dimension] = [by, "level"] if by != "level" else ["level"]
    picture = await observations.situation_picture(period, group_by)
    return await page(
        request,
        "plan/picture.html",
        picture=picture,
        by=by,
        dimensions=DIMENSIONS,
        periods=_recent_periods(),
        chart=bar_chart([(" · ".join(c.labels.values()), c.reports) for c in picture.cells]),
    )


@get("/plan", name="plan_report")
async def report_page(request: WebRequest, period: PeriodParam = "") -> Template:
    period = period or report.current_period()
    result = await report.council_report(request.user, period)
    labels = await vocabulary_labels()
    status_chart = bar_chart(
        [
            (f"{labels['level'].get(s.level, s.level)} · {s.status}", s.measures)
            for s in result.measures_by_status
        ]
    )
    return await page(
        request,
        "plan/report.html",
        report=result,
        periods=_recent_periods(),
        picture_chart=bar_chart(
            [(" · ".join(c.labels.values()), c.reports) for c in result.picture.cells]
        ),
        status_chart=status_chart,
        coverage_chart=bar_chart([(item.label, item.last_12_months) for item in result.coverage]),
    )


async def _measures_page(
    request: WebRequest, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Template:
    plan = await measures.current_plan()
    return await page(
        request,
        "plan/measures.html",
        status_code=status_code,
        plan=await measures.get_plan(request.user, plan["id"]) if plan else None,
        measures=await measures.list_measures(request.user),
        organizations=await _organizations(request),
        values=values,
        errors=errors,
        today=dt.date.today(),
    )


@get("/plan/measures", name="plan_measures")
async def measures_page(request: WebRequest) -> Template:
    return await _measures_page(request, {}, {})


@post("/plan/measures", name="plan_measure_create")
async def create_measure(request: WebRequest) -> Response[Any]:
    values = await _form(request)
    plan = await measures.current_plan()
    fields = ("section_id", "title", "level", "owner_organization_id", "due_date", "indicator")
    try:
        if plan is None:
            raise InvalidField("title", N_("there is no action plan yet"))
        data = _convert(
            {"plan_id": str(plan["id"]), **{key: values.get(key, "") for key in fields}}, MeasureIn
        )
        await measures.create_measure(request.user, data)
    except (InvalidField, InvalidFields) as error:
        return await _measures_page(request, values, _errors(error), HTTP_422_UNPROCESSABLE_ENTITY)
    return redirect(with_notice("/plan/measures", "measure_created"))


@post("/plan/measures/{measure_id:uuid}", name="plan_measure_update")
async def update_measure(request: WebRequest, measure_id: uuid.UUID) -> Response[Any]:
    """A new status, or a new value of the indicator, from the measures list."""
    values = await _form(request)
    try:
        if values.get("value"):
            value = {
                "measured_on": dt.date.today().isoformat(),
                "value": values["value"].replace(",", "."),
            }
            await measures.record_value(request.user, measure_id, _convert(value, IndicatorValueIn))
        elif values.get("status") in get_args(MeasureStatus):
            patch = _convert({"status": values["status"]}, MeasurePatch)
            await measures.update_measure(request.user, measure_id, patch, None)
    except (InvalidField, InvalidFields) as error:
        errors = {f"measure-{measure_id}": text for text in _errors(error).values()}
        return await _measures_page(request, values, errors, HTTP_422_UNPROCESSABLE_ENTITY)
    return redirect(with_notice(f"/plan/measures#measure-{measure_id}", "measure_saved"))


async def _trainings_page(
    request: WebRequest, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Template:
    return await page(
        request,
        "plan/trainings.html",
        status_code=status_code,
        trainings=await trainings.list_trainings(request.user),
        coverage=await trainings.coverage(),
        organizations=await _organizations(request),
        values=values,
        errors=errors,
    )


@get("/plan/trainings", name="plan_trainings")
async def trainings_page(request: WebRequest) -> Template:
    return await _trainings_page(request, {}, {})


@post("/plan/trainings", name="plan_training_create")
async def create_training(request: WebRequest) -> Response[Any]:
    values = await _form(request)
    fields = ("title", "level", "held_on", "provider_organization_id", "target_group")
    try:
        data = _convert({key: values.get(key, "") for key in fields}, TrainingIn)
        created = await trainings.create_training(request.user, data)
    except (InvalidField, InvalidFields) as error:
        return await _trainings_page(request, values, _errors(error), HTTP_422_UNPROCESSABLE_ENTITY)
    return redirect(with_notice(f"/plan/trainings#training-{created.id}", "training_created"))


@post("/plan/trainings/{training_id:uuid}/participation", name="plan_participation")
async def participation(request: WebRequest, training_id: uuid.UUID) -> Response[Any]:
    """Add or change one organisation's count; 0 removes it."""
    values = await _form(request)
    current = await trainings.get_training(request.user, training_id)
    try:
        organization = uuid.UUID(values.get("organization_id", ""))
        count = int(values.get("participants", ""))
    except ValueError:
        error = InvalidField("participants", N_("pick an organisation and enter a number"))
        errors = {f"participation-{training_id}": error_text(error)}
        return await _trainings_page(request, values, errors, HTTP_422_UNPROCESSABLE_ENTITY)
    kept = [
        ParticipationIn(organization_id=item.organization_id, participants=item.participants)
        for item in current.participation
        if item.organization_id != organization
    ]
    if count > 0:
        kept.append(ParticipationIn(organization_id=organization, participants=count))
    await trainings.record_participation(request.user, training_id, kept)
    return redirect(with_notice(f"/plan/trainings#training-{training_id}", "participation_saved"))


PLAN_HANDLERS = [
    observe_form,
    observe,
    picture_page,
    report_page,
    measures_page,
    create_measure,
    update_measure,
    trainings_page,
    create_training,
    participation,
]
