"""The Open Referral HSDS 3.0 API profile, under ``/api/v1/hsds`` (beside Samverkan's own
``/api/v1/organizations`` and ``/api/v1/services``, which keep their shapes).

Each route accepts exactly the query parameters the profile's ``openapi.json`` gives it and
that Samverkan honours; any other parameter is a 400 naming it, so a filter is never silently
dropped (the profile's ``format``, ``minimal``, ``postcode`` and ``proximity`` are not offered).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Request, Router, get
from litestar.exceptions import ValidationException

from directory.core.access import Principal
from directory.core.settings import get_settings
from directory.records import hsds
from directory.records.hsds_queries import HsdsDirectory, HsdsQuery

PrincipalRequest = Request[Principal, Any, Any]
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


@get("/", operation_id="hsds_root", summary="HSDS 3.0: this API and its profile")
async def root() -> dict[str, str]:
    base = get_settings().public_url.rstrip("/")
    return {
        "version": hsds.HSDS_VERSION,
        "profile": hsds.PROFILE_URL,
        "openapi_url": f"{base}/schema/openapi.json",
    }


@get("/services", operation_id="hsds_list_services", summary="HSDS 3.0: a Page of services")
async def list_services(request: PrincipalRequest) -> Any:
    return await directory(request).services(hsds_query(request, _SERVICE_FILTERS))


@get("/services/{service_id:uuid}", operation_id="hsds_get_service", summary="HSDS 3.0: a service")
async def get_service(request: PrincipalRequest, service_id: Any) -> Any:
    hsds_query(request, ())
    return await directory(request).service(str(service_id))


@get(
    "/organizations",
    operation_id="hsds_list_organizations",
    summary="HSDS 3.0: a Page of organizations",
)
async def list_organizations(request: PrincipalRequest) -> Any:
    allowed = (*_PAGING, "search", "full", "full_service", "modified_after")
    return await directory(request).organizations(hsds_query(request, allowed))


@get(
    "/organizations/{organization_id:uuid}",
    operation_id="hsds_get_organization",
    summary="HSDS 3.0: an organization with its contacts and services",
)
async def get_organization(request: PrincipalRequest, organization_id: Any) -> Any:
    query = hsds_query(request, ("full_service",))
    return await directory(request).organization(str(organization_id), query.full_service)


@get(
    "/service_at_locations",
    operation_id="hsds_list_service_at_locations",
    summary="HSDS 3.0: a Page of services at their locations",
)
async def list_service_at_locations(request: PrincipalRequest) -> Any:
    return await directory(request).service_at_locations(hsds_query(request, _SERVICE_FILTERS))


@get(
    "/service_at_locations/{place_id:uuid}",
    operation_id="hsds_get_service_at_location",
    summary="HSDS 3.0: a service at a location",
)
async def get_service_at_location(request: PrincipalRequest, place_id: Any) -> Any:
    hsds_query(request, ())
    return await directory(request).service_at_location(str(place_id))


@get("/taxonomies", operation_id="hsds_list_taxonomies", summary="HSDS 3.0: taxonomies")
async def list_taxonomies(request: PrincipalRequest) -> Any:
    return await directory(request).taxonomies(hsds_query(request, (*_PAGING, "search")))


@get(
    "/taxonomies/{taxonomy_id:uuid}",
    operation_id="hsds_get_taxonomy",
    summary="HSDS 3.0: a taxonomy",
)
async def get_taxonomy(request: PrincipalRequest, taxonomy_id: Any) -> Any:
    hsds_query(request, ())
    return await directory(request).taxonomy(str(taxonomy_id))


@get(
    "/taxonomy_terms",
    operation_id="hsds_list_taxonomy_terms",
    summary="HSDS 3.0: taxonomy terms",
)
async def list_taxonomy_terms(request: PrincipalRequest) -> Any:
    allowed = (*_PAGING, "search", "taxonomy_id", "parent_id", "top_only")
    query = hsds_query(request, allowed)
    return await directory(request).taxonomy_terms(query)


@get(
    "/taxonomy_terms/{term_id:uuid}",
    operation_id="hsds_get_taxonomy_term",
    summary="HSDS 3.0: a taxonomy term",
)
async def get_taxonomy_term(request: PrincipalRequest, term_id: Any) -> Any:
    hsds_query(request, ())
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
