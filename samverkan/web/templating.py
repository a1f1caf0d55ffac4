"""The Jinja environment: autoescaping on, translations through :mod:`.i18n`, locale filters."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from directory.meetings.feed_tokens import offers_webcal
from directory.records.resources import ALL_RESOURCES
from samverkan.web import embedding, i18n

TEMPLATE_DIR = Path(__file__).parent / "templates"
STALE_AFTER = dt.timedelta(days=365)


def tel_href(number: str) -> str:
    """``tel:`` URI of a Swedish number as written (``070-174 06 05`` → ``tel:0701740605``)."""
    return "tel:" + re.sub(r"[^0-9+]", "", number)


def is_stale(assured: dt.date | None, today: dt.date | None = None) -> bool:
    """Unverified, or last verified more than twelve months ago."""
    if assured is None:
        return True
    return (today or dt.date.today()) - assured > STALE_AFTER


_MARK = re.compile(r"(</?mark>)")
_TAGS = {"<mark>": Markup("<mark>"), "</mark>": Markup("</mark>")}


def marked(highlighted: str) -> Markup:
    """A search highlight as HTML: ``<mark>`` and ``</mark>`` stay tags, everything between is
    escaped again (after undoing the backend's escaping, so ``&amp;`` shows once), so no other
    markup can reach the page even from a backend that forgot to escape."""
    parts = _MARK.split(highlighted)
    return Markup("").join(_TAGS.get(part) or html.unescape(part) for part in parts)


_COLLECTIONS = {spec.name: spec.path for spec in ALL_RESOURCES}


def collection_of(resource: str) -> str:
    """The URL collection of a resource name (``contact`` → ``contacts``)."""
    return _COLLECTIONS[resource]


_PLAN_LISTS = {"measure": "plan/measures", "training": "plan/trainings"}


def hit_path(resource: str, record_id: str) -> str:
    """Where a search hit opens: a record's own page, or a measure's or training's card on its
    plan page (they have no page of their own)."""
    if resource in _PLAN_LISTS:
        return f"{_PLAN_LISTS[resource]}#{resource}-{record_id}"
    return f"{collection_of(resource)}/{record_id}"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    filters: dict[str, Any] = {
        "date_text": i18n.date_text,
        "datetime_text": i18n.datetime_text,
        "time_text": i18n.time_text,
        "weekday_date_text": i18n.weekday_date_text,
        "month_text": i18n.month_text,
        "date_range_text": i18n.date_range_text,
        "weekday_short_text": i18n.weekday_short_text,
        "tel_href": tel_href,
        "marked": marked,
    }
    env.filters.update(filters)
    env.globals.update(
        {
            "is_stale": is_stale,
            "collection_of": collection_of,
            "hit_path": hit_path,
            "current_locale": i18n.current_locale,
            "root": embedding.UrlRoot(),
            "embedded": lambda: embedding.current() is not None,
            "offers_webcal": offers_webcal,
        }
    )
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))
