"""Prometheus metrics of a server with several web processes: any process reports them all."""

from __future__ import annotations

import re

import httpx

from tests.reliability.conftest import start_server, stop_server

REQUESTS = 60


def _health_requests(metrics: str) -> float:
    found = re.findall(
        r'^samverkan_http_requests_total\{[^}]*route="/health"[^}]*\} ([0-9.e+]+)$', metrics, re.M
    )
    return sum(float(value) for value in found)


def test_every_worker_reports_the_requests_all_workers_answered() -> None:
    process, base_url = start_server(workers=2)
    try:
        for _ in range(REQUESTS):
            # A new connection each time, so the kernel spreads them over both workers.
            assert httpx.get(f"{base_url}/health", headers={"Connection": "close"}).is_success
        scrapes = [
            httpx.get(f"{base_url}/metrics", headers={"Connection": "close"}).text for _ in range(6)
        ]
    finally:
        stop_server(process)
    assert all(_health_requests(scrape) == REQUESTS for scrape in scrapes), [
        _health_requests(scrape) for scrape in scrapes
    ]
    assert all("samverkan_outbox_backlog" in scrape for scrape in scrapes)
