"""Time the CardDAV push against a real Radicale server on loopback.

Generates N organisations with two contacts each (a third of them per visibility level), then
times the first push (every card created), a second push (nothing changed) and a push after
ten records changed. Prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

from benchmarks.harness import free_port


def start_radicale(storage: str, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config=", f"--storage-filesystem-folder={storage}",
         f"--server-hosts=127.0.0.1:{port}", "--auth-type=none", "--logging-level=warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.request("PROPFIND", f"http://127.0.0.1:{port}/bench/", auth=("bench", "x"))
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("radicale did not start")


async def seed(organizations: int) -> None:
    from directory.core.database import migrate
    from directory.records.tables import Contact, Organization

    await migrate()
    levels = ("internal", "partners", "public")
    orgs = [
        Organization(name=f"Organisation {n}", kind="ngo", visibility=levels[n % 3],
                     phones='[{"number": "070-174 06 05", "description": "växel"}]',
                     areas='["school"]', visiting_address=f"Storgatan {n}, Tyresö")
        for n in range(organizations)
    ]  # fmt: skip
    await Organization.insert(*orgs)
    contacts = [
        Contact(organization_id=org.id, name=f"Person {n}-{i} Svensson", title="Samordnare",
                visibility=org.visibility, email=f"p{n}.{i}@example.se")
        for n, org in enumerate(orgs) for i in range(2)
    ]  # fmt: skip
    await Contact.insert(*contacts)


async def timed_push(home: str) -> dict[str, Any]:
    from sync.carddav_push import push_directory
    from sync.dav_session import DavSession

    started = time.perf_counter()
    async with DavSession("bench", "x") as session:
        reports = await push_directory(session, home, "https://samverkan.example.se")
        requests = session.requests
    seconds = time.perf_counter() - started
    written = sum(r.created + r.updated + r.deleted for r in reports.values())
    return {"seconds": round(seconds, 3), "requests": requests, "written": written}


async def change_ten() -> None:
    from directory.records.tables import Contact

    rows = await Contact.select(Contact.id).limit(10)
    await Contact.update(
        {Contact.title: "Ny titel", Contact.last_modified: dt.datetime.now(dt.UTC)}
    ).where(Contact.id.is_in([row["id"] for row in rows]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=60)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="samverkan-bench-")
    os.environ["SAMVERKAN_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite"
    os.environ["DATABASE_POOL_SIZE"] = "0"
    port = free_port()
    radicale = start_radicale(f"{data_dir}/radicale", port)
    try:
        home = f"http://127.0.0.1:{port}/bench/"
        asyncio.run(seed(args.organizations))
        first = asyncio.run(timed_push(home))
        print(f"first push: {first}", flush=True)
        again = asyncio.run(timed_push(home))
        print(f"unchanged push: {again}", flush=True)
        asyncio.run(change_ten())
        ten = asyncio.run(timed_push(home))
        print(f"after 10 changes: {ten}", flush=True)
    finally:
        radicale.terminate()
        radicale.wait(timeout=10)
    print(
        json.dumps(
            {
                "server": "radicale",
                "cards": first["written"],
                "first_push_seconds": first["seconds"],
                "first_push_cards_per_second": round(first["written"] / first["seconds"]),
                "unchanged_push_seconds": again["seconds"],
                "unchanged_push_requests": again["requests"],
                "ten_changes_push_seconds": ten["seconds"],
                "ten_changes_written": ten["written"],
            }
        )
    )


if __name__ == "__main__":
    main()
