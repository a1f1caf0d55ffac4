"""Field validators shared by the API and the importer, so both reject the same input."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from directory.core.errors import N_, InvalidField

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""Every date and time the service takes in lies in ``[EARLIEST, LATEST)``: far enough from the
ends of Python's calendar (years 1 and 9999) that any window, duration or recurrence computed
from it stays representable."""


def check_instant(field: str, value: dt.datetime | dt.date | None) -> None:
    """Raises :class:`InvalidField` for a date or time outside ``[EARLIEST, LATEST)``; a naive
    time is compared as if it were UTC (a day either way does not matter at these ends)."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        inside = EARLIEST <= moment < LATEST
    else:
        inside = EARLIEST.date() <= value < LATEST.date()
    if not inside:
        raise InvalidField(
            field,
            N_("must lie between %(earliest)s and %(latest)s"),
            {"earliest": EARLIEST.date().isoformat(), "latest": LATEST.date().isoformat()},
        )


def clamp_instant(value: dt.datetime) -> dt.datetime:
    """A stored time moved into ``[EARLIEST, LATEST]``, so that a value written before the bounds
    existed (or straight into the table) cannot overflow a computation for every reader."""
    return max(EARLIEST, min(LATEST, value))


def check_email(field: str, value: str) -> None:
    if value and not _EMAIL.match(value):
        raise InvalidField(
            field, N_("%(value)s is not a valid email address"), {"value": repr(value)}
        )


def check_phone(field: str, value: str) -> None:
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.match(value) or digits < 3:
        raise InvalidField(
            field,
            N_("%(value)s is not a phone number (digits, spaces, -, () and a leading +)"),
            {"value": repr(value)},
        )


def check_url(field: str, value: str) -> None:
    if not value:
        return
    parts = urlsplit(value)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.netloc
        or not value.isprintable()
        or " " in value
    ):
        raise InvalidField(field, N_("%(value)s is not an http(s) URL"), {"value": repr(value)})


def check_required(field: str, value: str) -> None:
    if not value.strip():
        raise InvalidField(field, N_("must not be empty"))


def check_code(field: str, value: str, allowed: Iterable[str]) -> None:
    allowed_codes = sorted(allowed)
    if value not in allowed_codes:
        raise InvalidField(
            field,
            N_("unknown value %(value)s; expected one of %(allowed)s"),
            {"value": repr(value), "allowed": ", ".join(allowed_codes)},
        )
