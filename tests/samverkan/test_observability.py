"""Health, readiness, request ids, JSON logs without secrets, and Prometheus metrics over HTTP."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from directory.core.settings import get_settings
from directory.core.tables import ChangeEvent
from samverkan.app import create_app
from sync.tables import OutboxCursor

Run = Callable[[Any], Any]
ORGANIZATION = {"name": "Fritidsgården Tyresö", "kind": "internal"}


def log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_health_answers_without_the_database(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_the_database_and_the_search_backend(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "search_backend": "embedded",
        "checks": {"database": "ok", "disk": "ok", "search": "ok"},
    }


@pytest.fixture
def unreachable_meilisearch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SEARCH_BACKEND", "meilisearch")
    monkeypatch.setenv("MEILI_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("unreachable_meilisearch")
def test_ready_is_503_while_meilisearch_is_unreachable() -> None:
    with TestClient(app=create_app()) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "disk": "ok", "search": "unreachable"}


def test_a_request_id_is_made_or_taken_from_the_caller(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    made = client.get("/health").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/health").headers["X-Request-ID"] != made
    given = client.get("/health", headers={"X-Request-ID": "abc-123.x"})
    assert given.headers["X-Request-ID"] == "abc-123.x"
    forged = client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["X-Request-ID"] != "bad id\nwith newline"
    assert len(forged.headers["X-Request-ID"]) == 32
    unknown = client.get("/no-such-page", headers={"X-Request-ID": "r404"})
    assert (unknown.status_code, unknown.headers["X-Request-ID"]) == (404, "r404")
    refused = client.get("/api/v1/me", headers={"X-Request-ID": "r401"})
    assert (refused.status_code, refused.headers["X-Request-ID"]) == (401, "r401")


def test_logs_are_json_with_the_request_id_and_never_a_token(
    capsys: pytest.CaptureFixture[str], auth: dict[str, dict[str, str]]
) -> None:
    token = auth["admin"]["Authorization"].removeprefix("Bearer ")
    with TestClient(app=create_app()) as client:
        response = client.post(
            f"/api/v1/organizations?access_token={token}",
            json=ORGANIZATION,
            headers={**auth["admin"], "X-Request-ID": "req-42"},
        )
        assert response.status_code == 201
        client.get("/api/v1/me", headers={"Authorization": "Bearer sv_wrongwrongwrong"})
        logging.getLogger("samverkan.test").warning("got header Bearer %s", token)
    err = capsys.readouterr().err
    assert token not in err
    assert "sv_wrongwrongwrong" not in err
    lines = log_lines(err)
    access = [line for line in lines if line["logger"] == "samverkan.access"]
    created = next(line for line in access if line["request_id"] == "req-42")
    assert created["route"] == "/api/v1/organizations"
    assert created["method"] == "POST"
    assert created["status"] == 201
    assert any(line["status"] == 401 for line in access)
    warned = next(line for line in lines if line["logger"] == "samverkan.test")
    assert warned["message"] == "got header Bearer [redacted]"


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics")


@pytest.fixture
def app_without_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The app with the outbox left to a separate worker, so that the backlog stays put."""
    monkeypatch.setenv("SAMVERKAN_WORKER_IN_APP", "false")
    get_settings.cache_clear()
    with TestClient(app=create_app()) as client:
        yield client
    monkeypatch.undo()
    get_settings.cache_clear()


def test_metrics_count_requests_and_the_outbox_backlog(
    app_without_worker: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
    run: Run,
) -> None:
    client = app_without_worker
    for _ in range(2):
        assert client.post("/api/v1/organizations", json=ORGANIZATION, headers=auth["admin"])
    assert client.get("/api/v1/search", params={"q": "x"}, headers=auth["staff"]).is_success
    page = client.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    assert metric(text, "samverkan_outbox_backlog") == 2
    assert (
        metric(
            text,
            'samverkan_http_requests_total{method="POST",route="/api/v1/organizations",'
            'status="201"}',
        )
        >= 2
    )
    assert metric(text, 'samverkan_search_duration_seconds_count{backend="embedded"}') >= 1
    newest = run(ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id, ascending=False))
    run(OutboxCursor.insert(OutboxCursor(consumer="search", last_id=newest[0]["id"])))
    run(OutboxCursor.insert(OutboxCursor(consumer="carddav", last_id=newest[1]["id"])))
    assert metric(client.get("/metrics").text, "samverkan_outbox_backlog") == 1
