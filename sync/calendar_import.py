"""Importing a network's external ICS feeds (e.g. a neighbouring municipality's calendar).

Each fetch is a conditional request (If-None-Match / If-Modified-Since, RFC 9110 section 13)
bounded in time and size. A copy is kept only if it parses and expands; a feed that is
malformed, too large, too slow or gone leaves the last good copy in place and records why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import recurring_ical_events
from icalendar import Calendar

from directory.core.errors import N_, InvalidField
from directory.core.settings import get_settings
from directory.core.validation import check_url
from sync.calendar_import_tables import ExternalCalendar

log = logging.getLogger(__name__)
PROBE = (dt.timedelta(days=365), dt.timedelta(days=730))


class ImportFailed(Exception):
    """The feed could not be used; the message says why, for the coordinator to read."""


@dataclass(frozen=True)
class ImportLimits:
    timeout: float
    max_bytes: int
    allow_private: bool = False

    @classmethod
    def from_settings(cls) -> ImportLimits:
        settings = get_settings()
        return cls(
            float(settings.import_timeout_seconds),
            settings.import_max_bytes,
            settings.import_allow_private,
        )


ETAG_LENGTH = 300
LAST_MODIFIED_LENGTH = 100


def check_feed_url(field: str, url: str) -> None:
    """Raises :class:`InvalidField` unless ``url`` is an http(s) URL whose host the fetch can
    use as written: a valid host name (IDNA), or an IP address in its one standard spelling.
    Numeric hosts that resolvers read in other ways (``0177.0.0.1`` is octal for 127.0.0.1,
    ``127.1``, ``0x7f.1``) are refused rather than left to the resolver."""
    check_url(field, url)
    try:
        host = httpx.URL(url).host
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise InvalidField(
            field, N_("%(value)s has no valid host name"), {"value": repr(url)}
        ) from None
    last_label = host.rstrip(".").rsplit(".", 1)[-1]
    if last_label.isdigit() or last_label.lower().startswith("0x") or ":" in host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise InvalidField(
                field, N_("%(value)s has no valid host name"), {"value": repr(url)}
            ) from None
    if not host:
        raise InvalidField(field, N_("%(value)s has no valid host name"), {"value": repr(url)})


def _bounded_header(headers: httpx.Headers, name: str, length: int) -> str:
    """A remote header value to store, or "" when it is longer than its column (a conditional
    request without it is only less efficient)."""
    value = headers.get(name, "")
    return value if len(value) <= length and value.isprintable() else ""


async def _require_public_host(url: str) -> None:
    """Refuse a feed on a loopback, private or link-local address, so a subscription cannot
    make the server fetch from its own network (server-side request forgery)."""
    host = httpx.URL(url).host
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError as error:
        raise ImportFailed(f"the host {host!r} cannot be resolved: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ImportFailed(f"the host {host!r} is on a private network ({address})")


@dataclass(frozen=True)
class ExternalEvent:
    uid: str
    title: str
    starts_at: dt.datetime | dt.date
    ends_at: dt.datetime | dt.date
    location: str


async def _download(row: dict[str, Any], limits: ImportLimits) -> tuple[int, bytes, httpx.Headers]:
    headers = {"Accept": "text/calendar"}
    if row["etag"]:
        headers["If-None-Match"] = row["etag"]
    if row["last_modified_header"]:
        headers["If-Modified-Since"] = row["last_modified_header"]
    if not limits.allow_private:
        await _require_public_host(row["url"])
    timeout = httpx.Timeout(limits.timeout)
    # Redirects are not followed: each hop would need the same address check.
    async with (
        httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client,
        client.stream("GET", row["url"], headers=headers) as response,
    ):
        if response.status_code == 304:
            return 304, b"", response.headers
        if 300 <= response.status_code < 400:
            raise ImportFailed(
                f"the server redirects (HTTP {response.status_code}); "
                "subscribe to the address it redirects to"
            )
        if response.status_code >= 400:
            raise ImportFailed(f"the server answered HTTP {response.status_code}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limits.max_bytes:
                raise ImportFailed(f"the feed is larger than {limits.max_bytes} bytes")
            chunks.append(chunk)
        return response.status_code, b"".join(chunks), response.headers


def parse_feed(body: bytes) -> int:
    """The number of VEVENTs; raises :class:`ImportFailed` unless the feed parses and its
    recurrences expand."""
    try:
        calendar = Calendar.from_ical(body)
        now = dt.datetime.now(dt.UTC)
        recurring_ical_events.of(calendar).between(now - PROBE[0], now + PROBE[1])
    except Exception as error:
        raise ImportFailed(f"the feed is not valid iCalendar: {error}") from None
    if calendar.name != "VCALENDAR":
        raise ImportFailed("the feed is not a VCALENDAR")
    return len(calendar.walk("VEVENT"))


async def refresh(calendar_id: uuid.UUID, limits: ImportLimits | None = None) -> dict[str, Any]:
    """Fetch one feed now; returns the stored row. Never raises for a bad feed."""
    limits = limits or ImportLimits.from_settings()
    row = await ExternalCalendar.select().where(ExternalCalendar.id == calendar_id).first()
    if row is None:
        raise LookupError(calendar_id)
    now = dt.datetime.now(dt.UTC)
    update: dict[Any, Any] = {ExternalCalendar.last_checked_at: now}
    try:
        status, body, headers = await asyncio.wait_for(_download(row, limits), limits.timeout)
        if status != 304:
            update[ExternalCalendar.event_count] = parse_feed(body)
            update[ExternalCalendar.body] = body.decode("utf-8", errors="replace")
            update[ExternalCalendar.etag] = _bounded_header(headers, "etag", ETAG_LENGTH)
            update[ExternalCalendar.last_modified_header] = _bounded_header(
                headers, "last-modified", LAST_MODIFIED_LENGTH
            )
        update[ExternalCalendar.last_good_at] = now
        update[ExternalCalendar.last_error] = ""
    except Exception as error:  # any fault of one feed is that feed's last_error, no more
        message = str(error) or type(error).__name__
        if isinstance(error, TimeoutError | httpx.TimeoutException):
            message = f"the server did not answer within {limits.timeout:g} s"
        elif not isinstance(error, ImportFailed | httpx.HTTPError | UnicodeError):
            message = f"the feed could not be fetched ({type(error).__name__})"
            log.warning("calendar import %s failed", calendar_id, exc_info=True)
        update = {ExternalCalendar.last_checked_at: now, ExternalCalendar.last_error: message}
        log.warning("calendar import %s failed: %s", calendar_id, message)
    await ExternalCalendar.update(update).where(ExternalCalendar.id == calendar_id)
    stored = await ExternalCalendar.select().where(ExternalCalendar.id == calendar_id).first()
    if stored is None:
        raise LookupError(calendar_id)
    return stored


async def refresh_due(limits: ImportLimits | None = None) -> int:
    """Fetch every feed not checked within the import interval; returns how many."""
    interval = dt.timedelta(minutes=get_settings().import_interval_minutes)
    cutoff = dt.datetime.now(dt.UTC) - interval
    due = await ExternalCalendar.select(ExternalCalendar.id).where(
        ExternalCalendar.last_checked_at.is_null() | (ExternalCalendar.last_checked_at < cutoff)
    )
    for item in due:
        try:
            await refresh(item["id"], limits)
        except Exception:  # e.g. the row cannot be written: the next feeds still go
            log.exception("calendar import %s could not be stored", item["id"])
            await _record_failure(item["id"], "the fetched feed could not be stored")
    return len(due)


async def _record_failure(calendar_id: uuid.UUID, message: str) -> None:
    try:
        await ExternalCalendar.update(
            {
                ExternalCalendar.last_checked_at: dt.datetime.now(dt.UTC),
                ExternalCalendar.last_error: message,
            }
        ).where(ExternalCalendar.id == calendar_id)
    except Exception:
        log.exception("calendar import %s: not even the failure could be stored", calendar_id)


async def run_scheduler(poll_seconds: float = 60.0) -> None:
    """Refresh due feeds until cancelled (started with the app)."""
    while True:
        try:
            await refresh_due()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("calendar import round failed")
        await asyncio.sleep(poll_seconds)


def events_between(body: str, start: dt.datetime, end: dt.datetime) -> list[ExternalEvent]:
    """The last good copy's occurrences in ``[start, end)``."""
    if not body:
        return []
    calendar = Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(start, end)
    return [
        ExternalEvent(
            uid=str(event.get("UID", "")),
            title=str(event.get("SUMMARY", "")),
            starts_at=event.start,
            ends_at=event.end,
            location=str(event.get("LOCATION", "")),
        )
        for event in found
    ]
