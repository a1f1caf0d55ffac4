"""``schemathesis run`` from the venv against a served demo, every phase including the stateful
one: no server error, no request the schema refuses is accepted, every status code and response
body is the documented one.

Positive data acceptance (ST202) is not checked: the schema cannot say every rule of the domain
(an end after its start, a network's own coordinator), so schema-valid requests are refused with
a 422 that names the rule. Nor are the auth checks: a run of wrong tokens is slowed down with 429
by design (``directory/accounts/throttle.py``).

The CLI works from the venv because caldav is held below 2: its niquests pulled in
urllib3-future, which replaced urllib3 under ``requests`` and crashed schemathesis with
"'TrafficPolice' object has no attribute 'keys'".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.reliability.conftest import start_server, stop_server

CHECKS = [
    "not_a_server_error",
    "negative_data_rejection",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
SECONDS = 60


def test_schemathesis_finds_no_server_error_and_no_accepted_violation(tmp_path: Path) -> None:
    process, base_url = start_server(workers=1, demo=True)
    try:
        token = subprocess.run(
            [sys.executable, "-m", "samverkan", "token", "create", "--role", "admin"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base_url}/schema/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--phases",
                "coverage,fuzzing,stateful",
                "--checks",
                ",".join(CHECKS),
                "--max-time",
                str(SECONDS),
                "--workers",
                "1",  # two threads crash CPython 3.11's ast.parse in hypothesis (gh-106905)
                "--no-color",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=SECONDS + 120,
        )
    finally:
        stop_server(process)
    summary = run.stdout[run.stdout.rfind("SUMMARY") - 40 :]
    assert run.returncode == 0, run.stdout[-6000:]
    assert "Stateful" in summary and "Fuzzing" in summary, summary
