"""Domain exceptions; each carries the facts of the failure and is mapped to HTTP in one place."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark an English message id for the UI catalogue's extraction; the web layer translates it
    (the JSON API and the command line report it in English)."""
    return message


def english(message_id: str, params: Mapping[str, object]) -> str:
    """A message id with its ``%(name)s`` placeholders filled; a date or an instant as ISO 8601
    (the UI names them in its own language and time zone)."""
    if not params:
        return message_id
    return message_id % {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in params.items()
    }


class DirectoryError(Exception):
    """Base class of every failure the directory reports to a caller."""


@dataclass
class NotFound(DirectoryError):
    resource: str
    resource_id: str

    def __str__(self) -> str:
        return f"{self.resource} {self.resource_id} not found"


@dataclass
class InvalidField(DirectoryError):
    """A value was rejected; ``field`` is the name the caller sent it under, ``message_id`` a
    stable English message (marked with :func:`N_`) whose placeholders ``params`` fills."""

    field: str
    message_id: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return english(self.message_id, self.params)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class InvalidFields(DirectoryError):
    """Several rejected values at once, e.g. all bad rows of an import."""

    errors: list[InvalidField]

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)


def problems_of(error: InvalidField | InvalidFields) -> list[InvalidField]:
    """The single rejected values an error stands for."""
    return error.errors if isinstance(error, InvalidFields) else [error]


@dataclass
class VersionMismatch(DirectoryError):
    """If-Match named another version than the stored one: someone else wrote in between."""

    current_etag: str

    def __str__(self) -> str:
        return f"the record has changed since it was read (current ETag {self.current_etag})"


class PreconditionRequired(DirectoryError):
    def __str__(self) -> str:
        return "a write to an existing record needs an If-Match header with its ETag"


@dataclass
class PermissionDenied(DirectoryError):
    """``roles`` (role values) are those that may, when a role is what is missing."""

    message: str
    roles: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.message


@dataclass
class Conflict(DirectoryError):
    """The request is valid but clashes with the current state; ``message_id`` and ``params`` as
    for :class:`InvalidField`."""

    message_id: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return english(self.message_id, self.params)

    def __str__(self) -> str:
        return self.message
