"""Throttling of failed sign-ins: unknown tokens per client address, and wrong passwords per
account name and per address.

Tokens are 256-bit random values, so guessing is hopeless anyway; the limit keeps a guesser from
loading the database and makes scanning visible (429s in the metrics). The counts live in the
database (``token_miss``: one row per client address and minute, incremented by one upsert), so
the limit holds across every web process, not per process. A process reads them only for
addresses it has itself seen miss lately, so ordinary requests cost no extra query; a guesser
spread over N processes gets at most N - 1 misses beyond the limit.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable

from directory.accounts.tables import SignInFailure, TokenMiss

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


_FREE_FAILURES = {"account": 5, "address": 20}  # then each further failure doubles the wait
_FIRST_WAIT = dt.timedelta(seconds=15)
_LONGEST_WAIT = dt.timedelta(minutes=15)
_FORGET_AFTER = dt.timedelta(hours=1)


def _wait_after(kind: str, failures: int) -> dt.timedelta:
    """No wait for the first few failures, then 15 s, 30 s, 60 s … up to 15 minutes, so a
    guesser gets a few dozen tries an hour and the rightful user is kept out for minutes only."""
    over = failures - _FREE_FAILURES[kind]
    if over <= 0:
        return dt.timedelta(0)
    wait: dt.timedelta = min(_FIRST_WAIT * 2 ** min(over - 1, 16), _LONGEST_WAIT)
    return wait


def _keys(username: str, address: str) -> dict[str, str]:
    return {"account": f"account|{username.casefold()}"[:300], "address": f"address|{address}"}


class SignInThrottle:
    """Failed sign-ins counted per account name and per client address in the database (so the
    limit holds across every web process); past a few failures each one makes the next try
    wait longer. A success clears the account's count; an hour without failures, both."""

    def __init__(self, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)):
        self.clock = clock

    async def wait(self, username: str, address: str) -> int:
        """Whole seconds until this name may try again from this address (0: now)."""
        now = self.clock()
        rows = await SignInFailure.select(SignInFailure.blocked_until).where(
            SignInFailure.key.is_in(list(_keys(username, address).values()))
        )
        until = max((row["blocked_until"] for row in rows if row["blocked_until"]), default=now)
        return max(0, math.ceil((until - now).total_seconds()))

    async def failed(self, username: str, address: str) -> int:
        """Count a failure; returns the seconds the next try must wait."""
        now = self.clock()
        for kind, key in _keys(username, address).items():
            row = await SignInFailure.select().where(SignInFailure.key == key).first()
            stale = row is None or now - row["last_failure_at"] > _FORGET_AFTER
            failures = 1 if stale or row is None else row["failures"] + 1
            if row is None:
                await SignInFailure.insert(SignInFailure(key=key)).on_conflict(
                    target=SignInFailure.key, action="DO NOTHING"
                )
            await SignInFailure.update(
                {
                    SignInFailure.failures: failures,
                    SignInFailure.last_failure_at: now,
                    SignInFailure.blocked_until: now + _wait_after(kind, failures),
                }
            ).where(SignInFailure.key == key)
        await SignInFailure.delete().where(SignInFailure.last_failure_at < now - _FORGET_AFTER)
        return await self.wait(username, address)

    async def succeeded(self, username: str) -> None:
        await SignInFailure.delete().where(SignInFailure.key == _keys(username, "")["account"])
