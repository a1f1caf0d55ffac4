"""Health, readiness, JSON logs with request ids, and the Prometheus ``/metrics`` endpoint.

Logs never carry headers, query strings or raw paths: a request is logged by its route template
(``/api/v1/organizations/{id:uuid}``), so bearer tokens and feed tokens in URLs never reach a log.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import shutil
import sys
import time
import uuid
from typing import Any

import httpx
import msgspec
from litestar import Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.types import ASGIApp, Logger, Message, Receive, Scope, Send
from piccolo.query.functions.aggregate import Min

from directory.core.database import engine
from directory.core.errors import N_, DirectoryError
from directory.core.metrics import (
    CONTENT_TYPE,
    HTTP_DURATION,
    HTTP_REQUESTS,
    OUTBOX_BACKLOG,
    scrape,
)
from directory.core.settings import Settings, get_settings
from directory.core.storage import storage_fault
from directory.core.tables import ChangeEvent
from sync.tables import OutboxCursor

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SECRETS = re.compile(r"(?i)(bearer\s+)\S+|\bsv_[A-Za-z0-9_-]{8,}")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_log = logging.getLogger("samverkan.access")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the request id, and tokens masked if a message holds one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": _SECRETS.sub(r"\1[redacted]", record.getMessage()),
        }
        if current := request_id.get():
            entry["request_id"] = current
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = _SECRETS.sub(
                r"\1[redacted]", self.formatException(record.exc_info)
            )
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """Send the root logger to stderr as JSON (or plain text); safe to call more than once."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "samverkan", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.samverkan = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter()
        if settings.log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in QUIET_AT_DEBUG:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))


QUIET_AT_DEBUG = ("aiosqlite", "asyncpg", "piccolo", "httpcore", "hpack")
"""Loggers that at DEBUG write SQL with its parameters (token and password hashes, an erased
person's email) or request headers (API keys): held at INFO whatever the level."""


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _request_state(scope: Scope) -> dict[str, Any]:
    """The request id and start time, kept in the scope so every response can carry them."""
    state: dict[str, Any] = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = _incoming_request_id(scope)
        state["request_started"] = time.perf_counter()
    return state


class RequestContextMiddleware:
    """Makes the request id current for every log line written while the request runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        token = request_id.set(_request_state(scope)["request_id"])
        try:
            await self.app(scope, receive, send)
        finally:
            request_id.reset(token)


async def record_response(message: Message, scope: Scope) -> None:
    """Before a response starts: return the request id, count and time it, write the access log.

    A ``before_send`` hook sees every response, also those made by the exception handlers and
    the 404 of an unknown path, which middleware on the routes never sees.
    """
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    state = _request_state(scope)
    MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = state["request_id"]
    seconds = time.perf_counter() - state["request_started"]
    method = scope.get("method", "")
    route = scope.get("path_template") or "unmatched"
    status = message["status"]
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(method, route).observe(seconds)
    access_log.info(
        "%s %s %s",
        method,
        route,
        status,
        extra={
            "fields": {
                "request_id": state["request_id"],
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
        },
    )


def _client_error(error: BaseException | None) -> bool:
    """A refusal of the request itself (validation, permission, a missing record...)."""
    if isinstance(error, HTTPException):
        return error.status_code < 500
    if isinstance(error, RecursionError):
        return "deserializing" in str(error)
    return isinstance(error, DirectoryError | msgspec.ValidationError)


def log_server_error(logger: Logger, scope: Scope, _: list[str]) -> None:
    """Log unhandled errors with their traceback (by route template). A client error is an
    INFO line with its type only (never the submitted values), a storage fault a WARNING with
    its reason."""
    error = sys.exc_info()[1]
    method, route = scope.get("method", ""), scope.get("path_template") or "unmatched"
    if _client_error(error):
        logger.info("%s %s refused: %s", method, route, type(error).__name__)
        return
    if error is not None and (reason := storage_fault(error)) is not None:
        logger.warning("%s %s: storage fault: %s", method, route, reason)
        return
    logger.error("unhandled error on %s %s", method, route, exc_info=True)


LOGGING_CONFIG = LoggingConfig(
    configure_root_logger=False,
    loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
    log_exceptions="always",
    exception_logging_handler=log_server_error,
)


@get("/health", include_in_schema=False, sync_to_thread=False)
def health() -> dict[str, str]:
    """Liveness: the process answers; says nothing about its dependencies."""
    return {"status": "ok"}


async def _database_status() -> str:
    """ "ok", or why the database cannot take writes: a write that changes nothing (it still
    needs write access on SQLite and PostgreSQL), so a read-only database is not ready."""
    try:
        await engine().run_ddl("SELECT 1")
    except Exception as error:  # any failure to reach the database means "not ready"
        logging.getLogger(__name__).warning("database not reachable: %s", type(error).__name__)
        return "unreachable"
    try:
        await engine().run_ddl("UPDATE taxonomy_term SET position = position WHERE 1 = 0")
    except Exception as error:
        reason = storage_fault(error) or type(error).__name__
        logging.getLogger(__name__).warning("database cannot take writes: %s", reason)
        return reason
    return "ok"


MIN_FREE_BYTES = 1024 * 1024


def _disk_status(settings: Settings) -> str:
    """ "ok", or "the disk is full" when the data folder (SQLite, sessions) has under 1 MiB."""
    try:
        free = shutil.disk_usage(settings.data_dir).free
    except OSError as error:
        return storage_fault(error) or type(error).__name__
    return "ok" if free >= MIN_FREE_BYTES else N_("the disk is full")


async def _search_status(settings: Settings) -> str:
    if settings.search_backend == "embedded":
        return "ok"
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(f"{settings.meili_url}/health")
    except httpx.HTTPError:
        return "unreachable"
    return "ok" if response.status_code == 200 else f"status {response.status_code}"


@get("/ready", include_in_schema=False)
async def ready() -> Response[dict[str, Any]]:
    """Readiness: the database answers and the search backend is up; 503 otherwise."""
    settings = get_settings()
    checks = {
        "database": await _database_status(),
        "disk": _disk_status(settings),
        "search": await _search_status(settings),
    }
    ok = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ok else "unavailable", "search_backend": settings.search_backend}
    return Response({**body, "checks": checks}, status_code=200 if ok else 503)


async def outbox_backlog() -> int:
    """Change events past the slowest consumer's cursor (all events if no consumer has run)."""
    slowest = await OutboxCursor.select(Min(OutboxCursor.last_id).as_alias("slowest")).first()
    last_applied = (slowest or {}).get("slowest") or 0
    return int(await ChangeEvent.count().where(ChangeEvent.id > last_applied))


@get("/metrics", include_in_schema=False)
async def metrics() -> Response[bytes]:
    """Prometheus text format; the outbox backlog is read from the database at scrape time."""
    try:
        OUTBOX_BACKLOG.set(await outbox_backlog())
    except Exception:  # a scrape still reports the other metrics when the database is down
        logging.getLogger(__name__).warning("outbox backlog not readable", exc_info=True)
    return Response(scrape(), media_type=CONTENT_TYPE)


OBSERVABILITY_ROUTES = [health, ready, metrics]
