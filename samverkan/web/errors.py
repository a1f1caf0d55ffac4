"""How failures look in the browser: sign-in redirect, or a calm error page in the UI language.

Exception handlers are called synchronously, outside the web routers' ``before_request`` hook,
so each page sets the locale from the request itself. :data:`BROWSER_ERROR_HANDLERS` serve the
whole app (an unknown address, a wrong method, an unexpected failure): a browser asking for a
page gets the error page, while the API, feeds, ExApp and health endpoints keep their answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.exceptions.responses import create_exception_response
from litestar.response import Template
from litestar.status_codes import (
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from directory.api.exception_handlers import STORAGE_ERRORS, storage_fault_handler
from directory.core.access import ADMIN_ROLES, STAFF_ROLES, WRITER_ROLES, Principal, Role
from directory.core.errors import (
    N_,
    Conflict,
    DirectoryError,
    InvalidField,
    NotFound,
    PermissionDenied,
)
from directory.core.storage import storage_fault
from directory.records.access import NetworkCoordinatorsOnly, OwnCoordinatorRole
from samverkan.web import i18n
from samverkan.web.embedding import redirect
from samverkan.web.messages import error_text, invalid_field

# First path segments of the routes that answer machines (JSON, iCalendar, plain text).
MACHINE_SEGMENTS: Final = frozenset(
    {"api", "schema", "swagger", "feeds", "static", "heartbeat", "init", "enabled"}
    | {"health", "ready", "metrics"}
)


def _error_page(
    request: Request[Any, Any, Any], status_code: int, message: str, detail: str = ""
) -> Template:
    i18n.use_locale_of(request)
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


# Who a page is for, by the roles that may open it (a guard's or the domain's refusal).
PAGE_IS_FOR: Final = {
    ADMIN_ROLES: N_("This page is for administrators."),
    WRITER_ROLES: N_("This page is for coordinators and administrators."),
    STAFF_ROLES: N_("This page is for municipal staff."),
}
FOR_NETWORK_COORDINATORS: Final = N_(
    "This page is for the network's coordinators and administrators."
)
DENIED: Final = N_("You do not have access to this page.")
OWN_ROLE: Final = N_("You cannot remove yourself as a coordinator.")
OWN_ROLE_WHY: Final = N_(
    "Only the network's coordinators and administrators change it, so you could not change it "
    "again. Ask an administrator if you should no longer coordinate it."
)
ROLE_NAMES: Final = {
    Role.ADMIN: N_("Administrator"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.STAFF: N_("Municipal staff"),
    Role.PARTNER: N_("Partner"),
}


def forbidden(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Says who the page is for and which role the user has, so they know whom to ask."""
    i18n.use_locale_of(request)
    if isinstance(error, OwnCoordinatorRole):
        return _error_page(request, 403, OWN_ROLE, i18n.gettext(OWN_ROLE_WHY))
    if isinstance(error, NetworkCoordinatorsOnly):
        return _error_page(request, 403, DENIED, i18n.gettext(FOR_NETWORK_COORDINATORS))
    roles = frozenset(getattr(error, "roles", ()))
    principal = request.scope.get("user")
    reasons = [i18n.gettext(PAGE_IS_FOR[roles])] if roles in PAGE_IS_FOR else []
    if roles and isinstance(principal, Principal):
        role = i18n.gettext(ROLE_NAMES[principal.role])
        reasons.append(i18n.gettext("Your role: %(role)s.") % {"role": role})
    return _error_page(request, 403, DENIED, " ".join(reasons))


def not_found(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return _error_page(request, 404, N_("The page does not exist, or you cannot see it."))


def method_not_allowed(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return _error_page(request, 405, N_("This address cannot be used that way."))


def server_error(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    """Never shows the exception: it is in the log, with the request id."""
    return _error_page(request, 500, N_("Something went wrong on our side. Try again later."))


def bad_request(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    status = error.status_code if isinstance(error, HTTPException) else 400
    return _error_page(request, status, N_("The request could not be handled."))


def conflict(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    detail = error_text(error) if isinstance(error, Conflict) else ""
    return _error_page(request, 409, N_("The change could not be made."), detail)


def invalid_input(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A form the page could not show again with the message in place (e.g. a note)."""
    if isinstance(error, msgspec.ValidationError):
        error = invalid_field(error, "")
    detail = error_text(error) if isinstance(error, InvalidField) else ""
    return _error_page(request, 422, N_("The form could not be saved."), detail)


def storage_unavailable(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A read-only database or a full disk: 503 with the reason, to a browser as a page."""
    reason = storage_fault(error)
    if not wants_page(request):
        return storage_fault_handler(request, error)
    if reason is None:
        return server_error(request, error)
    page = _error_page(
        request, 503, N_("Nothing can be saved right now. Try again later."), i18n.gettext(reason)
    )
    page.headers["Retry-After"] = "60"
    return page


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser navigating to a page of the UI (not an API client, feed reader or AppAPI)."""
    segment = request.url.path.lstrip("/").split("/", 1)[0]
    accepts_html = "text/html" in request.headers.get("accept", "")
    return accepts_html and segment not in MACHINE_SEGMENTS


Handler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def _page_for_browsers(page: Handler) -> Handler:
    def handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
        return (
            page(request, error)
            if wants_page(request)
            else create_exception_response(request, error)
        )

    return handler


BROWSER_ERROR_HANDLERS: dict[type[Exception] | int, Any] = {
    **{error_type: storage_unavailable for error_type in STORAGE_ERRORS},
    HTTP_404_NOT_FOUND: _page_for_browsers(not_found),
    HTTP_405_METHOD_NOT_ALLOWED: _page_for_browsers(method_not_allowed),
    HTTP_500_INTERNAL_SERVER_ERROR: _page_for_browsers(server_error),
}

WEB_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTP_404_NOT_FOUND: not_found,
    HTTP_405_METHOD_NOT_ALLOWED: method_not_allowed,
    HTTP_500_INTERNAL_SERVER_ERROR: server_error,
    NotAuthorizedException: sign_in_first,
    PermissionDeniedException: forbidden,
    PermissionDenied: forbidden,
    NotFoundException: not_found,
    NotFound: not_found,
    HTTPException: bad_request,
    InvalidField: invalid_input,
    msgspec.ValidationError: invalid_input,
    Conflict: conflict,
    DirectoryError: bad_request,
}
