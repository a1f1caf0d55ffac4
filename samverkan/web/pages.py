"""The directory pages: the network list, record pages and their edit forms."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from directory.accounts.auth import writers_only
from directory.core.access import Principal, Role
from directory.core.errors import InvalidField, InvalidFields, VersionMismatch, problems_of
from directory.core.schemas import as_builtins, provided_fields
from directory.records.resources import ALL_RESOURCES, NETWORKS, ORGANIZATIONS, ResourceSpec
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
from samverkan.web.messages import error_text, invalid_field
from samverkan.web.notices import with_notice
from samverkan.web.rendering import page

WebRequest = Request[Principal, Any, Any]
SPEC_BY_PATH = {spec.path: spec for spec in ALL_RESOURCES}
RECORD_PATHS = [f"/{spec.path}/{{record_id:uuid}}" for spec in ALL_RESOURCES]
EDIT_PATHS = [f"{path}/edit" for path in RECORD_PATHS]
NEW_PATHS = [f"/{spec.path}/new" for spec in ALL_RESOURCES]
STATE_CHANGES = {
    "verify": "record_verified",
    "retire": "record_retired",
    "restore": "record_restored",
}
STATE_PATHS = [f"{path}/{change}" for path in RECORD_PATHS for change in STATE_CHANGES]


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
    """The edit form of ``record``, or with ``record=None`` the form for a new one."""
    organizations = await RecordService(ORGANIZATIONS, request.user).page(ListQuery(per_page=500))
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
        organizations=[
            org for org in organizations.contents if record is None or org.id != record.id
        ],
    )


def _shown_after_error(
    spec: ResourceSpec, stored: dict[str, Any], values: dict[str, Any], multi: dict[str, list[str]]
) -> dict[str, Any]:
    """What the form shows again after a refused post: everything the user typed."""
    values.update({key: items for key, items in multi.items() if len(items) > 1})
    shown = {**stored, **values}
    for field in FORMS[spec.name]:
        if field.widget == "checkboxes":
            shown[field.name] = multi.get(field.name, [])
    return shown


def _errors_of(error: InvalidField | InvalidFields) -> dict[str, str]:
    return {field_of_error(p): error_text(p) for p in reversed(problems_of(error))}


@get(NEW_PATHS, name="new_record", guards=[writers_only])
async def new_record_page(request: WebRequest) -> Template:
    """An empty form; ``?organization_id=`` (or ``parent_id``) fills in where it belongs."""
    spec = _spec(request)
    values = {key: request.query_params.get(key, "") for key in ("organization_id", "parent_id")}
    return await _form_page(request, spec, None, values, {})


@post(NEW_PATHS, name="create_record", guards=[writers_only])
async def create_record(request: WebRequest) -> Response[Any]:
    """Create from the form; a coordinator who creates a network coordinates it."""
    spec = _spec(request)
    form = await request.form()
    multi = {key: form.getall(key) for key in form}
    values = {key: form.get(key) for key in form}
    try:
        fields = provided_fields(patch_from_form(spec, values, multi))
        if spec is NETWORKS and request.user.role is Role.COORDINATOR:
            fields["coordinator_account_ids"] = [request.user.account_id]
        data = msgspec.convert(fields, spec.create)
        created = await RecordService(spec, request.user).create(data)
    except msgspec.ValidationError as error:
        problem = invalid_field(error, "name")
        shown = _shown_after_error(spec, {}, values, multi)
        errors = {field_of_error(problem): error_text(problem)}
        return await _form_page(request, spec, None, shown, errors, HTTP_422_UNPROCESSABLE_ENTITY)
    except (InvalidField, InvalidFields) as error:
        shown = _shown_after_error(spec, {}, values, multi)
        return await _form_page(
            request, spec, None, shown, _errors_of(error), HTTP_422_UNPROCESSABLE_ENTITY
        )
    created_id = created.id  # type: ignore[attr-defined]
    return redirect(with_notice(f"/{spec.path}/{created_id}", "record_created"))


@post(STATE_PATHS, name="record_state", guards=[writers_only])
async def change_state(request: WebRequest, record_id: uuid.UUID) -> Response[Any]:
    """``verify`` (checked today, without editing), ``retire`` or ``restore`` a record, with
    the version the page showed as If-Match."""
    spec = _spec(request)
    change = request.url.path.rsplit("/", 1)[1]
    service = RecordService(spec, request.user)
    version = f'"{(await request.form()).get("version", "")}"'
    if change == "verify":
        patch = spec.patch(assured_date=dt.date.today())
        await service.update(record_id, patch, version)
    elif change == "retire":
        await service.retire(record_id, version)
    else:
        await service.restore(record_id, version)
    return redirect(with_notice(f"/{spec.path}/{record_id}", STATE_CHANGES[change]))


@get(EDIT_PATHS, name="edit", guards=[writers_only])
async def edit_page(request: WebRequest, record_id: uuid.UUID) -> Template:
    spec = _spec(request)
    record = await RecordService(spec, request.user).editable(record_id)
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
        shown = _shown_after_error(spec, form_values(as_builtins(record)), values, multi)
        return await _form_page(
            request, spec, record, shown, _errors_of(error), HTTP_422_UNPROCESSABLE_ENTITY
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
    return redirect(with_notice(f"/{spec.path}/{record_id}", "record_saved"))


PAGE_HANDLERS = [
    network_list,
    record_page,
    edit_page,
    save,
    new_record_page,
    create_record,
    change_state,
]
