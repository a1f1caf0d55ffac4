"""Serve a network calendar of 1,000 meetings (a tenth recurring) from a real uvicorn server on
loopback and time it: cold (just after a change), warm, the 304 path, and requests per second
under concurrency.

Prints progress, then one JSON object on the last line. ``*_ms`` figures are client-observed
over HTTP on loopback; ``*_server_ms`` come from the response's Server-Timing header (the
handler's own time, without uvicorn and HTTP parsing).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

import httpx

from benchmarks.harness import admin_sql, percentile, served

TOPICS = ["lägesbild", "SSPF", "anhörigstöd", "utbildning", "åtgärdsplan", "skolsamverkan"]
PLACES = ["Kommunhuset, sal 3", "Polishuset Tyresö", "Fritidsgården Trollbäcken", ""]


async def build(meetings: int, rng: random.Random) -> tuple[str, uuid.UUID, Any]:
    """Create the network, its coordinator and the meetings through the services."""
    from directory.core.access import Principal, Role
    from directory.core.database import migrate
    from directory.meetings.feed_tokens import FeedTokenService
    from directory.meetings.schemas import FeedTokenIn, MeetingIn
    from directory.meetings.service import MeetingService
    from directory.records.tables import Network

    await migrate()
    network_id = uuid.uuid4()
    await Network.insert(Network(id=network_id, name="SSPF Tyresö", municipality="Tyresö"))
    admin = Principal(uuid.uuid4(), "benchmark", Role.ADMIN)
    service = MeetingService(admin)
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_id: uuid.UUID | None = None
    for n in range(meetings):
        day = today + dt.timedelta(days=rng.randint(-80, 500))
        start = day.replace(tzinfo=None) + dt.timedelta(hours=rng.choice([8, 9, 10, 13, 14]))
        recurring = n % 10 == 0
        rule = rng.choice(["FREQ=WEEKLY;COUNT=20", "FREQ=MONTHLY;BYDAY=2TU;COUNT=12"])
        created = await service.create(
            MeetingIn(
                network_id=network_id,
                title=f"Nätverksmöte {n}: {rng.choice(TOPICS)}",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=rng.choice([60, 90, 120])),
                location=rng.choice(PLACES),
                online_url=f"https://meet.example.se/{n}",
                agenda="Lägesbild, erfarenhetsutbyte och uppföljning",
                levels=rng.sample(["general", "selective", "indicated"], 1),
                topics=rng.sample(TOPICS, 2),
                rrule=rule if recurring else "",
            )
        )
        first_id = first_id or created.id
        if n and n % 200 == 0:
            print(f"created {n} meetings", file=sys.stderr)
    token = await FeedTokenService(admin).create(
        FeedTokenIn(scope="network", subject_id=network_id, detail="partner")
    )
    assert first_id is not None
    return token.https_url.rsplit("/feeds/", 1)[1], first_id, admin


async def touch(meeting_id: uuid.UUID, admin: Any, n: int) -> None:
    """A real write (a changed title), so the next request must render the feed again."""
    from directory.meetings.schemas import MeetingPatch
    from directory.meetings.service import MeetingService

    service = MeetingService(admin)
    current = await service.get(meeting_id)
    await service.update(meeting_id, MeetingPatch(title=f"Ändrat {n}"), f'"{current.sequence}"')


def server_ms(response: httpx.Response) -> float:
    return float(response.headers["server-timing"].split("dur=")[1])


def summary(name: str, client: list[float], server: list[float]) -> dict[str, float]:
    return {
        f"{name}_median_ms": round(statistics.median(client), 2),
        f"{name}_p95_ms": round(percentile(client, 0.95), 2),
        f"{name}_server_median_ms": round(statistics.median(server), 2),
        f"{name}_server_p95_ms": round(percentile(server, 0.95), 2),
    }


def timed(
    client: httpx.Client, path: str, headers: dict[str, str], status: int
) -> tuple[float, float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == status, response.status_code
    return elapsed, server_ms(response), response


async def throughput(
    base: str, path: str, headers: dict[str, str], workers: int, seconds: float
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            response = await client.get(path, headers=headers)
            response.raise_for_status() if response.status_code != 304 else None
            done += 1

    limits = httpx.Limits(max_connections=workers)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(workers)))
        return round(done / (time.perf_counter() - started), 1)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(11)
    started = time.perf_counter()
    token, first_id, admin = asyncio.run(build(args.meetings, rng))
    print(
        f"built {args.meetings} meetings in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    path = f"/feeds/{token}"
    with served(env={"DATABASE_POOL_SIZE": "10"}) as base:
        figures: dict[str, Any] = {}
        with httpx.Client(base_url=base) as client:
            cold_client, cold_server = [], []
            for n in range(args.cold):
                asyncio.run(touch(first_id, admin, n))
                elapsed, server_side, response = timed(client, path, {}, 200)
                cold_client.append(elapsed)
                cold_server.append(server_side)
            body = response.content
            figures["feed_bytes"] = len(body)
            figures["vevents"] = body.count(b"BEGIN:VEVENT")
            figures.update(summary("cold", cold_client, cold_server))
            warm = [timed(client, path, {}, 200)[:2] for _ in range(args.requests)]
            figures.update(summary("warm", [w[0] for w in warm], [w[1] for w in warm]))
            etag = {"If-None-Match": response.headers["etag"]}
            hits = [timed(client, path, etag, 304)[:2] for _ in range(args.requests)]
            figures.update(summary("not_modified", [h[0] for h in hits], [h[1] for h in hits]))
        figures["warm_requests_per_second"] = asyncio.run(
            throughput(base, path, {}, args.concurrency, args.seconds)
        )
        figures["not_modified_requests_per_second"] = asyncio.run(
            throughput(base, path, etag, args.concurrency, args.seconds)
        )
    return {
        "database": "postgresql" if args.postgres else "sqlite",
        "meetings": args.meetings,
        "concurrency": args.concurrency,
        **figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--postgres",
        default="",
        metavar="URL",
        help="a PostgreSQL server URL; a fresh database is created and dropped",
    )
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="samverkan-bench-")
    os.environ["SAMVERKAN_DATA_DIR"] = data_dir
    os.environ["DATABASE_POOL_SIZE"] = "0"
    database = f"samverkan_bench_feeds_{os.getpid()}"
    if args.postgres:
        asyncio.run(admin_sql(args.postgres, f'CREATE DATABASE "{database}"'))
        os.environ["DATABASE_URL"] = args.postgres.rsplit("/", 1)[0] + f"/{database}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite"
    try:
        figures = measure(args)
    finally:
        if args.postgres:
            asyncio.run(admin_sql(args.postgres, f'DROP DATABASE "{database}" WITH (FORCE)'))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
