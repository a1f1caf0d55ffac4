"""``samverkan plan import-measures`` and ``import-trainings``: spreadsheets in, all or none."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from directory.demo.loader import load_demo_if_empty
from directory.plan.tables import Measure, Training, TrainingParticipation
from samverkan.cli import main
from tests.conftest import run_async


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_measures_from_a_spreadsheet_come_in_whole(tmp_path: Path) -> None:
    run_async(load_demo_if_empty())
    before = run_async(Measure.count())
    sheet = tmp_path / "atgarder.csv"
    sheet.write_text(
        "section,title,level,owner,due_date,status,indicator\n"
        "5,Utbildning för fritidsledare,general,Kultur- och fritidsförvaltningen,2027-03-01,"
        "planned,Antal utbildade\n"
        "7,Anhörigträffar,indicated,familjestödsenheten,,ongoing,\n",
        encoding="utf-8",
    )
    code, out, _ = _invoke("plan", "import-measures", str(sheet))
    assert code == 0 and out.strip().endswith(f"imported 2 measures from {sheet}")
    assert run_async(Measure.count()) == before + 2
    titles = {row["title"] for row in run_async(Measure.select(Measure.title))}
    assert {"Utbildning för fritidsledare", "Anhörigträffar"} <= titles


def test_a_spreadsheet_with_bad_rows_names_each_row_and_writes_nothing(tmp_path: Path) -> None:
    run_async(load_demo_if_empty())
    before = run_async(Measure.count())
    sheet = tmp_path / "atgarder.csv"
    sheet.write_text(
        "title,level,owner,due_date\n"
        "Bra rad,general,Fältgruppen,2027-01-01\n"
        "Fel nivå,somewhere,Fältgruppen,2027-01-01\n"
        "Okänd ägare,general,Ingen Sådan Förvaltning,31/12/2027\n",
        encoding="utf-8",
    )
    code, _, err = _invoke("plan", "import-measures", str(sheet))
    assert code == 1
    assert "row 3: level" in err
    assert "row 4: owner" in err and "Ingen Sådan Förvaltning" in err
    assert "nothing was written" in err
    assert run_async(Measure.count()) == before


def test_trainings_with_participation_per_organisation(tmp_path: Path) -> None:
    run_async(load_demo_if_empty())
    sheet = tmp_path / "utbildningar.csv"
    sheet.write_text(
        "title,held_on,level,provider,target_group,participants\n"
        "Grundkurs VBE,2026-10-01,general,Center mot våldsbejakande extremism,Skolpersonal,"
        "Fältgruppen=4; Tyresö gymnasium=9\n",
        encoding="utf-8",
    )
    code, out, _ = _invoke("plan", "import-trainings", str(sheet))
    assert code == 0 and "imported 1 trainings" in out
    training = run_async(Training.select().where(Training.title == "Grundkurs VBE").first())
    counts = run_async(
        TrainingParticipation.select(TrainingParticipation.participants).where(
            TrainingParticipation.training_id == training["id"]
        )
    )
    assert sorted(row["participants"] for row in counts) == [4, 9]
    bad = tmp_path / "fel.csv"
    bad.write_text("title,held_on,level,participants\nX,2026-10-01,general,Fältgruppen:4\n")
    code, _, err = _invoke("plan", "import-trainings", str(bad))
    assert code == 1 and "row 2: participants" in err
