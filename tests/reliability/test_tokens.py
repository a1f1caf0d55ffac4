"""Unknown tokens are rate-limited per client address without refusing a valid one, and a
guess's timing reveals nothing."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from directory.accounts.service import create_service_token, principal_for_token
from directory.accounts.tables import TokenMiss
from directory.accounts.throttle import MissLimiter
from directory.core.settings import get_settings
from samverkan.app import create_app
from tests.conftest import run_async

LIMIT = 5


@pytest.fixture
def strict_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:  # type: ignore[type-arg]
    monkeypatch.setenv("SAMVERKAN_TOKEN_MISSES_PER_MINUTE", str(LIMIT))
    get_settings.cache_clear()
    with TestClient(app=create_app()) as client:
        yield client
    monkeypatch.undo()
    get_settings.cache_clear()


def test_token_misses_get_429_after_the_limit(
    strict_client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    for attempt in range(LIMIT):
        guess = {"Authorization": f"Bearer sv_guess{attempt:040d}"}
        assert strict_client.get("/api/v1/me", headers=guess).status_code == 401
    refused = strict_client.get("/api/v1/me", headers={"Authorization": "Bearer sv_another"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 120  # the minute turns, maybe twice
    # a valid token from the same address still works: behind a proxy every subscriber shares
    # one address, and a guesser there must not lock the others out
    assert strict_client.get("/api/v1/me", headers=auth["staff"]).status_code == 200
    assert strict_client.get("/api/v1/me", headers={"Authorization": "Bearer x"}).status_code == 429


def test_the_limit_holds_across_app_instances_sharing_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two app instances (as two uvicorn workers are) count the same client's misses together."""
    monkeypatch.setenv("SAMVERKAN_TOKEN_MISSES_PER_MINUTE", str(LIMIT))
    get_settings.cache_clear()
    try:
        with TestClient(app=create_app()) as first, TestClient(app=create_app()) as second:
            statuses = [
                (first, second)[attempt % 2]
                .get("/api/v1/me", headers={"Authorization": f"Bearer sv_guess{attempt:040d}"})
                .status_code
                for attempt in range(4 * LIMIT)
            ]
    finally:
        get_settings.cache_clear()
    assert set(statuses) == {401, 429}
    # per process each would allow LIMIT; together at most one unchecked miss more
    assert statuses.count(401) <= LIMIT + 1, statuses
    assert statuses[-2:] == [429, 429], "both instances refuse the client"


def test_requests_without_a_token_are_not_misses(
    strict_client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    for _ in range(LIMIT * 2):
        assert strict_client.get("/api/v1/me").status_code == 401
    assert strict_client.get("/api/v1/me", headers=auth["partner"]).status_code == 200


def test_a_near_miss_takes_as_long_as_a_wild_guess() -> None:
    """The lookup is by SHA-256 of the token: a guess sharing a long prefix with a real token is
    not measurably faster or slower than a random one (medians of interleaved samples)."""
    token = run_async(create_service_token("staff"))
    near = token[:-1] + ("A" if token[-1] != "A" else "B")
    wild = "sv_" + "x" * (len(token) - 3)

    async def sample(guess: str) -> float:
        started = time.perf_counter()
        assert await principal_for_token(guess) is None
        return time.perf_counter() - started

    async def measure() -> tuple[list[float], list[float]]:
        near_times, wild_times = [], []
        for _ in range(150):
            near_times.append(await sample(near))
            wild_times.append(await sample(wild))
        return near_times, wild_times

    near_times, wild_times = asyncio.run(measure())
    ratio = statistics.median(near_times) / statistics.median(wild_times)
    assert 0.67 < ratio < 1.5


def test_misses_count_per_address_and_expire_after_a_minute() -> None:
    now = [1200.0]
    limiter = MissLimiter(per_minute=2, clock=lambda: now[0])
    run_async(limiter.record_miss("10.0.0.1"))
    now[0] += 30
    run_async(limiter.record_miss("10.0.0.1"))
    assert run_async(limiter.blocked("10.0.0.1"))
    assert not run_async(limiter.blocked("10.0.0.2"))
    assert run_async(limiter.retry_after("10.0.0.1")) == 90
    now[0] += 60  # the misses still count in the next minute
    assert run_async(limiter.blocked("10.0.0.1"))
    now[0] += 30.5
    assert not run_async(limiter.blocked("10.0.0.1"))
    run_async(limiter.record_miss("10.0.0.1"))
    assert run_async(TokenMiss.count()) == 1, "rows older than the previous minute are pruned"


def test_the_miss_limit_is_shared_by_every_process() -> None:
    """A guesser spreading its tries over several processes gets no more tries in total."""
    now = [1200.0]
    processes = [MissLimiter(per_minute=4, clock=lambda: now[0]) for _ in range(3)]
    refused = []
    for attempt in range(12):
        limiter = processes[attempt % 3]
        if run_async(limiter.blocked("10.0.0.9")):
            refused.append(attempt)
        else:
            run_async(limiter.record_miss("10.0.0.9"))
    assert len(refused) >= 12 - 4 - 2, refused  # at most one unchecked miss per other process
