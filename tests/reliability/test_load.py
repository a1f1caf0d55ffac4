"""Concurrent clients against a real server with two workers: no request fails."""

from __future__ import annotations

import asyncio
from collections import Counter
from urllib.parse import urlsplit

import httpx
from click.testing import CliRunner

from directory.accounts.service import create_service_token
from samverkan.cli import main
from tests.conftest import run_async

CLIENTS = 8
REQUESTS_PER_CLIENT = 50


def reads(base_url: str, organization_id: str, feed_path: str) -> list[str]:
    """The read paths the load is spread over: searches, a calendar feed, directory reads."""
    return [
        f"{base_url}/api/v1/search?q=polis",
        f"{base_url}/api/v1/search?q=skola&type=organization",
        f"{base_url}{feed_path}",
        f"{base_url}/api/v1/organizations?per_page=20",
        f"{base_url}/api/v1/organizations/{organization_id}",
        f"{base_url}/api/v1/contacts?area=police",
        f"{base_url}/api/v1/services?per_page=50&sort=-last_modified",
        f"{base_url}/api/v1/networks",
    ]


async def drive(urls: list[str], headers: dict[str, str]) -> Counter[int]:
    statuses: Counter[int] = Counter()

    async def one_client(offset: int) -> None:
        async with httpx.AsyncClient(headers=headers, timeout=30) as http:
            for number in range(REQUESTS_PER_CLIENT):
                response = await http.get(urls[(offset + number) % len(urls)])
                statuses[response.status_code] += 1

    await asyncio.gather(*(one_client(offset) for offset in range(CLIENTS)))
    return statuses


def test_concurrent_reads_on_two_workers_all_succeed(live_server: str) -> None:
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    headers = {"Authorization": f"Bearer {run_async(create_service_token('staff'))}"}
    admin = {"Authorization": f"Bearer {run_async(create_service_token('admin'))}"}
    first = httpx.get(f"{live_server}/api/v1/organizations", headers=headers, timeout=30)
    organization_id = first.json()["contents"][0]["id"]
    feed = httpx.post(
        f"{live_server}/api/v1/feed-tokens", json={"scope": "public"}, headers=admin, timeout=30
    )
    assert feed.status_code == 201, feed.text
    feed_path = urlsplit(feed.json()["https_url"]).path
    statuses = asyncio.run(drive(reads(live_server, organization_id, feed_path), headers))
    assert statuses == Counter({200: CLIENTS * REQUESTS_PER_CLIENT})
