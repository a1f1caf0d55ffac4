"""The search index from the command line: rebuild it, and search as a role would."""

from __future__ import annotations

import os

import click
from rich.progress import Progress

from directory.core.settings import get_settings
from samverkan.cli import main, prepare_database, run
from search.backend import SearchQuery
from search.configured import configured_backend
from search.service import search_directory
from sync.indexing import count_documents, reindex

REINDEX_NICENESS = 10


@main.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the directory (searches keep answering meanwhile)."""
    # Batch work: yield the processor to the web workers, whose searches keep answering from
    # the live index (at normal priority on two cores, a rebuild doubled their p95).
    os.nice(REINDEX_NICENESS)

    async def rebuild() -> int:
        backend = configured_backend(get_settings())
        try:
            await backend.start()
            with Progress(transient=True) as progress:
                task = progress.add_task("indexing", total=await count_documents())
                return await reindex(backend, lambda n: progress.advance(task, n))
        finally:
            await backend.close()

    prepare_database()
    count = run(rebuild)
    click.echo(f"indexed {count} documents")


@main.command("search")
@click.argument("text")
@click.option(
    "--role",
    type=click.Choice(["staff", "partner"]),
    default="staff",
    show_default=True,
    help="Search as this role sees the directory.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(["organization", "contact", "service", "network"]),
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def search_command(text: str, role: str, types: tuple[str, ...], limit: int) -> None:
    """Search the directory from the terminal; prints one hit a line, best first."""
    from directory.core.access import Role, visibilities_for

    async def find() -> None:
        backend = configured_backend(get_settings())
        try:
            await backend.start()
            query = SearchQuery(
                text=text, visibilities=visibilities_for(Role(role)), types=types, limit=limit
            )
            result = await search_directory(backend, query)
        finally:
            await backend.close()
        for hit in result.hits:
            details = "  ".join(part for part in (*hit.phones, hit.email) if part)
            subtitle = f" — {hit.subtitle}" if hit.subtitle else ""
            click.echo(f"{hit.type:<12} {hit.title}{subtitle}  {details}".rstrip())
        note = (
            " (degraded: the search backend is down, plain database match)"
            if result.degraded
            else ""
        )
        click.echo(f"{result.total} hit(s) in {result.took_ms:.1f} ms{note}")

    run(find)
