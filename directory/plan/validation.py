"""Checks that keep personal data out of the situation picture (the plan's data model holds no
case data): free text that looks like an identity number, a phone number or an email address is
refused, with a message that says which and why."""

from __future__ import annotations

import re

from directory.core.errors import N_, InvalidField

# Personnummer and samordningsnummer: (YY)YYMMDD, an optional - or +, then four digits.
_IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_PHONE = re.compile(r"(?<!\d)(?:\+|0)\d[\d \-]{5,}\d(?!\d)")


def check_no_personal_data(field: str, text: str) -> None:
    """Raises :class:`InvalidField` when ``text`` seems to identify a person."""
    if _IDENTITY_NUMBER.search(text):
        raise InvalidField(
            field,
            N_("looks like a personal identity number: the situation picture never names anyone"),
        )
    if _EMAIL.search(text):
        raise InvalidField(
            field, N_("looks like an email address: the situation picture never names anyone")
        )
    if _PHONE.search(text):
        raise InvalidField(
            field, N_("looks like a phone number: the situation picture never names anyone")
        )
