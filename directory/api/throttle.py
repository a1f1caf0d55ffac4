"""Throttling of failed sign-ins: a client that keeps presenting unknown tokens is refused.

Tokens are 256-bit random values, so guessing is hopeless anyway; the limit keeps a guesser from
loading the database and makes scanning visible (429s in the metrics). Counts are per process.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

_MAX_CLIENTS = 10_000


class MissLimiter:
    """At most ``per_minute`` misses per client in any 60 seconds; over it, the client is blocked
    until its oldest miss is a minute old."""

    def __init__(
        self, per_minute: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._misses: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        misses = self._misses.get(client)
        if misses is None:
            return deque()
        horizon = self.clock() - self.window
        while misses and misses[0] <= horizon:
            misses.popleft()
        if not misses:
            del self._misses[client]
        return misses

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= self.per_minute

    def retry_after(self, client: str) -> int:
        """Whole seconds until the client may try again."""
        misses = self._recent(client)
        return max(1, round(misses[0] + self.window - self.clock())) if misses else 0

    def record_miss(self, client: str) -> None:
        if len(self._misses) >= _MAX_CLIENTS and client not in self._misses:
            for stale in [key for key in self._misses if not self._recent(key)]:
                self._misses.pop(stale, None)
            if len(self._misses) >= _MAX_CLIENTS:
                self._misses.pop(next(iter(self._misses)))
        self._misses.setdefault(client, deque()).append(self.clock())
