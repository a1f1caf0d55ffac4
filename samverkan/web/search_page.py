"""The start page: one search box over the directory, facets to narrow it, results as you type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template

from directory.core.access import Principal
from directory.core.errors import N_
from directory.records.resources import NETWORKS
from directory.records.service import visibility_filter
from directory.records.tables import Network
from samverkan.web.my_overview import overview
from samverkan.web.rendering import is_htmx, vocabulary_labels
from samverkan.web.rendering import page as render
from search.api import backend_of
from search.backend import SearchQuery, SearchResult
from search.documents import DOCUMENT_TYPES
from search.service import search_as

Filter = Annotated[str, Parameter(max_length=100)]
PER_PAGE = 50
MAX_QUERY = 200  # a longer one is taken (no bare 400 page) but not searched

FACET_LABELS = {
    "kind": N_("Kind of organisation"),
    "area": N_("Area"),
    "level": N_("Prevention level"),
    "municipality": N_("Municipality"),
    "network": N_("Network"),
}


@dataclass(frozen=True)
class Facet:
    """One filter the user can narrow by: its choices (value, label, count) and the chosen one."""

    name: str
    label: str
    chosen: str
    choices: list[tuple[str, str, int]]


async def _network_names(principal: Principal) -> dict[str, str]:
    rows = await Network.select(Network.id, Network.name).where(
        visibility_filter(NETWORKS, principal)
    )
    return {str(row["id"]): row["name"] for row in rows}


async def _facets(
    principal: Principal,
    result: SearchResult,
    chosen: dict[str, str],
    labels: dict[str, dict[str, str]],
) -> list[Facet]:
    names = {
        "kind": labels.get("kind", {}),
        "area": labels.get("area", {}),
        "level": labels.get("level", {}),
        "network": await _network_names(principal),
    }
    facets = []
    for name, label in FACET_LABELS.items():
        counts = result.facets.get(name, {})
        lookup = names.get(name, {})
        choices = sorted(
            ((value, lookup.get(value, value), count) for value, count in counts.items()),
            key=lambda choice: choice[1].lower(),
        )
        if chosen[name] and chosen[name] not in counts:
            choices.insert(0, (chosen[name], lookup.get(chosen[name], chosen[name]), 0))
        if choices:
            facets.append(Facet(name, label, chosen[name], choices))
    return facets


@get("/", name="start")
async def start(
    request: Request[Principal, Any, Any],
    q: str = "",
    type: Filter = "",
    kind: Filter = "",
    area: Filter = "",
    level: Filter = "",
    municipality: Filter = "",
    network: Filter = "",
    page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
) -> Template:
    """An htmx request (typing, or changing a filter) gets only the results fragment;
    ``?page=`` steps through the results :data:`PER_PAGE` at a time. A query over
    :data:`MAX_QUERY` characters is not searched: the page says so next to the box."""
    chosen = {
        "kind": kind,
        "area": area,
        "level": level,
        "municipality": municipality,
        "network": network,
    }
    too_long = len(q) > MAX_QUERY
    searched = not too_long and bool(q.strip() or any(chosen.values()) or type)
    result = None
    if searched:
        query = SearchQuery(
            text=q,
            visibilities=request.user.readable_visibilities,
            types=(type,) if type in DOCUMENT_TYPES else (),
            kind=kind,
            area=area,
            level=level,
            municipality=municipality,
            network=network,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
        result = await search_as(request.user, backend_of(request.app.state), query)
    labels = await vocabulary_labels()
    facets = await _facets(request.user, result, chosen, labels) if result else []
    template = "_results.html" if is_htmx(request) else "start.html"
    mine = await overview(request.user) if not searched and not too_long else None
    return await render(
        request,
        template,
        q=q,
        type=type,
        result=result,
        facets=facets,
        labels=labels,
        paging=_paging(result, page, request.url.query),
        suggestion=_suggestion(result, request.url.query),
        filtered=bool(type or any(chosen.values())),
        mine=mine,
        fragment=template == "_results.html",
        too_long=too_long,
        max_query=MAX_QUERY,
    )


def _suggestion(result: SearchResult | None, query: str) -> str:
    """The address of "Did you mean …?": the suggested words with the chosen filters kept, from
    the first page."""
    if result is None or not result.suggestion:
        return ""
    kept = [(k, v) for k, v in parse_qsl(query) if k not in {"q", "page", "notice"}]
    return "/?" + urlencode([("q", result.suggestion), *kept])


@dataclass(frozen=True)
class Paging:
    """Where this page of results sits: "51–100 of 230", and the addresses either side."""

    first: int
    last: int
    previous: str
    next: str


def _paging(result: SearchResult | None, number: int, query: str) -> Paging | None:
    if result is None or (result.total <= PER_PAGE and number == 1):
        return None
    kept = [(k, v) for k, v in parse_qsl(query) if k not in {"page", "notice"}]

    def address(n: int) -> str:
        return "/?" + urlencode([*kept, ("page", str(n))])

    first = (number - 1) * PER_PAGE + 1
    last = min(result.total, number * PER_PAGE)
    return Paging(
        first=first,
        last=last,
        previous=address(number - 1) if number > 1 else "",
        next=address(number + 1) if last < result.total else "",
    )
