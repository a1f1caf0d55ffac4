"""Requests per second and p95 latency for search, calendar feeds and directory reads, with
several ``samverkan serve`` workers on PostgreSQL (a real uvicorn on loopback).

Creates and drops its own database; prints progress, then one JSON object on the last line.
Usage: .venv/bin/python -m benchmarks.load [--postgres postgres://127.0.0.1:5432/x] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from benchmarks.harness import admin_sql, percentile, served

ROOT = Path(__file__).parents[1]


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "samverkan", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


async def drive(
    urls: list[str], headers: dict[str, str], clients: int, requests: int
) -> tuple[float, list[float], int]:
    """``clients`` concurrent clients, ``requests`` each; returns wall time, latencies, errors."""
    latencies: list[float] = []
    errors = 0

    async def one_client(offset: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(headers=headers, timeout=60) as http:
            for number in range(requests):
                started = time.perf_counter()
                response = await http.get(urls[(offset + number) % len(urls)])
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(one_client(offset) for offset in range(clients)))
    return time.perf_counter() - started, latencies, errors


def figures(wall: float, latencies: list[float], errors: int) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "requests_per_second": round(len(ordered) / wall, 1),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    cli("migrate")
    cli("demo")
    staff = {"Authorization": f"Bearer {cli('token', 'create', '--role', 'staff')}"}
    admin = {"Authorization": f"Bearer {cli('token', 'create', '--role', 'admin')}"}
    env = {"DATABASE_POOL_SIZE": "10", "SAMVERKAN_LOG_LEVEL": "WARNING"}
    with served(["serve", "--workers", str(args.workers)], env) as base:
        feed = httpx.post(
            f"{base}/api/v1/feed-tokens", json={"scope": "public"}, headers=admin, timeout=30
        )
        feed.raise_for_status()
        organizations = httpx.get(f"{base}/api/v1/organizations", headers=staff, timeout=30)
        organization_id = organizations.json()["contents"][0]["id"]
        groups = {
            "search": [
                f"{base}/api/v1/search?q=polis",
                f"{base}/api/v1/search?q=skola&type=organization",
                f"{base}/api/v1/search?q=anhörigstöd",
            ],
            "feed": [f"{base}{urlsplit(feed.json()['https_url']).path}"],
            "directory": [
                f"{base}/api/v1/organizations?per_page=20",
                f"{base}/api/v1/organizations/{organization_id}",
                f"{base}/api/v1/contacts?area=police",
                f"{base}/api/v1/services?per_page=50",
            ],
        }
        results: dict[str, Any] = {
            "workers": args.workers,
            "clients": args.clients,
            "database": "postgresql",
        }
        for name, urls in groups.items():
            asyncio.run(drive(urls, staff, args.clients, 5))  # warm up every worker
            results[name] = figures(*asyncio.run(drive(urls, staff, args.clients, args.requests)))
            print(f"{name}: {results[name]}", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default="postgres://127.0.0.1:5432/postgres")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=100, help="per client and group")
    args = parser.parse_args()
    database = f"samverkan_load_{secrets.token_hex(4)}"
    os.environ["SAMVERKAN_DATA_DIR"] = tempfile.mkdtemp(prefix="samverkan-load-")
    os.environ["DATABASE_URL"] = args.postgres.rsplit("/", 1)[0] + f"/{database}"
    os.environ.pop("SEARCH_BACKEND", None)
    asyncio.run(admin_sql(args.postgres, f'CREATE DATABASE "{database}"'))
    try:
        results = measure(args)
    finally:
        asyncio.run(admin_sql(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
