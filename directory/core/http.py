"""Request and parameter types that every domain package's controllers share.

Litestar converts query values leniently (``msgspec.convert(..., strict=False)`` in its signature
model), so a ``datetime`` query parameter would take ``0.5`` as a Unix time although the schema
says ``date-time``. :data:`MomentQuery` takes the text and :func:`parse_moment` reads it strictly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import HeaderParameter, Parameter

from directory.core.access import Principal
from directory.core.errors import N_, InvalidField
from directory.core.validation import check_instant

PrincipalRequest = Request[Principal, Any, Any]

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False)]
"""The ETag a change was based on; the services answer 428 without it and 412 when it is old."""

MomentQuery = Annotated[
    str | None,
    Parameter(schema_extra={"format": "date-time"}, description="an RFC 3339 date-time"),
]


def parse_moment(field: str, raw: str | None) -> dt.datetime | None:
    """A :data:`MomentQuery` value as a date-time inside the service's bounds, or 422."""
    if raw is None:
        return None
    try:
        moment = msgspec.convert(raw, dt.datetime)
    except msgspec.ValidationError:
        raise InvalidField(
            field, N_("must be a date and time such as 2026-03-01T09:00:00Z")
        ) from None
    check_instant(field, moment)
    return moment


@dataclass
class JsonOrCsv(Operation):
    """The OpenAPI operation of a report that answers JSON, or CSV with ``format=csv``: its 200
    answer lists both media types (pass as a handler's ``operation_class``)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content["text/csv"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
