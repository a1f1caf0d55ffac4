"""The directory pages: the network list, record pages and their edit forms."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from directory.accounts.auth import writers_only
from directory.core.access import Principal
from directory.core.errors import InvalidField, InvalidFields, VersionMismatch, problems_of
from directory.core.schemas import as_builtins
from directory.records.resources import ALL_RESOURCES, NETWORKS, ResourceSpec
from directory.records.service import ListQuery, RecordService
from samverkan.web.details import CONTEXT
from samverkan.web.embedding import redirect
from samverkan.web.forms import (
    FORMS,
    VISIBILITY_LABELS,
    field_of_error,
    form_values,
    patch_from_form,
)
from samverkan.web.messages import error_text
from samverkan.web.rendering import page

WebRequest = Request[Principal, Any, Any]
SPEC_BY_PATH = {spec.path: spec for spec in ALL_RESOURCES}
RECORD_PATHS = [f"/{spec.path}/{{record_id:uuid}}" for spec in ALL_RESOURCES]
EDIT_PATHS = [f"{path}/edit" for path in RECORD_PATHS]


def _spec(request: WebRequest) -> ResourceSpec:
    """The resource a path names; listed literally, because the router does not backtrack
    from ``/networks/...`` to a ``/{collection}/...`` pattern."""
    spec = SPEC_BY_PATH.get(request.url.path.split("/")[1])
    if spec is None:
        raise NotFoundException()
    return spec


@get("/networks", name="networks")
async def network_list(request: WebRequest) -> Template:
    networks = await RecordService(NETWORKS, request.user).page(ListQuery(per_page=200))
    return await page(request, "networks.html", networks=networks.contents)


@get(RECORD_PATHS, name="record")
async def record_page(request: WebRequest, record_id: uuid.UUID) -> Template:
    spec = _spec(request)
    record = await RecordService(spec, request.user).get(record_id)
    context = await CONTEXT[spec.name](request.user, record)
    return await page(request, f"{spec.name}.html", record=record, spec=spec, **context)


async def _form_page(
    request: WebRequest,
    spec: ResourceSpec,
    record: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return await page(
        request,
        "edit.html",
        status_code=status_code,
        spec=spec,
        record=record,
        fields=FORMS[spec.name],
        values=values,
        errors=errors,
        visibility_labels=VISIBILITY_LABELS,
    )


@get(EDIT_PATHS, name="edit", guards=[writers_only])
async def edit_page(request: WebRequest, record_id: uuid.UUID) -> Template:
    spec = _spec(request)
    record = await RecordService(spec, request.user).get(record_id)
    return await _form_page(request, spec, record, form_values(as_builtins(record)), {})


@post(EDIT_PATHS, name="save", guards=[writers_only])
async def save(request: WebRequest, record_id: uuid.UUID) -> Response[Any]:
    """Apply the form as a patch, with the version the form was read at as If-Match."""
    spec = _spec(request)
    service = RecordService(spec, request.user)
    form = await request.form()
    multi = {key: form.getall(key) for key in form}
    values = {key: form.get(key) for key in form}
    try:
        patch = patch_from_form(spec, values, multi)
        await service.update(record_id, patch, f'"{form.get("version", "")}"')
    except (InvalidField, InvalidFields) as error:
        record = await service.get(record_id)
        values.update({key: items for key, items in multi.items() if len(items) > 1})
        shown = {**form_values(as_builtins(record)), **values}
        for field in FORMS[spec.name]:
            if field.widget == "checkboxes":
                shown[field.name] = multi.get(field.name, [])
        return await _form_page(
            request,
            spec,
            record,
            shown,
            {field_of_error(p): error_text(p) for p in reversed(problems_of(error))},
            HTTP_422_UNPROCESSABLE_ENTITY,
        )
    except VersionMismatch:
        record = await service.get(record_id)
        return await _form_page(
            request,
            spec,
            record,
            form_values(as_builtins(record)),
            {"version": "changed"},
            HTTP_409_CONFLICT,
        )
    return redirect(f"/{spec.path}/{record_id}")


PAGE_HANDLERS = [network_list, record_page, edit_page, save]
