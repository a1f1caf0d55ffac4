"""Wire types every domain shares: bounded scalars, pages, the vocabulary and the audit log.

``*In`` structs are what a client sends to create a record; the record structs add the fields
the server owns. Partial updates use :func:`patch_of`, which makes every field optional.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct

from directory.core.errors import InvalidField

SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$(?!\n)"
"""No control character (CR, LF, tab, NUL ...): a name, code, address or URL is one line, and a
line break in one would end up raw in a feed or a vCard. (``(?!\n)`` because Python's ``$`` also
matches before a final newline.)"""


def line(length: int) -> Meta:
    """A single-line text of at most ``length`` characters."""
    return Meta(max_length=length, pattern=SINGLE_LINE)


Name = Annotated[str, line(300)]
Short = Annotated[str, line(100)]
LongText = Annotated[str, Meta(max_length=20_000)]
Email = Annotated[str, line(254)]
Url = Annotated[str, line(500)]
Code = Annotated[str, line(60)]
Codes = Annotated[list[Code], Meta(max_length=50)]


def as_builtins(value: Any) -> Any:
    """Builtins for storage: dates, datetimes and UUIDs stay objects, as the database wants."""
    return msgspec.to_builtins(value, builtin_types=(dt.datetime, dt.date, UUID))


def provided_fields(patch: Struct) -> dict[str, Any]:
    """The fields a PATCH body actually set, as builtins."""
    return {
        name: as_builtins(value)
        for name in patch.__struct_fields__
        if (value := getattr(patch, name)) is not UNSET
    }


T = TypeVar("T")


class Page(Struct, Generic[T], kw_only=True):
    """A page of results in the HSDS 3 API shape."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[T]


class TaxonomyTermIn(Struct, kw_only=True):
    taxonomy: Code
    code: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,59}$(?!\n)")]
    label_sv: Name
    label_en: Name
    position: Annotated[int, Meta(ge=-(2**31), le=2**31 - 1)] = 0  # the column's integer range


class TaxonomyTermOut(TaxonomyTermIn, kw_only=True):
    id: UUID


class AuditEntryOut(Struct, kw_only=True):
    id: int
    at: dt.datetime
    actor: str
    action: str
    resource_type: str
    resource_id: UUID
    previous: dict[str, Any]
    current: dict[str, Any]


def rejected(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec's message of ``error`` and the path of the value it refused (``phones[0].number``;
    empty for the whole value)."""
    message, _, path = str(error).partition(" - at `$")
    return message, path.rstrip("`").lstrip(".")


def convert_row(values: dict[str, Any], struct: type[T], whole: str) -> T:
    """An imported row as ``struct``, its text converted to numbers and dates as needed, or
    :class:`InvalidField` naming the column (``whole`` when the row as a whole is wrong)."""
    try:
        return msgspec.convert(values, struct, strict=False)
    except msgspec.ValidationError as error:
        message, path = rejected(error)
        raise InvalidField(path or whole, message) from None
