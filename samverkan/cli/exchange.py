"""Import and export of the directory: CSV, HSDS 3.0 JSON and Tabular Data Packages, and
whole backups."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

import click
import msgspec
from rich.console import Console
from rich.progress import Progress

from directory.records.exchange import (
    SPEC_BY_KEY,
    ExchangeFormatError,
    RawRow,
    read_csv,
    write_csv,
)
from directory.records.export import export_records
from directory.records.hsds_export import Audience, hsds_document
from directory.records.hsds_import import HsdsRead, read_path
from directory.records.hsds_tabular import write_package
from directory.records.importer import import_rows
from samverkan.backup import export_all, import_all, row_count
from samverkan.cli import RESOURCE_TYPES, main, prepare_database, run


def _read_csv(path: Path, resource: str | None) -> list[RawRow]:
    if resource is None:
        raise click.UsageError("a CSV import needs --type")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return read_csv(stream, SPEC_BY_KEY[resource])


def _format_of(path: Path, file_format: str | None) -> str:
    if file_format:
        return file_format
    if path.is_dir() or path.name == "datapackage.json":
        return "tabular"
    return "csv" if path.suffix.lower() == ".csv" else "json"


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["csv", "json", "tabular"]))
@click.option("--type", "resource", type=RESOURCE_TYPES, help="What a CSV file holds.")
@click.option(
    "--all",
    "whole",
    is_flag=True,
    help="Restore a backup from export --all into an empty database.",
)
@click.option(
    "--update",
    is_flag=True,
    help="A row whose id exists replaces that record (as after an export, edit, import).",
)
def import_command(
    path: Path, file_format: str | None, resource: str | None, whole: bool, update: bool
) -> None:
    """Import HSDS 3.0 (JSON: objects, Pages, nested trees; or a Tabular Data Package folder)
    or a CSV file of one resource type: all records or, on any error, none. What Samverkan
    does not hold is reported as a warning."""
    if whole:
        _restore(path)
        return
    chosen = _format_of(path, file_format)
    if path.is_dir() and chosen != "tabular":
        raise click.UsageError(f"{path} is a folder: only a tabular import reads a folder")

    async def read() -> HsdsRead:
        if chosen == "csv":
            return HsdsRead(_read_csv(path, resource), [])
        return await read_path(path)

    prepare_database()
    try:
        found = run(read)
    except ExchangeFormatError as error:
        raise click.ClickException(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None
    rows = found.rows
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)

    async def load() -> int:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"importing {path.name}", total=len(rows))
            return await import_rows(
                rows,
                actor=f"import:{path.name}",
                progress=lambda n: progress.advance(task, n),
                update=update,
            )

    count = run(load)
    unchanged = f" ({len(rows) - count} unchanged)" if update else ""
    warned = f", {len(found.warnings)} warnings" if found.warnings else ""
    click.echo(f"imported {count} records from {path}{unchanged}{warned}")


def _restore(path: Path) -> None:
    try:
        document = msgspec.json.decode(path.read_bytes())
    except msgspec.DecodeError as error:
        raise click.ClickException(f"{path}: not JSON: {error}") from None

    async def restore() -> int:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"restoring {path.name}", total=row_count(document))
            return await import_all(document, progress=lambda n: progress.advance(task, n))

    prepare_database()
    count = run(restore)
    click.echo(f"restored {count} rows from {path}")


@main.command("export")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["json", "tabular", "csv"]),
    default="json",
    show_default=True,
    help="json: HSDS 3.0 JSON; tabular: the HSDS Tabular Data Package (a folder of CSV files, "
    "-o names the folder); csv: one resource type (--type) in Samverkan's own columns.",
)
@click.option("--type", "resource", type=RESOURCE_TYPES, help="What to write as CSV.")
@click.option(
    "--audience",
    type=click.Choice([audience.value for audience in Audience]),
    default=Audience.PUBLIC.value,
    show_default=True,
    help="Who the export is for: it holds only what they may read (internal only when asked).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path))
@click.option(
    "--all", "whole", is_flag=True, help="A complete backup of every table (for import --all)."
)
def export_command(
    file_format: str, resource: str | None, audience: str, output: Path | None, whole: bool
) -> None:
    """Export the directory as HSDS 3.0 (JSON or Tabular Data Package), or one resource type as
    CSV, for one audience."""
    reader = Audience(audience)
    if file_format == "tabular" and output is None and not whole:
        raise click.UsageError("a tabular export needs --output FOLDER")

    async def collect() -> Any:
        if whole:
            with Progress(transient=True, console=Console(stderr=True)) as progress:
                task = progress.add_task("backing up", total=None)
                return await export_all(progress=lambda n: progress.advance(task, n))
        if file_format in {"json", "tabular"}:
            return await hsds_document(reader)
        if resource is None:
            raise click.UsageError("a CSV export needs --type")
        return await export_records(SPEC_BY_KEY[resource], reader.visibilities)

    data = run(collect)
    if file_format == "tabular" and not whole and output is not None:
        files = write_package(data, output)
        click.echo(f"exported {len(files)} files to {output}", err=True)
        return

    def write(stream: TextIO) -> None:
        if file_format == "json" or whole:
            stream.write(msgspec.json.format(msgspec.json.encode(data)).decode())
            stream.write("\n")
        else:
            for chunk in write_csv(data, SPEC_BY_KEY[resource or ""]):
                stream.write(chunk)

    if output is None:
        write(sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
        click.echo(f"exported to {output}", err=True)
