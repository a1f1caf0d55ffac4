"""Oversized bodies get 413; fuzzed CSV and JSON imports fail with a clear message and write
nothing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from directory.core.tables import AuditEntry, ChangeEvent
from directory.records.tables import Contact, Organization
from samverkan.app import MAX_BODY_BYTES
from samverkan.cli import main
from tests.conftest import run_async

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def test_an_oversized_body_is_refused_with_413(
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    padding = "x" * (MAX_BODY_BYTES + 1)
    response = client.post(
        "/api/v1/organizations",
        content=json.dumps({"name": "Stor", "kind": "ngo", "description": padding}),
        headers={**auth["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert run_async(Organization.count()) == 0


def test_an_oversized_body_without_a_length_header_is_refused_with_413(
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    def chunks() -> Any:
        for _ in range(11):
            yield b" " * (1024 * 1024)

    response = client.post(
        "/api/v1/organizations",
        content=chunks(),
        headers={**auth["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def counts() -> tuple[int, ...]:
    return tuple(
        run_async(table.count()) for table in (Organization, Contact, AuditEntry, ChangeEvent)
    )


def import_file(content: bytes, suffix: str, *args: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(content)
        result = CliRunner().invoke(main, ["import", str(path), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def assert_clear_failure_or_success(code: int, output: str, before: tuple[int, ...]) -> None:
    assert "Traceback" not in output
    if code != 0:
        assert "Error:" in output
        assert counts() == before, "a failed import changed the database"


ORGANIZATION_FIELDS = ["name", "kind", "email", "areas", "website", "levels", "phones", "id"]
text = st.text(max_size=30)
cell = st.one_of(text, st.sampled_from(["internal", "ngo", "school;police", "a@b.se", "", "x;;y"]))


@FUZZ
@given(
    header=st.lists(st.sampled_from([*ORGANIZATION_FIELDS, "bogus", ""]), max_size=6),
    rows=st.lists(st.lists(cell, max_size=7), max_size=5),
    raw=st.binary(max_size=200),
    use_raw=st.booleans(),
)
def test_fuzzed_csv_imports_fail_clearly_and_write_nothing(
    header: list[str], rows: list[list[str]], raw: bytes, use_raw: bool
) -> None:
    if use_raw:
        content = raw
    else:
        lines = [
            ",".join(header),
            *(",".join(f'"{v.replace(chr(34), "")}"' for v in row) for row in rows),
        ]
        content = "\n".join(lines).encode()
    before = counts()
    code, output = import_file(content, ".csv", "--type", "organizations")
    assert_clear_failure_or_success(code, output, before)


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=10,
)
record = st.dictionaries(
    st.sampled_from([*ORGANIZATION_FIELDS, "organization_id", "visibility", "extra"]),
    json_value
    | st.sampled_from(["internal", "public", "ngo", "00000000-0000-0000-0000-000000000001"]),
    max_size=6,
)


@FUZZ
@given(
    document=st.one_of(
        json_value,
        st.dictionaries(
            st.sampled_from(["organizations", "contacts", "services", "networks", "other"]),
            st.one_of(st.lists(record, max_size=4), json_value),
            max_size=3,
        ),
    ),
    raw=st.binary(max_size=100),
    use_raw=st.booleans(),
)
def test_fuzzed_json_imports_fail_clearly_and_write_nothing(
    document: Any, raw: bytes, use_raw: bool
) -> None:
    content = raw if use_raw else json.dumps(document).encode()
    before = counts()
    code, output = import_file(content, ".json")
    assert_clear_failure_or_success(code, output, before)


def test_a_nul_character_in_a_query_or_body_is_a_client_error(
    client: TestClient,  # type: ignore[type-arg]
    auth: dict[str, dict[str, str]],
) -> None:
    assert (
        client.get("/api/v1/taxonomy-terms?taxonomy=a%00b", headers=auth["staff"]).status_code < 500
    )
    created = client.post(
        "/api/v1/organizations", json={"name": "Nul\u0000l", "kind": "ngo"}, headers=auth["admin"]
    )
    assert created.status_code in (201, 400, 422)
