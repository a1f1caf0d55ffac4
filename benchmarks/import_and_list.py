"""Import 50,000 organisations and contacts through the import path, then time the list endpoint.

Prints progress, then one JSON object on the last line: import rows per second, and the median
and p95 latency of the list endpoint over HTTP (a real uvicorn server on loopback) at that size.
"""

from __future__ import annotations

import argparse
import asyncio
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

FIRST = [
    "Anna",
    "Erik",
    "Maria",
    "Karl",
    "Sara",
    "Johan",
    "Emma",
    "Lars",
    "Fatima",
    "Ahmed",
    "Elin",
    "Oskar",
    "Leila",
    "Mikael",
    "Ida",
    "Hassan",
    "Linnea",
    "Per",
    "Amina",
    "Nils",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Ali",
    "Mohammed",
    "Lind",
]
UNITS = [
    "Socialtjänsten",
    "Fritidsgården",
    "Skolan",
    "Säkerhetsfunktionen",
    "Brottsförebyggande rådet",
    "Församlingen",
    "Föreningen",
    "Mottagningsenheten",
    "Ungdomsmottagningen",
]
PLACES = ["Tyresö", "Haninge", "Huddinge", "Nacka", "Botkyrka", "Södertälje", "Värmdö", "Solna"]
KINDS = ["internal", "authority", "faith", "ngo", "neighbour", "national", "other"]
AREAS = [
    "school",
    "social_services",
    "leisure",
    "police",
    "security",
    "health_care",
    "faith",
    "civil_society",
    "crime_prevention",
]
LEVELS = ["general", "selective", "indicated"]
VISIBILITY = ["public", "partners", "internal"]


def document(organizations: int, contacts: int, rng: random.Random) -> dict[str, Any]:
    orgs = [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "name": f"{rng.choice(UNITS)} {rng.choice(PLACES)} {n}",
            "kind": rng.choice(KINDS),
            "municipality": rng.choice(PLACES),
            "email": f"info{n}@example.se",
            "phones": [{"number": f"070-174 06 {rng.randint(5, 99):02d}"}],
            "areas": rng.sample(AREAS, 2),
            "levels": rng.sample(LEVELS, 1),
            "visibility": rng.choice(VISIBILITY),
            "assured_date": f"202{rng.randint(3, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        for n in range(organizations)
    ]
    people = [
        {
            "organization_id": rng.choice(orgs)["id"],
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "title": "Handläggare (exempel)",
            "email": f"person{n}@example.se",
            "areas": rng.sample(AREAS, 1),
            "visibility": rng.choice(VISIBILITY),
        }
        for n in range(contacts)
    ]
    return {"organizations": orgs, "contacts": people}


async def run_import(doc: dict[str, Any]) -> tuple[int, float]:
    from rich.progress import Progress

    from directory.core.database import migrate
    from directory.records.exchange import rows_from_document
    from directory.records.importer import import_rows

    await migrate()
    rows = rows_from_document(doc)
    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task("importing", total=len(rows))
        count = await import_rows(rows, "benchmark", lambda n: progress.advance(task, n))
    return count, time.perf_counter() - started


async def make_token() -> str:
    from directory.accounts.service import create_service_token

    return await create_service_token("staff")


def time_list_endpoint(base: str, token: str, requests: int, rng: random.Random) -> list[float]:
    queries = [
        "",
        "kind=ngo",
        "area=school",
        "level=indicated&sort=-last_modified",
        "municipality=Nacka",
        "stale_since=2025-01-01",
        "sort=-name",
    ]
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    with httpx.Client(base_url=base, headers=headers) as client:
        for _ in range(10):  # warm-up
            client.get("/api/v1/organizations").raise_for_status()
        for index in range(requests):
            query = queries[index % len(queries)]
            page = rng.randint(1, 20)
            started = time.perf_counter()
            response = client.get(f"/api/v1/organizations?page={page}&per_page=50&{query}")
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=25_000)
    parser.add_argument("--contacts", type=int, default=25_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--postgres",
        default="",
        metavar="URL",
        help="a PostgreSQL server URL; a fresh database is created there and dropped afterwards",
    )
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="samverkan-bench-")
    os.environ["SAMVERKAN_DATA_DIR"] = data_dir
    database = f"samverkan_bench_{os.getpid()}"
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


def measure(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DATABASE_POOL_SIZE"] = "0"
    rng = random.Random(7)

    doc = document(args.organizations, args.contacts, rng)
    count, seconds = asyncio.run(run_import(doc))
    print(f"imported {count} rows in {seconds:.1f} s", file=sys.stderr)
    token = asyncio.run(make_token())

    with served(env={"DATABASE_POOL_SIZE": "10"}) as base:
        timings = time_list_endpoint(base, token, args.requests, rng)

    timings.sort()
    return {
        "database": "postgresql" if args.postgres else "sqlite",
        "rows_imported": count,
        "import_rows_per_second": round(count / seconds),
        "list_requests": len(timings),
        "list_median_ms": round(statistics.median(timings), 2),
        "list_p95_ms": round(percentile(timings, 0.95), 2),
    }


if __name__ == "__main__":
    main()
