"""Search speed at 300,000 directory entries on SQLite: in-process, over HTTP with 4 workers,
and during a full reindex, with SQLite FTS5 over the same documents as the floor.

Generates organisations, contacts, services and networks with realistic Swedish names from
name parts (bulk inserted into a fresh SQLite database), rebuilds the embedded index (indexing
rate), then times mixed queries (prefix, typo, whole words, phone digits, facet-filtered): through
the search service in-process; through ``GET /api/v1/search`` on ``samverkan serve --workers 4``
on a loopback port (time to ready; resident, private and proportional memory of each worker);
and again over HTTP while ``samverkan reindex`` rebuilds the index beside the live one. Prints
one JSON object on the last line.

    python -m benchmarks.search [--entries 300000] [--queries 300] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    descendants,
    percentile,
    private_mb,
    pss_mb,
    rss_mb,
    served_process,
)
from benchmarks.search_corpus import generate, queries


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "max_ms": round(ordered[-1], 2),
    }


async def _load(rows: dict[str, list[dict[str, Any]]]) -> float:
    from piccolo.table import Table

    from directory.core.database import migrate
    from directory.records.tables import Contact, Network, Organization, Service

    await migrate()
    started = time.perf_counter()
    tables: tuple[tuple[str, type[Table]], ...] = (
        ("organization", Organization),
        ("contact", Contact),
        ("service", Service),
        ("network", Network),
    )
    for name, table in tables:
        batch = rows[name]
        for start in range(0, len(batch), 1000):
            await table.insert(*(table(**row) for row in batch[start : start + 1000]))
    return time.perf_counter() - started


def _query(params: dict[str, str], number: int) -> Any:
    from directory.core.access import Role, visibilities_for
    from search.backend import SearchQuery

    role = Role.PARTNER if number % 4 == 3 else Role.STAFF
    return SearchQuery(
        text=params.get("q", ""),
        visibilities=visibilities_for(role),
        types=(params["type"],) if "type" in params else (),
        area=params.get("area", ""),
        municipality=params.get("municipality", ""),
    )


async def _in_process(mix: list[dict[str, str]]) -> dict[str, Any]:
    from search.embedded import EmbeddedBackend
    from search.service import search_directory
    from sync.indexing import reindex

    backend = EmbeddedBackend()
    started = time.perf_counter()
    written = await reindex(backend)
    indexing = time.perf_counter() - started
    reader = EmbeddedBackend()
    started = time.perf_counter()
    await reader.start()
    loading = time.perf_counter() - started
    samples = []
    slowest = ("", 0.0)
    for number, params in enumerate(mix):
        query = _query(params, number)
        began = time.perf_counter()
        result = await search_directory(reader, query)
        elapsed = (time.perf_counter() - began) * 1000
        samples.append(elapsed)
        slowest = max(slowest, (params.get("q", ""), elapsed), key=lambda item: item[1])
        assert not result.degraded
    root = backend.store.root
    size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return {
        "documents": written,
        "indexing_seconds": round(indexing, 2),
        "indexing_docs_per_second": round(written / indexing),
        "index_megabytes_on_disk": round(size / 1e6, 1),
        "reader_start_seconds": round(loading, 3),
        "in_process": {**_percentiles(samples), "slowest_query": slowest[0]},
    }


async def _fts5(mix: list[dict[str, str]]) -> dict[str, Any]:
    """The floor: the same query texts against SQLite FTS5 (no filters, no visibility)."""
    from benchmarks.fts5 import Fts5Index
    from search.documents import all_documents

    floor = Fts5Index()
    started = time.perf_counter()
    async for batch in all_documents():
        floor.add(batch)
    indexing = time.perf_counter() - started
    samples = []
    for params in mix:
        began = time.perf_counter()
        floor.search(params.get("q", ""))
        samples.append((time.perf_counter() - began) * 1000)
    return {"indexing_seconds": round(indexing, 2), "in_process": _percentiles(samples)}


def _timed_requests(client: Any, mix: list[dict[str, str]], headers: dict[str, str]) -> list[float]:
    samples = []
    for params in mix:
        began = time.perf_counter()
        response = client.get("/api/v1/search", params=params, headers=headers)
        samples.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
        assert response.json()["degraded"] is False
    return samples


def _over_http(mix: list[dict[str, str]], token: str, workers: int) -> dict[str, Any]:
    import httpx

    env = {"SAMVERKAN_WORKER_IN_APP": "false"}
    started = time.perf_counter()
    with served_process(["serve", "--workers", str(workers)], env) as (base, server):
        ready = time.perf_counter() - started
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(workers * 4):
                client.get("/api/v1/search", params={"q": "warm"}, headers=headers)
            samples = _timed_requests(client, mix, headers)
            workers_pids = descendants(server.pid)
            rss = [round(rss_mb(pid), 1) for pid in workers_pids]
            private = [round(private_mb(pid), 1) for pid in workers_pids]
            proportional = [round(pss_mb(pid), 1) for pid in workers_pids]
            reindexing, during = _during_reindex(client, mix, headers)
    return {
        "workers": workers,
        "ready_seconds": round(ready, 2),
        "rss_mb_per_process": rss,
        "private_mb_per_process": private,
        "pss_mb_per_process": proportional,
        "http": _percentiles(samples),
        "http_during_reindex": {**_percentiles(during), "reindex_seconds": reindexing},
    }


def _during_reindex(
    client: Any, mix: list[dict[str, str]], headers: dict[str, str]
) -> tuple[float, list[float]]:
    """Search over HTTP, round after round of ``mix``, while ``samverkan reindex`` runs."""
    started = time.perf_counter()
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "samverkan", "reindex"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples: list[float] = []
    while rebuild.poll() is None:
        samples += _timed_requests(client, mix[:50], headers)
    if rebuild.returncode != 0:
        raise SystemExit(f"samverkan reindex exited with {rebuild.returncode}")
    return round(time.perf_counter() - started, 1), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="samverkan-bench-"))
    os.environ.update(
        {
            "SAMVERKAN_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite'}",
            "SEARCH_BACKEND": "embedded",
        }
    )
    from directory.accounts.service import create_service_token

    rows = generate(args.entries)
    insert_seconds = asyncio.run(_load(rows))
    del rows
    mix = queries(args.queries)
    figures: dict[str, Any] = {"entries": args.entries, "queries": len(mix), "database": "sqlite"}
    figures["insert_seconds"] = round(insert_seconds, 1)
    figures["embedded"] = asyncio.run(_in_process(mix))
    token = asyncio.run(create_service_token("staff"))
    figures["embedded"].update(_over_http(mix, token, args.workers))
    figures["fts5_floor"] = asyncio.run(_fts5(mix))
    shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
