"""The one mapping from domain exceptions to HTTP responses."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import CharacterNotInRepertoireError
from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from directory.core.errors import (
    Conflict,
    DirectoryError,
    InvalidField,
    InvalidFields,
    NotFound,
    PermissionDenied,
    PreconditionRequired,
    VersionMismatch,
)

_STATUS: dict[type[DirectoryError], int] = {
    NotFound: 404,
    InvalidField: 422,
    InvalidFields: 422,
    VersionMismatch: 412,
    PreconditionRequired: 428,
    PermissionDenied: 403,
    Conflict: 409,
}


def _extra(error: DirectoryError) -> list[dict[str, str]] | None:
    if isinstance(error, InvalidField):
        return [{"key": error.field, "message": error.message}]
    if isinstance(error, InvalidFields):
        return [{"key": e.field, "message": e.message} for e in error.errors]
    return None


def directory_error_handler(_: Request[Any, Any, Any], error: DirectoryError) -> Response[Any]:
    status = next(code for cls, code in _STATUS.items() if isinstance(error, cls))
    body: dict[str, Any] = {"status_code": status, "detail": str(error)}
    if (extra := _extra(error)) is not None:
        body["extra"] = extra
    headers = {"ETag": error.current_etag} if isinstance(error, VersionMismatch) else None
    return Response(body, status_code=status, headers=headers)


def unstorable_text_handler(_: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """PostgreSQL refuses text with a NUL character (SQLite stores it): a client error, 400."""
    detail = "text must not contain NUL (\\u0000) characters"
    return Response({"status_code": 400, "detail": detail}, status_code=400)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DirectoryError: directory_error_handler,
    CharacterNotInRepertoireError: unstorable_text_handler,
}
