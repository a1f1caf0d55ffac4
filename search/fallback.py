"""Search straight from the directory tables, for when the search backend is down.

Only a case-insensitive substring match on names, titles and emails, without typos, synonyms or
facets, but it honours visibility exactly as the directory's lists do; the response says
``degraded`` so the caller knows results may be incomplete.
"""

from __future__ import annotations

import functools
import operator
import time
import uuid
from typing import Any

from piccolo.columns.combination import And, Or, Where, WhereRaw

from directory.core.access import Principal, Role
from directory.records.resources import ALL_RESOURCES
from directory.records.service import visibility_filter
from search.backend import Hit, SearchQuery, SearchResult
from search.highlight import highlight
from search.text import fold, query_terms

_SEARCHED = ("name", "alternate_name", "title", "email")


def _principal(query: SearchQuery) -> Principal:
    """The least privileged role that reads exactly ``query.visibilities``."""
    role = Role.STAFF if "internal" in query.visibilities else Role.PARTNER
    return Principal(account_id=uuid.UUID(int=0), username="search", role=role)


def _literal(word: str) -> str:
    """``word`` without LIKE's wildcards, which SQLite cannot escape without an ESCAPE clause."""
    return word.translate(str.maketrans("", "", "%_\\"))


async def database_search(query: SearchQuery) -> SearchResult:
    started = time.perf_counter()
    terms = [word for word in map(_literal, query.text.split()) if word]
    principal = _principal(query)
    hits: list[Hit] = []
    total = 0
    for spec in ALL_RESOURCES:
        if query.types and spec.name not in query.types:
            continue
        table: Any = spec.table
        columns = [name for name in _SEARCHED if name in spec.column_names]
        conditions: list[Where | And | Or | WhereRaw] = [
            table.retired_at.is_null(),
            visibility_filter(spec, principal),
        ]
        for term in terms:
            pattern = f"%{term}%"
            matches = [
                getattr(table, name).ilike(pattern)
                if table._meta.db.engine_type == "postgres"
                else getattr(table, name).like(pattern)
                for name in columns
            ]
            conditions.append(functools.reduce(operator.or_, matches))
        where = functools.reduce(operator.and_, conditions)
        total += await table.count().where(where)
        rows = await table.select().where(where).order_by(table.name).limit(query.limit)
        matched = {fold(term) for term in query_terms(query.text)}
        hits += [
            Hit(
                type=spec.name,
                id=str(row["id"]),
                title=row["name"],
                subtitle=row.get("title", "") or row.get("alternate_name", ""),
                phones=[],
                email=row.get("email", ""),
                highlights={"title": highlight(row["name"], matched.__contains__)},
            )
            for row in rows
        ]
    return SearchResult(
        hits=hits[query.offset : query.offset + query.limit],
        total=total,
        facets={},
        took_ms=(time.perf_counter() - started) * 1000,
        degraded=True,
    )
