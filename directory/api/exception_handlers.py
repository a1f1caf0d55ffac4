"""The one mapping from domain exceptions to HTTP responses."""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg
from asyncpg.exceptions import CharacterNotInRepertoireError
from litestar import Request, Response
from litestar.exceptions import InternalServerException
from litestar.exceptions.responses import create_exception_response
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
from directory.core.storage import storage_fault

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


STORAGE_ERRORS = (sqlite3.OperationalError, asyncpg.PostgresError, OSError)
"""Exception types that may be a storage fault (see :func:`storage_fault`)."""


def storage_fault_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """503 with the reason for a read-only database or a full disk (a client may retry); any
    other error of these types stays a plain 500."""
    reason = storage_fault(error)
    if reason is None:
        return create_exception_response(request, InternalServerException())
    detail = f"the service cannot store anything now: {reason}"
    return Response(
        {"status_code": 503, "detail": detail},
        status_code=503,
        headers={"Retry-After": "60"},
    )


def too_deep_handler(request: Request[Any, Any, Any], error: RecursionError) -> Response[Any]:
    """A JSON body nested deeper than the decoder goes is the client's error, 400."""
    if "deserializing" not in str(error):
        return create_exception_response(request, InternalServerException())
    detail = "the JSON body is nested too deeply"
    return Response({"status_code": 400, "detail": detail}, status_code=400)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DirectoryError: directory_error_handler,
    CharacterNotInRepertoireError: unstorable_text_handler,
    RecursionError: too_deep_handler,
    **{error_type: storage_fault_handler for error_type in STORAGE_ERRORS},
}
