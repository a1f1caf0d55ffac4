"""``samverkan plan``: bring existing spreadsheets of measures and trainings into the plan."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import click
from rich.progress import Progress

from directory.core.access import Principal, Role
from directory.core.errors import InvalidField
from directory.plan import imports

Importer = Callable[[Principal, list[dict[str, str]], Callable[[int], None]], Awaitable[int]]


def _load(path: Path, columns: tuple[str, ...], importer: Importer, what: str) -> None:
    from samverkan.cli import _migrate, run  # the CLI's own set-up, shared by every command

    try:
        rows = imports.read_csv(path.read_text(encoding="utf-8"), columns)
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text (byte {error.start})") from None
    except InvalidField as error:
        raise click.ClickException(f"{path}: {error}") from None

    async def load() -> int:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"importing {path.name}", total=len(rows))
            importer_principal = Principal(
                account_id=uuid.UUID(int=0), username=f"import:{path.name}", role=Role.ADMIN
            )
            return await importer(importer_principal, rows, lambda n: progress.advance(task, n))

    _migrate()
    count = run(load)  # the CLI reports every bad row, and that nothing was written
    click.echo(f"imported {count} {what} from {path}")


@click.group("plan")
def plan() -> None:
    """The action plan: import measures and trainings from CSV (all rows or none)."""


@plan.command("import-measures")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_measures(path: Path) -> None:
    """Measures of the current plan; columns: section, title, level, owner, due_date, status,
    indicator (owner is an organisation's name or id)."""
    _load(path, imports.MEASURE_COLUMNS, imports.import_measures, "measures")


@plan.command("import-trainings")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_trainings(path: Path) -> None:
    """Trainings; columns: title, held_on, level, provider, target_group, participants
    (``Fältgruppen=4; Polisen=2``)."""
    _load(path, imports.TRAINING_COLUMNS, imports.import_trainings, "trainings")
