"""Throttling of failed sign-ins: a client that keeps presenting unknown tokens is refused.

Tokens are 256-bit random values, so guessing is hopeless anyway; the limit keeps a guesser from
loading the database and makes scanning visible (429s in the metrics). The counts live in the
database (``token_miss``: one row per client address and minute, incremented by one upsert), so
the limit holds across every web process, not per process. A process reads them only for
addresses it has itself seen miss lately, so ordinary requests cost no extra query; a guesser
spread over N processes gets at most N - 1 misses beyond the limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from directory.accounts.tables import TokenMiss

_MAX_CLIENTS = 10_000
_REMEMBER_SECONDS = 120.0
_UPSERT = (
    "INSERT INTO token_miss (bucket, minute, misses) VALUES ({}, {}, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET misses = token_miss.misses + 1"
)


def _bucket(minute: int, client: str) -> str:
    return f"{minute}|{client}"[:80]


class MissLimiter:
    """At most ``per_minute`` misses per client in this minute and the one before together;
    over it, the client is refused until the minute turns and the count is below it again."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.time) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._missed: dict[str, float] = {}  # address -> when this process last saw it miss

    def _suspect(self, client: str) -> bool:
        seen = self._missed.get(client)
        if seen is None:
            return False
        if self.clock() - seen > _REMEMBER_SECONDS:
            del self._missed[client]
            return False
        return True

    async def _counts(self, client: str) -> tuple[int, int, float]:
        """This minute's misses, the previous minute's, and the seconds left in this minute."""
        now = self.clock()
        minute = math.floor(now / 60)
        rows = await TokenMiss.select(TokenMiss.minute, TokenMiss.misses).where(
            TokenMiss.bucket.is_in([_bucket(minute, client), _bucket(minute - 1, client)])
        )
        counts = {row["minute"]: row["misses"] for row in rows}
        return counts.get(minute, 0), counts.get(minute - 1, 0), (minute + 1) * 60 - now

    async def blocked(self, client: str) -> bool:
        if not self._suspect(client):
            return False
        current, previous, _ = await self._counts(client)
        return current + previous >= self.per_minute

    async def retry_after(self, client: str) -> int:
        """Whole seconds until the client may try again."""
        current, _, remaining = await self._counts(client)
        if current >= self.per_minute:
            remaining += 60  # this minute's misses alone still count against the next one
        return max(1, math.ceil(remaining - 1e-6))

    async def record_miss(self, client: str) -> None:
        now = self.clock()
        minute = math.floor(now / 60)
        await TokenMiss.raw(_UPSERT, _bucket(minute, client), minute)
        await TokenMiss.delete().where(TokenMiss.minute < minute - 1)
        if len(self._missed) >= _MAX_CLIENTS and client not in self._missed:
            self._missed.pop(next(iter(self._missed)))
        self._missed[client] = now
