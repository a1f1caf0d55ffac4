"""A real HTTP server on 127.0.0.1 that plays the part of Meilisearch's documented API.

It records every request (method, path, headers, JSON body) for the tests to assert on, keeps
documents per index, answers tasks as succeeded, evaluates the filter subset our adapter sends
(``field = "value"``, ``field IN ["a", "b"]``, with Meilisearch's backslash escapes) and matches
``q`` as a plain substring of the title. ``fail_with`` and ``delay`` simulate outages.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_TOKEN = re.compile(r'\s*(?:(IN|AND)\b|([A-Za-z_]+)|(=)|(\[)|(\])|(,)|"((?:\\.|[^"\\])*)")')


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


def parse_filter(expression: str) -> list[tuple[str, list[str]]]:
    """``[(field, allowed values)]`` for one expression; raises ValueError on anything else."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ValueError(f"invalid filter at {position}: {expression!r}")
        keyword, name, eq, opening, closing, comma, string = match.groups()
        if string is not None:
            tokens.append(("str", re.sub(r"\\(.)", r"\1", string)))
        else:
            tokens.append(("kw", keyword or name or eq or opening or closing or comma))
        position = match.end()
    if len(tokens) == 3 and tokens[1] == ("kw", "=") and tokens[2][0] == "str":
        return [(tokens[0][1], [tokens[2][1]])]
    if len(tokens) >= 4 and tokens[1] == ("kw", "IN") and tokens[2] == ("kw", "["):
        values = [value for kind, value in tokens[3:-1] if kind == "str"]
        return [(tokens[0][1], values)]
    raise ValueError(f"unsupported filter {expression!r}")


def _matches(document: dict[str, Any], conditions: list[tuple[str, list[str]]]) -> bool:
    for name, allowed in conditions:
        value = document.get(name)
        values = value if isinstance(value, list) else [value]
        if not any(item in allowed for item in values):
            return False
    return True


