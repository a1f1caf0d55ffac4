"""Running Samverkan: migrate, load the demo, serve the web app, run the background worker."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from directory.core.metrics import configured_directory, pool_directory
from directory.core.settings import get_settings, serve_environment
from samverkan.cli import load_demo, main, prepare_database, run
from samverkan.cli.prefork import serve_forked
from search.configured import configured_backend


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema and seed the vocabulary."""
    prepare_database()
    click.echo("database is up to date")


@main.command()
def demo() -> None:
    """Load the demo directory into an empty database, with one account per role."""
    prepare_database()
    load_demo()


@main.command()
@click.option("--host", help="Default: APP_HOST under Nextcloud, else 127.0.0.1.")
@click.option("--port", type=int, help="Default: APP_PORT under Nextcloud, else 8000.")
@click.option("--workers", default=1, show_default=True, type=int)
@click.option(
    "--demo",
    "with_demo",
    is_flag=True,
    help="Load the demo data and one account per role (printed) into an empty database.",
)
def serve(host: str | None, port: int | None, workers: int, with_demo: bool) -> None:
    """Migrate, optionally load the demo data, and serve the web app and API."""
    import uvicorn

    appapi = get_settings().appapi
    host = host or (appapi.app_host if appapi else "127.0.0.1")
    port = port or (appapi.app_port if appapi else 8000)
    # The app (and each worker process) reads its settings anew, with links on this address.
    os.environ.update(serve_environment(host, port))
    get_settings.cache_clear()

    prepare_database()
    if with_demo:
        load_demo()
    _share_metrics()
    click.echo(f"Samverkan on http://{host}:{port}/ (API /api/v1, OpenAPI /schema)")
    config = uvicorn.Config(
        "samverkan.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        access_log=False,  # ours logs route templates, never query strings that may hold tokens
        **proxy_options(get_settings().trusted_proxies),
        # Slow clients (README, Running at scale): idle keep-alive connections close after 5 s,
        # a header block may not grow past 16 KiB; trickling headers and bodies are the
        # reverse proxy's to time out.
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
    )
    if workers > 1:
        serve_forked(config, workers)
    else:
        uvicorn.Server(config).run()


def proxy_options(trusted: tuple[str, ...]) -> dict[str, Any]:
    """uvicorn reads ``X-Forwarded-For`` only from the configured proxies
    (``SAMVERKAN_TRUSTED_PROXIES``); by default from nobody, not even loopback, since under
    AppAPI or a local proxy every client would otherwise pick its own address."""
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(trusted)}


def _share_metrics() -> None:
    """Delete the metric files an earlier run left in a configured directory: they would
    count twice (a directory the process made is new)."""
    if configured_directory():
        for stale in Path(pool_directory()).glob("*.db"):
            stale.unlink()


@main.command()
def worker() -> None:
    """Run the background jobs (outbox consumers, calendar import) alone, until stopped.

    For deployments with several web processes: set SAMVERKAN_WORKER_IN_APP=false for them and
    run this once (or more: one worker at a time holds each consumer; none applies a change
    twice).
    """
    from samverkan.observability import configure_logging
    from samverkan.workers import BackgroundWorkers, background_jobs
    from search.backend import SearchUnavailable

    settings = get_settings()
    configure_logging(settings)

    async def work() -> None:
        backend = configured_backend(settings)
        try:
            await backend.start()
        except SearchUnavailable as error:
            click.echo(f"search backend unavailable at start ({error}); retrying", err=True)
        workers = BackgroundWorkers(background_jobs(settings, backend))
        workers.start()
        try:
            await workers.wait()
        finally:
            await workers.stop()
            await backend.close()

    run(work)
