"""HTTP routes for the four directory resources, built from their :class:`ResourceSpec`.

The handlers are HTTP only: they parse the request, call one :class:`RecordService` method and
shape the response (status, ``ETag``, ``Location``).
"""

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from litestar import Response, Router, delete, get, patch, post
from litestar.params import Parameter

from directory.accounts.auth import admins_only, writers_only
from directory.core.http import IfMatch, MomentQuery, PrincipalRequest, parse_moment
from directory.core.schemas import Page
from directory.records.resources import ResourceSpec
from directory.records.service import ListQuery, RecordService, etag_of


def record_router(spec: ResourceSpec) -> Router:
    """Routes for list, read, create, partial update, retire and erase of one resource."""
    record_type = spec.record
    patch_type = spec.patch
    create_type = spec.create
    label = spec.name

    def service(request: PrincipalRequest) -> RecordService:
        return RecordService(spec, request.user)

    def with_etag(record: Any, status_code: int = 200, **headers: str) -> Response[Any]:
        return Response(
            record, status_code=status_code, headers={"ETag": etag_of(record), **headers}
        )

    @get("/", operation_id=f"list_{spec.path}", summary=f"List {spec.path}")
    async def list_records(
        request: PrincipalRequest,
        page: Annotated[int, Parameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, Parameter(ge=1, le=200)] = 50,
        sort: Annotated[
            str,
            Parameter(
                description="name, last_modified, assured_date or "
                "created_at; prefix - for descending"
            ),
        ] = "name",
        kind: str = "",
        area: str = "",
        level: str = "",
        municipality: str = "",
        network: UUID | None = None,
        organization_id: UUID | None = None,
        stale_since: Annotated[
            dt.date | None, Parameter(description="only entries not verified since this date")
        ] = None,
        modified_after: MomentQuery = None,
        include_retired: bool = False,
    ) -> Page[record_type]:  # type: ignore[valid-type]
        query = ListQuery(
            page=page,
            per_page=per_page,
            sort=sort,
            kind=kind,
            area=area,
            level=level,
            municipality=municipality,
            network=network,
            organization_id=organization_id,
            stale_since=stale_since,
            modified_after=parse_moment("modified_after", modified_after),
            include_retired=include_retired,
        )
        return await service(request).page(query)

    @get("/{record_id:uuid}", operation_id=f"get_{label}", summary=f"Read one {label}")
    async def get_record(request: PrincipalRequest, record_id: UUID) -> Response[record_type]:  # type: ignore[valid-type]
        return with_etag(await service(request).get(record_id))

    @post("/", operation_id=f"create_{label}", summary=f"Create a {label}", guards=[writers_only])
    async def create_record(
        request: PrincipalRequest,
        data: create_type,  # type: ignore[valid-type]
    ) -> Response[record_type]:  # type: ignore[valid-type]
        record = await service(request).create(data)
        location = f"/api/v1/{spec.path}/{record.id}"  # type: ignore[attr-defined]
        return with_etag(record, 201, Location=location)

    @patch(
        "/{record_id:uuid}",
        operation_id=f"update_{label}",
        guards=[writers_only],
        summary=f"Change a {label}; needs If-Match with the ETag it was read with",
    )
    async def update_record(
        request: PrincipalRequest,
        record_id: UUID,
        data: patch_type,  # type: ignore[valid-type]
        if_match: IfMatch = None,
    ) -> Response[record_type]:  # type: ignore[valid-type]
        return with_etag(await service(request).update(record_id, data, if_match))

    @delete(
        "/{record_id:uuid}",
        operation_id=f"retire_{label}",
        guards=[writers_only],
        summary=f"Retire a {label} (soft delete: it stays in the audit trail)",
        status_code=200,
    )
    async def retire_record(
        request: PrincipalRequest, record_id: UUID, if_match: IfMatch = None
    ) -> Response[record_type]:  # type: ignore[valid-type]
        return with_etag(await service(request).retire(record_id, if_match))

    @post(
        "/{record_id:uuid}/erase",
        operation_id=f"erase_{label}",
        guards=[admins_only],
        summary=f"Erase a {label} for good and purge its values from the audit log",
        status_code=204,
        opt={"conflict": "The organisation still has units, contacts or services"}
        if spec.name == "organization"
        else {},
    )
    async def erase_record(request: PrincipalRequest, record_id: UUID) -> None:
        await service(request).erase(record_id)

    return Router(
        path=f"/{spec.path}",
        route_handlers=[
            list_records,
            get_record,
            create_record,
            update_record,
            retire_record,
            erase_record,
        ],
        tags=[spec.path],
    )
