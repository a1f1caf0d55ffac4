"""HTTP routes of the plan cycle under ``/api/v1/plan``; each handler calls one service function.

Reports to the situation picture are open to every signed-in role (a partner for their own
organisation); the aggregate to every role; the plan, its measures, trainings and the council
report to municipal staff; changes to admins and coordinators.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Response, Router, get, patch, post, put
from litestar.params import Parameter

from directory.accounts.auth import admins_only, staff_only, writers_only
from directory.core.http import IfMatch, JsonOrCsv, PrincipalRequest
from directory.plan import evidence, measures, observations, report, trainings
from directory.plan.schemas import (
    AdoptIn,
    CouncilReport,
    Coverage,
    Dimension,
    EvidenceIn,
    EvidenceOut,
    IndicatorValueIn,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    ObservationIn,
    ObservationReceipt,
    ParticipationList,
    Picture,
    PlanIn,
    PlanOut,
    TrainingIn,
    TrainingOut,
)

PeriodQuery = Annotated[
    str, Parameter(pattern=r"^(19|20|21)\d\d-H[12]$", description="a half-year, e.g. 2026-H2")
]


@post("/observations", operation_id="report_observation", summary="Report to the situation picture")
async def report_observation(request: PrincipalRequest, data: ObservationIn) -> ObservationReceipt:
    return await observations.report_observation(request.user, data)


@get(
    "/picture",
    operation_id="situation_picture",
    summary="The situation picture, small cells hidden",
)
async def situation_picture(
    period: PeriodQuery, group_by: list[Dimension] | None = None, lang: Literal["sv", "en"] = "sv"
) -> Picture:
    return await observations.situation_picture(period, group_by or ["area", "level"], lang)


@get(
    "/plans",
    operation_id="list_plans",
    summary="Every version of the action plan",
    guards=[staff_only],
)
async def list_plans(request: PrincipalRequest) -> list[PlanOut]:
    return await measures.list_plans(request.user)


@get(
    "/plans/{plan_id:uuid}",
    operation_id="get_plan",
    summary="One plan version",
    guards=[staff_only],
)
async def get_plan(request: PrincipalRequest, plan_id: UUID) -> PlanOut:
    return await measures.get_plan(request.user, plan_id)


@post(
    "/plans", operation_id="draft_plan", summary="Draft a new plan version", guards=[writers_only]
)
async def draft_plan(request: PrincipalRequest, data: PlanIn) -> PlanOut:
    return await measures.draft_plan(request.user, data)


@post(
    "/plans/{plan_id:uuid}/adopt",
    operation_id="adopt_plan",
    summary="Record that the council adopted a draft; the version before is kept",
    guards=[admins_only],
    status_code=200,
)
async def adopt_plan(request: PrincipalRequest, plan_id: UUID, data: AdoptIn) -> PlanOut:
    return await measures.adopt_plan(request.user, plan_id, data.adopted_on)


@get(
    "/measures",
    operation_id="list_measures",
    summary="Measures, overdue first",
    guards=[staff_only],
)
async def list_measures(request: PrincipalRequest, plan_id: UUID | None = None) -> list[MeasureOut]:
    return await measures.list_measures(request.user, plan_id)


@get(
    "/measures/{measure_id:uuid}",
    operation_id="get_measure",
    summary="One measure",
    guards=[staff_only],
)
async def get_measure(request: PrincipalRequest, measure_id: UUID) -> MeasureOut:
    return await measures.get_measure(request.user, measure_id)


@post("/measures", operation_id="create_measure", summary="Add a measure", guards=[writers_only])
async def create_measure(request: PrincipalRequest, data: MeasureIn) -> MeasureOut:
    return await measures.create_measure(request.user, data)


@patch(
    "/measures/{measure_id:uuid}",
    operation_id="update_measure",
    summary="Change a measure",
    guards=[writers_only],
)
async def update_measure(
    request: PrincipalRequest, measure_id: UUID, data: MeasurePatch, if_match: IfMatch = None
) -> MeasureOut:
    return await measures.update_measure(request.user, measure_id, data, if_match)


@post(
    "/measures/{measure_id:uuid}/values",
    operation_id="record_indicator_value",
    summary="Record a value of the measure's indicator",
    guards=[writers_only],
)
async def record_value(
    request: PrincipalRequest, measure_id: UUID, data: IndicatorValueIn
) -> MeasureOut:
    return await measures.record_value(request.user, measure_id, data)


@get(
    "/trainings",
    operation_id="list_trainings",
    summary="Trainings, newest first",
    guards=[staff_only],
)
async def list_trainings(request: PrincipalRequest) -> list[TrainingOut]:
    return await trainings.list_trainings(request.user)


@post("/trainings", operation_id="create_training", summary="Add a training", guards=[writers_only])
async def create_training(request: PrincipalRequest, data: TrainingIn) -> TrainingOut:
    return await trainings.create_training(request.user, data)


@put(
    "/trainings/{training_id:uuid}/participation",
    operation_id="record_training_participation",
    summary="How many of each organisation took part (replaces the list)",
    guards=[writers_only],
)
async def record_participation(
    request: PrincipalRequest, training_id: UUID, data: ParticipationList
) -> TrainingOut:
    return await trainings.record_participation(request.user, training_id, data.organizations)


@get(
    "/coverage", operation_id="training_coverage", summary="Training per actor", guards=[staff_only]
)
async def training_coverage() -> list[Coverage]:
    return await trainings.coverage()


@get(
    "/services/{service_id:uuid}/evidence",
    operation_id="get_service_evidence",
    summary="A service's evidence base and results",
    guards=[staff_only],
)
async def get_evidence(request: PrincipalRequest, service_id: UUID) -> EvidenceOut:
    return await evidence.get_evidence(request.user, service_id)


@put(
    "/services/{service_id:uuid}/evidence",
    operation_id="set_service_evidence",
    summary="Set a service's evidence base and results",
    guards=[writers_only],
)
async def set_evidence(
    request: PrincipalRequest, service_id: UUID, data: EvidenceIn
) -> EvidenceOut:
    return await evidence.set_evidence(request.user, service_id, data)


@get(
    "/report",
    operation_id="council_report",
    summary="The council's follow-up report for a half-year, as JSON or CSV",
    guards=[staff_only],
    operation_class=JsonOrCsv,
)
async def council_report(
    request: PrincipalRequest, period: PeriodQuery, format: Literal["json", "csv"] = "json"
) -> Response[Any]:
    result: CouncilReport = await report.council_report(request.user, period)
    if format == "csv":
        return Response(
            report.council_report_csv(result),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="radsrapport-{period}.csv"'},
        )
    return Response(result)


plan_router = Router(
    path="/plan",
    tags=["plan"],
    route_handlers=[
        report_observation,
        situation_picture,
        list_plans,
        get_plan,
        draft_plan,
        adopt_plan,
        list_measures,
        get_measure,
        create_measure,
        update_measure,
        record_value,
        list_trainings,
        create_training,
        record_participation,
        training_coverage,
        get_evidence,
        set_evidence,
        council_report,
    ],
)
