"""docker-compose.yml and .env.example agree with the settings the app reads (Docker itself does
not run on these machines, so the files are checked here against the code)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from directory.core.setting_names import SETTING_NAMES
from directory.core.settings import load_settings
from samverkan.cli import main

ROOT = Path(__file__).parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
SAMVERKAN_SERVICES = ("migrate", "app", "worker")
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


def env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    return {name.strip(): value.strip() for name, value in pairs}


def interpolate(value: str, env: dict[str, str]) -> str:
    return VARIABLE.sub(lambda match: env.get(match[1]) or match[2] or "", value)


def test_the_services_are_the_scaled_set_up() -> None:
    assert set(SERVICES) == {"postgres", "meilisearch", "migrate", "app", "worker"}
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert re.fullmatch(r"getmeili/meilisearch:v1\.\d+\.\d+", SERVICES["meilisearch"]["image"])
    for name in SAMVERKAN_SERVICES:
        assert SERVICES[name]["build"] == "."


def test_every_command_is_a_real_cli_command() -> None:
    assert SERVICES["migrate"]["command"] == ["samverkan", "migrate"]
    assert SERVICES["worker"]["command"] == ["samverkan", "worker"]
    command = SERVICES["app"]["command"]
    assert command[:2] == ["samverkan", "serve"]
    assert int(command[command.index("--workers") + 1]) > 1
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 (inside its container)
    for name in SAMVERKAN_SERVICES:
        assert SERVICES[name]["command"][1] in main.commands  # type: ignore[attr-defined]


def test_migrations_run_once_before_the_app_and_the_worker() -> None:
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "restart" not in SERVICES["migrate"]
    for name in ("app", "worker"):
        assert SERVICES[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "meilisearch": {"condition": "service_healthy"},
        }


def test_health_checks_probe_the_right_endpoints() -> None:
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert "http://localhost:7700/health" in SERVICES["meilisearch"]["healthcheck"]["test"]
    assert "/ready" in " ".join(SERVICES["app"]["healthcheck"]["test"])


def test_the_app_port_is_the_one_it_listens_on() -> None:
    command = SERVICES["app"]["command"]
    port = command[command.index("--port") + 1]
    assert [mapping.rsplit(":", 1)[1] for mapping in SERVICES["app"]["ports"]] == [port]
    assert "ports" not in SERVICES["postgres"]
    assert "ports" not in SERVICES["meilisearch"]


def test_data_lives_in_declared_volumes() -> None:
    declared = set(COMPOSE["volumes"])
    mounts = {
        name: dict(volume.split(":", 1) for volume in service.get("volumes", []))
        for name, service in SERVICES.items()
    }
    assert mounts["postgres"] == {"postgres-data": "/var/lib/postgresql/data"}
    assert mounts["meilisearch"] == {"meili-data": "/meili_data"}
    for name in SAMVERKAN_SERVICES:
        assert mounts[name] == {"app-data": SERVICES[name]["environment"]["SAMVERKAN_DATA_DIR"]}
    assert {volume for mount in mounts.values() for volume in mount} == declared


def test_meilisearch_runs_in_production_with_the_shared_master_key() -> None:
    env = SERVICES["meilisearch"]["environment"]
    assert env["MEILI_ENV"] == "production"
    assert env["MEILI_MASTER_KEY"] == "${MEILI_MASTER_KEY}"
    for name in SAMVERKAN_SERVICES:
        assert SERVICES[name]["environment"]["MEILI_MASTER_KEY"] == "${MEILI_MASTER_KEY}"


@pytest.mark.parametrize("name", SAMVERKAN_SERVICES)
def test_the_app_services_set_only_settings_the_app_reads_and_all_it_needs(name: str) -> None:
    environment: dict[str, str] = SERVICES[name]["environment"]
    assert set(environment) <= set(SETTING_NAMES), set(environment) - set(SETTING_NAMES)
    database = urlsplit(interpolate(environment["DATABASE_URL"], env_example()))
    assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
    assert database.path == "/" + SERVICES["postgres"]["environment"]["POSTGRES_DB"]
    assert database.username == SERVICES["postgres"]["environment"]["POSTGRES_USER"]
    assert environment["SEARCH_BACKEND"] == "meilisearch"
    assert urlsplit(environment["MEILI_URL"]).netloc == "meilisearch:7700"


@pytest.mark.parametrize("name", SAMVERKAN_SERVICES)
def test_the_compose_environment_passes_the_settings_validation(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for setting in SETTING_NAMES:
        monkeypatch.delenv(setting, raising=False)
    example = env_example()
    for key, value in SERVICES[name]["environment"].items():
        monkeypatch.setenv(key, interpolate(str(value), example))
    settings = load_settings()
    assert settings.is_postgres
    assert settings.search_backend == "meilisearch"
    assert settings.meili_master_key == example["MEILI_MASTER_KEY"]
    assert settings.worker_in_app is False, "the web workers leave the outbox to the worker"


def test_env_example_lists_every_setting_and_every_variable_compose_uses() -> None:
    example = env_example()
    assert set(SETTING_NAMES) <= set(example), set(SETTING_NAMES) - set(example)
    used = set(VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    assert {name for name, _ in used} <= set(example)
    assert example["POSTGRES_PASSWORD"] and example["MEILI_MASTER_KEY"]


def test_the_dockerfile_installs_the_project() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY . ." in dockerfile
    assert "pip install ." in dockerfile
    for name in ("migrate", "worker"):
        assert SERVICES[name]["healthcheck"] == {"disable": True}


def test_setting_names_lists_every_variable_the_settings_module_reads() -> None:
    core = ROOT / "directory" / "core"
    source = (core / "settings.py").read_text() + (core / "metrics.py").read_text()
    reads = re.findall(
        r"(?:os\.environ(?:\.get)?[\[(]|_get\(|_int\(|_bool\(|_choice\(|_http_url\(|_address\(|"
        r"_power_of_two\(|_addresses\(|"
        r'_role_name\(\s*)"([A-Z][A-Z0-9_]+)"',
        source,
    )
    assert set(reads) == set(SETTING_NAMES)
