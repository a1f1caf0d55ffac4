"""Swedish public holidays and the eves that are days off in practice (julafton, midsommarafton,
nyårsafton), from the maintained ``holidays`` package, so scheduling and calendars can warn
about them."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

#: ``public`` are the statutory holidays; ``de_facto`` adds the eves most workplaces close on.
CATEGORIES = ("public", "de_facto")


@lru_cache(maxsize=64)
def _year(year: int, language: str) -> dict[dt.date, str]:
    days = holidays.country_holidays(
        "SE", years=year, language=language, categories=CATEGORIES, include_sundays=False
    )
    return dict(days.items())


def holidays_between(first: dt.date, last: dt.date, language: str = "sv") -> dict[dt.date, str]:
    """``{date: name}`` of the holidays from ``first`` to ``last`` inclusive; ``language`` is
    ``"sv"`` or ``"en_US"``."""
    found: dict[dt.date, str] = {}
    for year in range(first.year, last.year + 1):
        found.update(
            (day, name) for day, name in _year(year, language).items() if first <= day <= last
        )
    return dict(sorted(found.items()))
