"""Validation messages in the UI language.

The domain raises :class:`~directory.errors.InvalidField` with an English message id and its
parameters; a page shows :func:`error_text`, the message translated with the request's locale.
msgspec's own messages (lengths, dates) become message ids of the catalogue first.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

import msgspec

from directory.core.errors import N_, Conflict, InvalidField
from samverkan.web import i18n

_PATH: Final = re.compile(r"`\$\.([^`]+)`")
_MISSING: Final = re.compile(r"missing required field `([^`]+)`")
_TOO_LONG: Final = re.compile(r"Expected `(str|array)` of length <= (\d+)")
_KNOWN: Final = (
    ("Invalid RFC3339 encoded date", N_("is not a date (YYYY-MM-DD)")),
    ("Invalid UUID", N_("is not a valid reference")),
    ("matching regex", N_("has characters that are not allowed here")),
)


def error_text(error: InvalidField | Conflict) -> str:
    """The error's message in the active locale, its placeholders filled."""
    translated = i18n.gettext(error.message_id)
    if not error.params:
        return translated
    return translated % {key: _shown(value) for key, value in error.params.items()}


def _shown(value: object) -> object:
    """A date or an instant as the rest of the UI names it (Stockholm time), other values as
    they are."""
    if isinstance(value, dt.datetime):
        return i18n.datetime_text(value)
    if isinstance(value, dt.date):
        return i18n.date_text(value)
    return value


def invalid_field(error: msgspec.ValidationError, default_field: str) -> InvalidField:
    """The field a msgspec error names (``phones[0].number``), with a catalogue message."""
    text = str(error)
    missing = _MISSING.search(text)
    path = _PATH.search(text)
    field = missing.group(1) if missing else path.group(1) if path else default_field
    if missing:
        return InvalidField(field, N_("must not be empty"))
    if too_long := _TOO_LONG.search(text):
        message = (
            N_("at most %(limit)s characters")
            if too_long.group(1) == "str"
            else N_("at most %(limit)s items")
        )
        return InvalidField(field, message, {"limit": int(too_long.group(2))})
    for fragment, message in _KNOWN:
        if fragment in text:
            return InvalidField(field, message)
    return InvalidField(field, N_("is not a valid value"))
