"""``GET /feeds/{token}.ics``: calendar feeds at secret URLs, outside the bearer-token API.

Calendar clients poll, so the route answers conditional requests (RFC 9110 section 13):
If-None-Match is compared weakly with a strong ETag (the SHA-256 of the bytes) and wins over
If-Modified-Since; the body is never compressed, as some clients break on it. Unknown tokens are
rate-limited per client address so the token space cannot be searched.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from litestar import HttpMethod, Request, Response, Router, route
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import ClientException, NotFoundException, TooManyRequestsException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_410_GONE

from directory.accounts.throttle import MissLimiter
from directory.core.settings import get_settings
from directory.meetings.feed_tokens import was_revoked
from sync.feed_cache import FeedCache, RenderedFeed

MEDIA_TYPE = "text/calendar"  # Litestar appends "; charset=utf-8"
_FEED_PATH = re.compile(r"/feeds/[^/?\s]+")


class RedactFeedTokens(logging.Filter):
    """Keeps feed tokens out of access logs: uvicorn logs the request path, and in a feed URL
    the path is the secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _FEED_PATH.sub("/feeds/<token>.ics", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def hide_tokens_in_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactFeedTokens) for f in access.filters):
        access.addFilter(RedactFeedTokens())


def _not_modified(
    feed: RenderedFeed, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    if if_none_match is not None:
        # RFC 9110 section 13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x".
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
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


def _feed_operation_id(_handler: object, method: str, _path: object) -> str:
    """One OpenAPI operation id per method of the feed route (GET and HEAD share a handler)."""
    return f"calendar_feed_{HttpMethod(method).value.lower()}"


def feeds_router(cache: FeedCache) -> Router:
    """The feed route over ``cache``; the app closes ``cache`` on shutdown."""
    hide_tokens_in_access_log()
    limiter = MissLimiter(get_settings().token_misses_per_minute)

    @route(
        "/feeds/{filename:str}",
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        operation_id=_feed_operation_id,
        summary="A calendar feed (iCalendar) at its secret URL",
        tags=["feeds"],
        security=[],
        raises=[NotFoundException, TooManyRequestsException],
        responses={
            200: ResponseSpec(bytes, description="The feed", media_type=MEDIA_TYPE),
            304: ResponseSpec(None, description="Unchanged since If-None-Match/If-Modified-Since"),
            410: ResponseSpec(None, description="The feed's token was revoked"),
        },
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
        started = time.perf_counter()
        client = request.client.host if request.client else "unknown"
        token = filename.removesuffix(".ics")
        feed, version = await cache.resolve(token) if filename.endswith(".ics") else (None, None)
        if feed is None or version is None:
            if filename.endswith(".ics") and await was_revoked(token):
                # 410 tells calendar clients to stop polling (RFC 9110, section 15.5.11).
                raise ClientException("this feed was revoked", status_code=HTTP_410_GONE)
            # Misses are counted and, past the limit, refused; a valid token always passes.
            blocked = await limiter.blocked(client)
            await limiter.record_miss(client)
            if blocked:
                raise TooManyRequestsException(
                    "too many unknown feed tokens",
                    headers={"Retry-After": str(await limiter.retry_after(client))},
                )
            raise NotFoundException("no such feed")
        rendered = await cache.get(feed, version)
        headers = _headers(rendered)
        headers["Server-Timing"] = f"feed;dur={(time.perf_counter() - started) * 1000:.2f}"
        save = BackgroundTask(cache.save) if cache.unsaved else None
        if _not_modified(rendered, if_none_match, if_modified_since):
            return Response(b"", status_code=304, headers=headers, background=save)
        return Response(rendered.body, media_type=MEDIA_TYPE, headers=headers, background=save)

    return Router(path="/", route_handlers=[calendar_feed])
