"""The Open Referral HSDS 3.0 API profile, under ``/api/v1/hsds`` (beside Samverkan's own
``/api/v1/organizations`` and ``/api/v1/services``, which keep their shapes).

Each route accepts exactly the query parameters the profile's ``openapi.json`` gives it and
that Samverkan honours; any other parameter is a 400 naming it, so a filter is never silently
dropped (the profile's ``format``, ``minimal``, ``postcode`` and ``proximity`` are not offered).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from uuid import UUID

from litestar import Router, get
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from directory.core.http import PrincipalRequest
from directory.core.settings import get_settings
from directory.records import hsds
from directory.records.hsds_queries import HsdsDirectory, HsdsQuery

_PAGING = ("page", "per_page")
_SERVICE_FILTERS = (
    *_PAGING,
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "full",
)
_MAX_PER_PAGE = 200


def _integer(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValidationException(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValidationException(f"{name} must be between {low} and {high}")
    return value


def _boolean(name: str, raw: str) -> bool:
    if raw.lower() in {"true", "1"}:
        return True
    if raw.lower() in {"false", "0"}:
        return False
    raise ValidationException(f"{name} must be true or false, got {raw!r}")


def _moment(raw: str) -> dt.datetime:
    """``modified_after``: a date (its start, UTC) or a date-time (without offset: UTC)."""
    try:
        if len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationException(
            f"modified_after must be a date or an ISO 8601 date-time, got {raw!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _uuid_text(name: str, raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ValidationException(f"{name} must be a UUID, got {raw!r}") from None


def hsds_query(request: PrincipalRequest, allowed: tuple[str, ...]) -> HsdsQuery:
    """The request's parameters as an :class:`HsdsQuery`; 400 for one it does not support."""
    params = request.query_params
    unsupported = sorted(set(params) - set(allowed))
    if unsupported:
        raise ValidationException(
            f"unsupported parameter {', '.join(unsupported)}; this endpoint takes "
            f"{', '.join(allowed) or 'none'}"
        )
    values: dict[str, Any] = {}
    for name in params:
        raw = params[name]
        if name == "page":
            values[name] = _integer(name, raw, 1, 100_000)
        elif name == "per_page":
            values[name] = _integer(name, raw, 1, _MAX_PER_PAGE)
        elif name in {"full", "full_service", "top_only"}:
            values[name] = _boolean(name, raw)
        elif name == "modified_after":
            values[name] = _moment(raw)
        elif name in {"taxonomy_term_id", "taxonomy_id", "organization_id", "parent_id"}:
            values[name] = _uuid_text(name, raw)
        else:
            values[name] = raw.strip()
    return HsdsQuery(**values)


def directory(request: PrincipalRequest) -> HsdsDirectory:
    return HsdsDirectory(request.user)


Search = Annotated[
    str | None, Parameter(required=False, description="Full text search in names and descriptions")
]
PageNumber = Annotated[str | None, Parameter(required=False, description="Page number, from 1")]
PerPage = Annotated[
    str | None, Parameter(required=False, description="Results per page, 1 to 200 (default 50)")
]
TermId = Annotated[
    str | None, Parameter(required=False, description="Only what links to this taxonomy term")
]
TaxonomyId = Annotated[
    str | None,
    Parameter(required=False, description="Only what links to any term of this taxonomy"),
]
OrganizationId = Annotated[
    str | None, Parameter(required=False, description="Only the services of this organization")
]
ModifiedAfter = Annotated[
    str | None,
    Parameter(
        required=False,
        description="Only what changed on or after this date or date-time (UTC if no offset)",
    ),
]
Full = Annotated[str | None, Parameter(required=False, description="true: fully nested objects")]
ParentId = Annotated[
    str | None,
    Parameter(required=False, description="Only the children of this term (Samverkan's have none)"),
]
TopOnly = Annotated[
    str | None,
    Parameter(required=False, description="true: only terms without a parent (all of Samverkan's)"),
]
FullService = Annotated[
    str | None,
    Parameter(required=False, description="true: the organizations' services fully nested"),
]


async def service_filters(
    request: PrincipalRequest,
    search: Search = None,
    page: PageNumber = None,
    per_page: PerPage = None,
    taxonomy_term_id: TermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    full: Full = None,
) -> HsdsQuery:
    return hsds_query(request, _SERVICE_FILTERS)


async def organization_filters(
    request: PrincipalRequest,
    search: Search = None,
    page: PageNumber = None,
    per_page: PerPage = None,
    modified_after: ModifiedAfter = None,
    full: Full = None,
    full_service: FullService = None,
) -> HsdsQuery:
    return hsds_query(request, (*_PAGING, "search", "full", "full_service", "modified_after"))


async def taxonomy_filters(
    request: PrincipalRequest,
    search: Search = None,
    page: PageNumber = None,
    per_page: PerPage = None,
) -> HsdsQuery:
    return hsds_query(request, (*_PAGING, "search"))


