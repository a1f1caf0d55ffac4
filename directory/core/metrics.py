"""The Prometheus instruments every package shares.

They live here, in the package every other one may import, so that ``search/`` can time its
queries and ``sync/`` can count its failures without importing the composition root;
``samverkan/observability.py`` exposes them at ``/metrics``. The web processes of one server
share their values through files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's
multiprocess mode, chosen when the client is first imported), so a scrape of any process
reports the whole server.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
