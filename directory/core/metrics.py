"""The Prometheus instruments every package shares.

They live here, in the package every other one may import, so that ``search/`` can time its
queries and ``sync/`` can count its failures without importing the composition root;
``samverkan/observability.py`` exposes them at ``/metrics``. The web processes of one server
share their values through files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's
multiprocess mode), so a scrape of any process reports the whole server.

The client chooses that mode when it is first imported, before ``samverkan serve`` knows it
will fork workers, so every process runs in it: where no directory is configured, the first
process makes its own (removed when it exits) and the workers forked from it share it. A
process started by another gets its own, never its parent's.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
_MADE = "SAMVERKAN_METRICS_DIR_MADE"  # the directory a process made, told from a configured one


def _remove(directory: str, owner: int) -> None:
    if os.getpid() == owner:  # not in a forked worker
        shutil.rmtree(directory, ignore_errors=True)


def _choose_multiprocess_mode() -> None:
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if named and named != os.environ.get(_MADE):
        return
    made = tempfile.mkdtemp(prefix="samverkan-metrics-")
    os.environ[_DIRECTORY] = os.environ[_MADE] = made
    atexit.register(_remove, made, os.getpid())


def pool_directory() -> str:
    """Where the processes of this server keep their metric files."""
    return os.environ[_DIRECTORY]


def configured_directory() -> bool:
    """Whether the directory was configured (and may hold files of an earlier run)."""
    return os.environ[_DIRECTORY] != os.environ.get(_MADE)


_choose_multiprocess_mode()

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

CONTENT_TYPE = CONTENT_TYPE_LATEST

HTTP_REQUESTS = Counter(
    "samverkan_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "samverkan_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
)
SEARCH_DURATION = Histogram(
    "samverkan_search_duration_seconds",
    "Time a search query takes in the search backend, by backend.",
    ["backend"],
)
SYNC_FAILURES = Counter(
    "samverkan_sync_failures",
    "Failed attempts to apply outbox changes or to push to a remote, by consumer.",
    ["consumer"],
)
OUTBOX_BACKLOG = Gauge(
    "samverkan_outbox_backlog",
    "Change events not yet applied by the slowest outbox consumer (read at scrape time).",
    multiprocess_mode="mostrecent",
)


def scrape() -> bytes:
    """The metrics of every process of this server, in Prometheus's text format."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=pool_directory())  # type: ignore[no-untyped-call]
    return generate_latest(registry)
