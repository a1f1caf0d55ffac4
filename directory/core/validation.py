"""Field validators shared by the API and the importer, so both reject the same input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from directory.core.errors import N_, InvalidField

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")


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
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in value:
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
