"""Building a page: the template plus what every page needs (who is signed in, labels)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from directory.core.access import Principal
from directory.core.tables import TaxonomyTerm
from samverkan.web import i18n
from samverkan.web.notices import notice_of

Labels = dict[str, dict[str, str]]


async def vocabulary_labels() -> Labels:
    """``{taxonomy: {code: label}}`` in the active language, in the taxonomy's order."""
    column = "label_en" if i18n.current_locale() == "en" else "label_sv"
    labels: Labels = {}
    rows = (
        await TaxonomyTerm.select().order_by(TaxonomyTerm.taxonomy).order_by(TaxonomyTerm.position)
    )
    for row in rows:
        labels.setdefault(row["taxonomy"], {})[row["code"]] = row[column]
    return labels


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx request wants only the fragment it swaps in (and not a history restore)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


async def page(
    request: Request[Principal, Any, Any],
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    principal = request.user if isinstance(request.scope.get("user"), Principal) else None
    return Template(
        template,
        context={
            "principal": principal,
            "labels": await vocabulary_labels(),
            "path": request.url.path,
            "query_string": request.url.query,
            "notice": notice_of(request.query_params.get("notice")),
            **context,
        },
        status_code=status_code,
    )
