"""``GET /feeds/{token}.ics``: calendar feeds at secret URLs, outside the bearer-token API.

Calendar clients poll, so the route answers conditional requests (RFC 9110 section 13):
If-None-Match is compared with a strong ETag (the SHA-256 of the bytes) and wins over
If-Modified-Since; the body is never compressed, as some clients break on it. Unknown tokens are
rate-limited per client address so the token space cannot be searched.
"""

from __future__ import annotations

import collections
import datetime as dt
import time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException, TooManyRequestsException
from litestar.params import HeaderParameter

from directory.feed_tokens import resolve_feed_token
from sync.feed_cache import FeedCache, RenderedFeed

MEDIA_TYPE = "text/calendar"  # Litestar appends "; charset=utf-8"
MISS_LIMIT = 20
MISS_WINDOW = 60.0


class MissLimiter:
    """At most ``MISS_LIMIT`` unknown tokens per client address in ``MISS_WINDOW`` seconds."""

    def __init__(self) -> None:
        self._misses: dict[str, collections.deque[float]] = {}

    def blocked(self, client: str) -> bool:
        misses = self._misses.get(client)
        if not misses:
            return False
        while misses and time.monotonic() - misses[0] > MISS_WINDOW:
            misses.popleft()
        return len(misses) >= MISS_LIMIT

    def record(self, client: str) -> None:
        self._misses.setdefault(client, collections.deque()).append(time.monotonic())


def _not_modified(
    feed: RenderedFeed, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    if if_none_match is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return feed.latest_change <= since


def _headers(feed: RenderedFeed) -> dict[str, str]:
    headers = {
        "ETag": feed.etag,
        "Cache-Control": "private, no-cache",
        "Content-Disposition": 'inline; filename="samverkan.ics"',
    }
    # A Last-Modified still in the future could hide a change made before that second ends.
    if feed.last_modified <= dt.datetime.now(dt.UTC):
        headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
    return headers


def feeds_router() -> Router:
    cache = FeedCache()
    limiter = MissLimiter()

    @get(
        "/feeds/{filename:str}",
        operation_id="calendar_feed",
        summary="A calendar feed (iCalendar) at its secret URL",
        tags=["feeds"],
        security=[],
    )
    async def calendar_feed(
        request: Request[Any, Any, Any],
        filename: str,
        if_none_match: Annotated[
            str | None, HeaderParameter(name="If-None-Match", required=False)
        ] = None,
        if_modified_since: Annotated[
            str | None, HeaderParameter(name="If-Modified-Since", required=False)
        ] = None,
    ) -> Response[bytes]:
        client = request.client.host if request.client else "unknown"
        if limiter.blocked(client):
            raise TooManyRequestsException(
                "too many unknown feed tokens", headers={"Retry-After": "60"}
            )
        token = filename.removesuffix(".ics")
        feed = await resolve_feed_token(token) if filename.endswith(".ics") else None
        if feed is None:
            limiter.record(client)
            raise NotFoundException("no such feed")
        rendered = await cache.get(feed)
        headers = _headers(rendered)
        if _not_modified(rendered, if_none_match, if_modified_since):
            return Response(b"", status_code=304, headers=headers)
        return Response(rendered.body, media_type=MEDIA_TYPE, headers=headers)

    return Router(path="/", route_handlers=[calendar_feed])
