"""Serve a network calendar of 1,000 meetings (a tenth recurring) from a real uvicorn server on
loopback and time it: cold (just after a change), warm, the 304 path, a poll after an unrelated
write, and requests per second under concurrency; and side by side, Radicale serving the same
meetings (the CalDAV objects Samverkan pushes, one per series) as one calendar, in the same run,
with the same keep-alive client.

Prints progress, then one JSON object on the last line. ``*_ms`` figures are client-observed
over HTTP on loopback; ``*_server_ms`` come from the response's Server-Timing header (the
handler's own time, without uvicorn and HTTP parsing). ``radicale_*`` figures are Radicale's,
and the ``*_ratio`` figures compare the two (targets: first GET after a change at most 0.2 of
Radicale's GET; warm GET and 304 at least 30 times faster than Radicale's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import admin_sql, free_port, percentile, served, wait_until

# The outbox workers (search indexing of the unrelated writes) run in `samverkan worker`, as
# they do beside several web processes, so the feed timings are the web process's own.
SERVER_ENV = {"DATABASE_POOL_SIZE": "10", "SAMVERKAN_WORKER_IN_APP": "false"}
TOPICS = ["lägesbild", "SSPF", "anhörigstöd", "utbildning", "åtgärdsplan", "skolsamverkan"]
PLACES = ["Kommunhuset, sal 3", "Polishuset Tyresö", "Fritidsgården Trollbäcken", ""]


async def build(meetings: int, rng: random.Random) -> tuple[str, uuid.UUID, Any, uuid.UUID]:
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
    return token.https_url.rsplit("/feeds/", 1)[1], first_id, admin, network_id


async def touch(meeting_id: uuid.UUID, admin: Any, n: int) -> None:
    """A real write (a changed title), so the next request must render the feed again."""
    from directory.meetings.schemas import MeetingPatch
    from directory.meetings.service import MeetingService

    service = MeetingService(admin)
    current = await service.get(meeting_id)
    await service.update(meeting_id, MeetingPatch(title=f"Ändrat {n}"), f'"{current.sequence}"')


async def unrelated_write(admin: Any, n: int) -> None:
    """A write no feed shows: a new organisation nobody is invited as."""
    from directory.records.resources import ORGANIZATIONS
    from directory.records.schemas import OrganizationIn
    from directory.records.service import RecordService

    organization = OrganizationIn(name=f"Fritidsgården {n}", kind="internal")
    await RecordService(ORGANIZATIONS, admin).create(organization)


async def calendar_objects(network_id: uuid.UUID) -> list[tuple[str, bytes]]:
    """The CalDAV objects Samverkan's push sends for the network, as (uid, body)."""
    from sync.caldav_push import network_items

    items = await network_items(network_id, dt.datetime.now(dt.UTC))
    return [(item.uid, item.body.encode()) for item in items]


@contextlib.contextmanager
def radicale(objects: list[tuple[str, bytes]]) -> Iterator[str]:
    """Radicale on a free port with the objects in one calendar; yields the calendar's URL.

    The objects are written into Radicale's file system storage, as a push of them would leave
    it, since 1,000 PUTs would only time Radicale's writes."""
    storage = Path(tempfile.mkdtemp(prefix="samverkan-bench-radicale-"))
    calendar = storage / "collection-root" / "bench" / "network"
    calendar.mkdir(parents=True)
    props = {"tag": "VCALENDAR", "D:displayname": "SSPF Tyresö"}
    (calendar / ".Radicale.props").write_text(json.dumps(props))
    for uid, body in objects:
        (calendar / f"{uid.replace('@', '_')}.ics").write_bytes(body)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config=", f"--storage-filesystem-folder={storage}",
         f"--server-hosts=127.0.0.1:{port}", "--auth-type=none", "--logging-level=warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/bench/network/"
    try:
        wait_until(lambda: httpx.get(url, auth=("bench", "x"), timeout=60).status_code == 200)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


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


def radicale_figures(client: httpx.Client, url: str, requests: int) -> dict[str, Any]:
    """Radicale's GET of the whole calendar, warm, and with If-None-Match its ETag."""
    auth = ("bench", "x")
    first = client.get(url, auth=auth)
    assert first.status_code == 200, first.status_code
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, auth=auth)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    conditional = []
    statuses = set()
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, auth=auth, headers={"If-None-Match": first.headers["etag"]})
        conditional.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    return {
        "radicale_vevents": first.content.count(b"BEGIN:VEVENT"),
        "radicale_get_median_ms": round(statistics.median(times), 2),
        "radicale_conditional_median_ms": round(statistics.median(conditional), 2),
        "radicale_conditional_statuses": sorted(statuses),
    }


def samverkan_figures(
    client: httpx.Client, path: str, first_id: uuid.UUID, admin: Any, args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, str]]:
    figures: dict[str, Any] = {}
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
    unrelated_client, unrelated_server = [], []
    for n in range(args.cold):
        asyncio.run(unrelated_write(admin, n))
        elapsed, server_side, _ = timed(client, path, etag, 304)
        unrelated_client.append(elapsed)
        unrelated_server.append(server_side)
    figures.update(summary("after_unrelated_write", unrelated_client, unrelated_server))
    return figures, etag


def measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(11)
    started = time.perf_counter()
    token, first_id, admin, network_id = asyncio.run(build(args.meetings, rng))
    objects = asyncio.run(calendar_objects(network_id))
    print(
        f"built {args.meetings} meetings in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    path = f"/feeds/{token}"
    with served(env=SERVER_ENV) as base, radicale(objects) as radicale_url:
        with httpx.Client(base_url=base, timeout=120) as client:
            figures, etag = samverkan_figures(client, path, first_id, admin, args)
            figures.update(radicale_figures(client, radicale_url, args.radicale_requests))
        figures["warm_requests_per_second"] = asyncio.run(
            throughput(base, path, {}, args.concurrency, args.seconds)
        )
        figures["not_modified_requests_per_second"] = asyncio.run(
            throughput(base, path, etag, args.concurrency, args.seconds)
        )
    radicale_get = figures["radicale_get_median_ms"]
    figures["radicale_get_over_warm_get"] = round(radicale_get / figures["warm_median_ms"], 1)
    figures["radicale_conditional_over_304"] = round(
        figures["radicale_conditional_median_ms"] / figures["not_modified_median_ms"], 1
    )
    figures["first_get_after_change_over_radicale_get"] = round(
        figures["cold_median_ms"] / radicale_get, 3
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
    parser.add_argument("--radicale-requests", type=int, default=20)
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
