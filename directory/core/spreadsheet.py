"""CSV cells a spreadsheet opens safely: the one place every CSV the service writes defuses
formulas (OWASP "CSV injection"), and the CSV import undoes it so a round trip keeps values."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What makes Excel, LibreOffice or Google Sheets read a cell as a formula (or, for tab, CR and
LF, move to another cell before one)."""


def _is_defused_form(text: str) -> bool:
    """Leading apostrophes followed by a formula start: the values export marks and import
    unmarks (one apostrophe each), so that the mapping is exact both ways."""
    return text.lstrip("'").startswith(FORMULA_START)


def defuse(value: Any) -> Any:
    """A cell as written to CSV: text that a spreadsheet would run as a formula gets a leading
    apostrophe, which spreadsheets show as text and do not display."""
    if isinstance(value, str) and _is_defused_form(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """A cell read from a CSV that :func:`defuse` wrote: its marking apostrophe dropped."""
    if text.startswith("'") and _is_defused_form(text[1:]):
        return text[1:]
    return text
