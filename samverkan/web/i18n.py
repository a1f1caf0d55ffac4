"""Translations and locale formatting: catalogues compiled by Babel at start-up, one per request.

The message ids in templates and code are English; ``sv`` is the default locale, and a cookie set
by the language switch selects ``en``. The active locale lives in a context variable that a
``before_request`` hook sets, so templates and controllers translate without passing it around.
"""

from __future__ import annotations

import datetime as dt
import io
from contextvars import ContextVar
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar import Request

LOCALES: Final = ("sv", "en")
DEFAULT_LOCALE: Final = "sv"
LANGUAGE_COOKIE: Final = "samverkan_lang"
# Request state key: a language the user chose elsewhere (Nextcloud), e.g. "sv" or "en_GB".
PREFERRED_LANGUAGE: Final = "preferred_language"
TIMEZONE: Final = ZoneInfo("Europe/Stockholm")
_LOCALE_DIR = Path(__file__).parent / "locale"
_BABEL_LOCALE = {"sv": "sv_SE", "en": "en_GB"}

_current: ContextVar[str] = ContextVar("samverkan_locale", default=DEFAULT_LOCALE)


def _compile(language: str) -> Translations:
    """Read ``messages.po`` and compile it in memory, so no ``.mo`` file is committed."""
    with (_LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        catalog = read_po(stream, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


_TRANSLATIONS: Final = {language: _compile(language) for language in LOCALES}


def locale_from_request(request: Request) -> str:  # type: ignore[type-arg]
    """The language chosen in Samverkan, else the one chosen in Nextcloud, else Swedish."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LOCALES:
        return chosen
    preferred = str(request.scope.get("state", {}).get(PREFERRED_LANGUAGE, ""))
    language = preferred.replace("-", "_").split("_")[0].lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def use_locale_of(request: Request) -> None:  # type: ignore[type-arg]
    _current.set(locale_from_request(request))


async def activate_locale(request: Request) -> None:  # type: ignore[type-arg]
    """``before_request`` hook of the web router."""
    use_locale_of(request)


def current_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return _TRANSLATIONS[_current.get()].gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _TRANSLATIONS[_current.get()].ngettext(singular, plural, count)


def _babel_locale() -> Locale:
    return Locale.parse(_BABEL_LOCALE[_current.get()])


def date_text(value: dt.date | None) -> str:
    """``24 november 2026`` in Swedish, ``24 November 2026`` in English."""
    return format_date(value, format="long", locale=_babel_locale()) if value else ""


def datetime_text(value: dt.datetime | None) -> str:
    """Date and time in Stockholm time, e.g. ``24 nov. 2026 14:30``."""
    if value is None:
        return ""
    return format_datetime(value, "d MMM y HH:mm", tzinfo=TIMEZONE, locale=_babel_locale())


def time_text(value: dt.datetime | None) -> str:
    return format_time(value, "HH:mm", tzinfo=TIMEZONE, locale=_babel_locale()) if value else ""


def weekday_date_text(value: dt.date | dt.datetime | None) -> str:
    """``tisdag 24 november`` for agenda headings."""
    return format_date(value, "EEEE d MMMM", locale=_babel_locale()) if value else ""


def date_range_text(days: tuple[dt.date, dt.date]) -> str:
    """``30 nov.–6 dec. 2026``: a week's heading, the year (and month) said once if shared."""
    return format_interval(days[0], days[1], "yMMMd", locale=_babel_locale())


def month_text(value: dt.date) -> str:
    return format_date(value, "LLLL y", locale=_babel_locale()).capitalize()


def short_month_text(value: dt.date) -> str:
    """``nov.`` / ``Nov``: the label under a month's bar."""
    return format_date(value, "LLL", locale=_babel_locale())


def weekday_short_text(value: dt.date) -> str:
    """``mån`` / ``Mon``: a month grid's column heading."""
    return format_date(value, "EEE", locale=_babel_locale())