async def term_filters(
    request: PrincipalRequest,
    search: Search = None,
    page: PageNumber = None,
    per_page: PerPage = None,
    taxonomy_id: TaxonomyId = None,
    parent_id: ParentId = None,
    top_only: TopOnly = None,
) -> HsdsQuery:
    return hsds_query(request, (*_PAGING, "search", "taxonomy_id", "parent_id", "top_only"))


async def detail_filters(request: PrincipalRequest, full_service: FullService = None) -> HsdsQuery:
    return hsds_query(request, ("full_service",))


async def no_filters(request: PrincipalRequest) -> HsdsQuery:
    return hsds_query(request, ())


@get("/", operation_id="hsds_root", summary="HSDS 3.0: this API and its profile")
async def root() -> dict[str, str]:
    base = get_settings().public_url.rstrip("/")
    return {
        "version": hsds.HSDS_VERSION,
        "profile": hsds.PROFILE_URL,
        "openapi_url": f"{base}/schema/openapi.json",
    }


@get(
    "/services",
    operation_id="hsds_list_services",
    summary="HSDS 3.0: a Page of services",
    dependencies={"filters": Provide(service_filters)},
)
async def list_services(request: PrincipalRequest, filters: HsdsQuery) -> Any:
    return await directory(request).services(filters)


@get(
    "/services/{service_id:uuid}",
    operation_id="hsds_get_service",
    summary="HSDS 3.0: a service",
    dependencies={"filters": Provide(no_filters)},
)
async def get_service(request: PrincipalRequest, service_id: UUID, filters: HsdsQuery) -> Any:
    return await directory(request).service(str(service_id))


@get(
    "/organizations",
    operation_id="hsds_list_organizations",
    summary="HSDS 3.0: a Page of organizations",
    dependencies={"filters": Provide(organization_filters)},
)
async def list_organizations(request: PrincipalRequest, filters: HsdsQuery) -> Any:
    return await directory(request).organizations(filters)


@get(
    "/organizations/{organization_id:uuid}",
    operation_id="hsds_get_organization",
    summary="HSDS 3.0: an organization with its contacts and services",
    dependencies={"filters": Provide(detail_filters)},
)
async def get_organization(
    request: PrincipalRequest, organization_id: UUID, filters: HsdsQuery
) -> Any:
    return await directory(request).organization(str(organization_id), filters.full_service)


@get(
    "/service_at_locations",
    operation_id="hsds_list_service_at_locations",
    summary="HSDS 3.0: a Page of services at their locations",
    dependencies={"filters": Provide(service_filters)},
)
async def list_service_at_locations(request: PrincipalRequest, filters: HsdsQuery) -> Any:
    return await directory(request).service_at_locations(filters)


@get(
    "/service_at_locations/{place_id:uuid}",
    operation_id="hsds_get_service_at_location",
    summary="HSDS 3.0: a service at a location",
    dependencies={"filters": Provide(no_filters)},
)
async def get_service_at_location(
    request: PrincipalRequest, place_id: UUID, filters: HsdsQuery
) -> Any:
    return await directory(request).service_at_location(str(place_id))


@get(
    "/taxonomies",
    operation_id="hsds_list_taxonomies",
    summary="HSDS 3.0: taxonomies",
    dependencies={"filters": Provide(taxonomy_filters)},
)
async def list_taxonomies(request: PrincipalRequest, filters: HsdsQuery) -> Any:
    return await directory(request).taxonomies(filters)


@get(
    "/taxonomies/{taxonomy_id:uuid}",
    operation_id="hsds_get_taxonomy",
    summary="HSDS 3.0: a taxonomy",
    dependencies={"filters": Provide(no_filters)},
)
async def get_taxonomy(request: PrincipalRequest, taxonomy_id: UUID, filters: HsdsQuery) -> Any:
    return await directory(request).taxonomy(str(taxonomy_id))


@get(
    "/taxonomy_terms",
    operation_id="hsds_list_taxonomy_terms",
    summary="HSDS 3.0: taxonomy terms",
    dependencies={"filters": Provide(term_filters)},
)
async def list_taxonomy_terms(request: PrincipalRequest, filters: HsdsQuery) -> Any:
    return await directory(request).taxonomy_terms(filters)


@get(
    "/taxonomy_terms/{term_id:uuid}",
    operation_id="hsds_get_taxonomy_term",
    summary="HSDS 3.0: a taxonomy term",
    dependencies={"filters": Provide(no_filters)},
)
async def get_taxonomy_term(request: PrincipalRequest, term_id: UUID, filters: HsdsQuery) -> Any:
    return await directory(request).taxonomy_term(str(term_id))


hsds_router = Router(
    path="/hsds",
    route_handlers=[
        root,
        list_services,
        get_service,
        list_organizations,
        get_organization,
        list_service_at_locations,
        get_service_at_location,
        list_taxonomies,
        get_taxonomy,
        list_taxonomy_terms,
        get_taxonomy_term,
    ],
    tags=["hsds"],
)