@dataclass
class FakeMeilisearch:
    requests: list[Recorded] = field(default_factory=list)
    indexes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: int | None = None
    delay: float = 0.0
    task_status: str = "succeeded"
    _tasks: int = 0

    def task(self, index_uid: str | None, kind: str) -> tuple[int, dict[str, Any]]:
        self._tasks += 1
        now = dt.datetime.now(dt.UTC).isoformat()
        return 202, {
            "taskUid": self._tasks,
            "indexUid": index_uid,
            "status": "enqueued",
            "type": kind,
            "enqueuedAt": now,
        }

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests if not r.path.startswith("/tasks")]

    def search(self, uid: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            conditions = [
                c for expression in body.get("filter", []) for c in parse_filter(expression)
            ]
        except ValueError as error:
            return 400, {
                "message": str(error),
                "code": "invalid_search_filter",
                "type": "invalid_request",
                "link": "",
            }
        text = (body.get("q") or "").lower()
        found = [
            document
            for document in self.indexes.get(uid, {}).values()
            if _matches(document, conditions) and text in document["title"].lower()
        ]
        facets: dict[str, Counter[str]] = {name: Counter() for name in body.get("facets", [])}
        for document in found:
            for name, counter in facets.items():
                value = document.get(name)
                counter.update(value if isinstance(value, list) else [value] if value else [])
        page = found[body.get("offset", 0) : body.get("offset", 0) + body.get("limit", 20)]
        pre, post = body.get("highlightPreTag", ""), body.get("highlightPostTag", "")
        hits = [
            {**document, "_formatted": {**document, "title": pre + document["title"] + post}}
            for document in page
        ]
        return 200, {
            "hits": hits,
            "query": body.get("q") or "",
            "processingTimeMs": 1,
            "limit": body.get("limit", 20),
            "offset": body.get("offset", 0),
            "estimatedTotalHits": len(found),
            "facetDistribution": {name: dict(counter) for name, counter in facets.items()},
        }

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if parts[0] == "tasks":
            now = dt.datetime.now(dt.UTC).isoformat()
            return 200, {
                "uid": int(parts[1]),
                "status": self.task_status,
                "type": "documentAdditionOrUpdate",
                "enqueuedAt": now,
                "error": None if self.task_status == "succeeded" else {"message": "bad"},
            }
        if parts == ["swap-indexes"]:
            first, second = body[0]["indexes"]
            self.indexes[first], self.indexes[second] = (
                self.indexes.get(second, {}),
                self.indexes.get(first, {}),
            )
            return self.task(None, "indexSwap")
        if parts == ["indexes"] and method == "GET":
            now = dt.datetime.now(dt.UTC).isoformat()
            found = [
                {"uid": uid, "primaryKey": "key", "createdAt": now, "updatedAt": now}
                for uid in self.indexes
            ]
            return 200, {"results": found, "offset": 0, "limit": 1000, "total": len(found)}
        if parts == ["indexes"] and method == "POST":
            self.indexes.setdefault(body["uid"], {})
            return self.task(body["uid"], "indexCreation")
        uid = parts[1]
        rest = parts[2:]
        if not rest and method == "GET":
            if uid not in self.indexes:
                return 404, {
                    "message": f"Index `{uid}` not found.",
                    "code": "index_not_found",
                    "type": "invalid_request",
                    "link": "",
                }
            now = dt.datetime.now(dt.UTC).isoformat()
            return 200, {"uid": uid, "primaryKey": "key", "createdAt": now, "updatedAt": now}
        if not rest and method == "DELETE":
            self.indexes.pop(uid, None)
            return self.task(uid, "indexDeletion")
        if rest == ["settings"]:
            self.settings.setdefault(uid, {}).update(body)
            return self.task(uid, "settingsUpdate")
        if rest == ["settings", "synonyms"]:
            self.settings.setdefault(uid, {})["synonyms"] = body
            return self.task(uid, "settingsUpdate")
        if rest == ["documents"] and method == "POST":
            store = self.indexes.setdefault(uid, {})
            for document in body:
                store[document["key"]] = document
            return self.task(uid, "documentAdditionOrUpdate")
        if rest == ["documents", "delete-batch"]:
            for key in body:
                self.indexes.get(uid, {}).pop(key, None)
            return self.task(uid, "documentDeletion")
        if rest == ["search"]:
            return self.search(uid, body)
        if rest == ["facet-search"]:
            status, found = self.search(uid, {**body, "facets": [body["facetName"]], "limit": 1000})
            if status != 200:
                return status, found
            counts = found["facetDistribution"][body["facetName"]]
            prefix = body.get("facetQuery", "").lower()
            hits = [
                {"value": v, "count": c} for v, c in counts.items() if v.lower().startswith(prefix)
            ]
            return 200, {
                "facetHits": hits,
                "facetQuery": body.get("facetQuery"),
                "processingTimeMs": 1,
            }
        return 404, {
            "message": f"no route {method} {path}",
            "code": "not_found",
            "type": "invalid_request",
            "link": "",
        }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMeilisearch

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        path = self.path.split("?")[0]
        self.fake.requests.append(Recorded(self.command, path, dict(self.headers), body))
        if self.fake.delay:
            time.sleep(self.fake.delay)
        if self.fake.fail_with is not None:
            status, answer = (
                self.fake.fail_with,
                {"message": "down", "code": "internal", "type": "internal", "link": ""},
            )
        else:
            status, answer = self.fake.handle(self.command, path, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return None


class FakeServer:
    """Start with ``with FakeServer() as server:``; ``server.url`` and ``server.fake``.

    ``FakeServer(port, fake)`` starts it again where a stopped one was, with its data, as a
    restarted Meilisearch comes back with its database."""

    def __init__(self, port: int = 0, fake: FakeMeilisearch | None = None) -> None:
        self.fake = fake or FakeMeilisearch()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
