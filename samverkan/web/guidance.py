"""The "Vid oro" card and its admin edit form."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from directory.accounts.auth import admins_only
from directory.core.access import Principal
from directory.core.errors import InvalidField
from directory.guidance.service import EDITABLE, sections, update_section
from samverkan.web.embedding import redirect
from samverkan.web.messages import error_text
from samverkan.web.rendering import page

WebRequest = Request[Principal, Any, Any]


@get("/vid-oro", name="guidance")
async def guidance(request: WebRequest) -> Template:
    return await page(request, "guidance.html", sections=await sections(request.user))


@get("/admin/guidance", name="guidance_admin", guards=[admins_only])
async def guidance_admin(request: WebRequest) -> Template:
    return await page(
        request, "admin/guidance.html", sections=await sections(request.user), errors={}
    )


@post("/admin/guidance/{section_id:uuid}", name="guidance_save", guards=[admins_only])
async def guidance_save(request: WebRequest, section_id: uuid.UUID) -> Response[Any]:
    form = await request.form()
    values = {key: str(form.get(key, "")).strip() for key in EDITABLE}
    try:
        await update_section(request.user, section_id, values)
    except InvalidField as error:
        return await page(
            request,
            "admin/guidance.html",
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
            sections=await sections(request.user),
            errors={(section_id, error.field): error_text(error)},
            posted={section_id: values},
        )
    return redirect("/admin/guidance")


GUIDANCE_HANDLERS = [guidance, guidance_admin, guidance_save]
