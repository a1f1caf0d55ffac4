"""HTTP to a CardDAV/CalDAV server with retries and exponential backoff.

A server that is down (connection refused, timeout, 502/503/504) is retried with growing delays;
when it stays down the caller gets :class:`DavUnavailable` and, since nothing is recorded as
pushed until the server confirmed it, the next run sends whatever was not yet sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

import httpx

RETRY_STATUSES = frozenset({502, 503, 504})


class DavError(Exception):
    """A DAV request failed for a reason other than a precondition; names method and URL."""


class DavUnavailable(DavError):
    """The server could not be reached (or kept answering 502–504) after every retry."""

    def __init__(self, method: str, url: str, attempts: int, reason: str) -> None:
        super().__init__(f"{method} {url}: server unavailable after {attempts} attempts ({reason})")
        self.attempts = attempts


class DavRejected(DavError):
    """The server refused a request (a 4xx or 5xx that retrying will not fix)."""

    def __init__(self, method: str, url: str, status: int) -> None:
        super().__init__(f"{method} {url}: server answered {status}")
        self.status = status


@dataclass(frozen=True)
class Backoff:
    """``attempts`` tries, waiting ``first_delay`` then ``factor`` times longer each time."""

    attempts: int = 6
    first_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 30.0

    def delays(self) -> list[float]:
        return [
            min(self.first_delay * self.factor**n, self.max_delay) for n in range(self.attempts - 1)
        ]


class DavSession:
    """One HTTP client for a push run; counts the requests it sends (for reports and tests)."""

    def __init__(
        self,
        username: str = "",
        password: str = "",
        backoff: Backoff = Backoff(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        auth = httpx.BasicAuth(username, password) if username else None
        self._client = httpx.AsyncClient(auth=auth, timeout=httpx.Timeout(30.0))
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0

    async def __aenter__(self) -> DavSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        content: str | bytes | None = None,
    ) -> httpx.Response:
        """The response, whatever its status, once the server answered something other than
        502–504; raises :class:`DavUnavailable` when every attempt failed."""
        delays = [*self.backoff.delays(), None]
        reason = ""
        for delay in delays:
            self.requests += 1
            try:
                response = await self._client.request(
                    method, url, headers=dict(headers or {}), content=content
                )
            except httpx.TransportError as error:
                reason = type(error).__name__
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                reason = f"HTTP {response.status_code}"
            if delay is not None:
                await self.sleep(delay)
        raise DavUnavailable(method, url, len(delays), reason)
