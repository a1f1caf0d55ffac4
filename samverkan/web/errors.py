"""How failures look in the browser: sign-in redirect, or a calm error page in the UI language."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Template

from directory.errors import InvalidField, NotFound, PermissionDenied
from samverkan.web.embedding import redirect
from samverkan.web.forms import N_


def _error_page(
    request: Request[Any, Any, Any], status_code: int, message: str, detail: str = ""
) -> Template:
    principal = request.scope.get("user")
    return Template(
        "error.html",
        context={
            "principal": principal,
            "message": message,
            "detail": detail,
            "status_code": status_code,
            "path": request.url.path,
            "query_string": request.url.query,
        },
        status_code=status_code,
    )


def sign_in_first(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/sign-in?next={quote(target, safe='')}")


def forbidden(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return _error_page(request, 403, N_("You do not have access to this page."))


def not_found(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return _error_page(request, 404, N_("The page does not exist, or you cannot see it."))


def bad_request(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    status = error.status_code if isinstance(error, HTTPException) else 400
    return _error_page(request, status, N_("The request could not be handled."))


def invalid_input(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A form the page could not show again with the message in place (e.g. a note)."""
    return _error_page(request, 422, N_("The form could not be saved."), str(error))


WEB_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    NotAuthorizedException: sign_in_first,
    PermissionDeniedException: forbidden,
    PermissionDenied: forbidden,
    NotFoundException: not_found,
    NotFound: not_found,
    HTTPException: bad_request,
    InvalidField: invalid_input,
    msgspec.ValidationError: invalid_input,
}
