"""``appinfo/info.xml`` and the Dockerfile agree with the app they describe."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from litestar import Litestar

import directory.core.settings
from samverkan.app import VERSION, create_app
from samverkan.cli import main
from tests.samverkan.nextcloud.conftest import APP_ID, APP_SECRET, APP_VERSION, FakeNextcloud
from tests.samverkan.nextcloud.conftest import appapi_settings as make_appapi_settings

ROOT = Path(__file__).resolve().parents[3]
INFO = ET.parse(ROOT / "appinfo" / "info.xml").getroot()  # noqa: S314 (our own file)
EXTERNAL = INFO.find("external-app")
LIFECYCLE = ("/heartbeat", "/init", "/enabled")


def _served(app: Litestar) -> dict[str, set[str]]:
    """Each path the app serves (path parameters filled in) with its HTTP methods."""
    served: dict[str, set[str]] = {}
    for route in app.routes:
        path = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", route.path)
        served.setdefault(path, set()).update(getattr(route, "methods", set()))
    return served


def test_info_xml_names_this_app_and_version() -> None:
    assert EXTERNAL is not None
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert INFO.findtext("id") == APP_ID
    assert INFO.findtext("version") == VERSION == pyproject["project"]["version"] == APP_VERSION
    docker = EXTERNAL.find("docker-install")
    assert docker is not None
    assert docker.findtext("registry") and docker.findtext("image")
    assert docker.findtext("image-tag") == VERSION


def test_info_xml_declares_the_nextcloud_versions_it_was_verified_with() -> None:
    """Nextcloud refuses an app outside its range; claim only what ran (README, Nextcloud)."""
    nextcloud = INFO.find("dependencies/nextcloud")
    assert nextcloud is not None
    assert (nextcloud.get("min-version"), nextcloud.get("max-version")) == ("34", "34")


def _urls() -> list[str]:
    assert EXTERNAL is not None
    return [route.findtext("url") or "" for route in EXTERNAL.findall("routes/route")]


def matches_current(url: str, path: str) -> bool:
    """AppAPI today (``ExAppProxyController::passesExAppProxyRoutesChecks``, main and stable30
    to stable34): ``preg_match('~^(?:' . url . ')~i', '/' . $exAppRoute)``, the path *with* its
    leading slash. The bare-path retry after it is a deprecated fallback and is left out here."""
    return re.match(f"^(?:{url})", "/" + path.removeprefix("/"), re.IGNORECASE) is not None


def matches_legacy(url: str, path: str) -> bool:
    """AppAPI before commit 4256b4e9 (April 2026): ``preg_match('/' . url . '/i', $exAppRoute)``,
    the path without its leading slash, ``/`` as the pattern's delimiter."""
    return re.search(url, path.removeprefix("/"), re.IGNORECASE) is not None


def _route(
    path: str, method: str, matches: Callable[[str, str], bool] = matches_current
) -> ET.Element | None:
    """The route AppAPI's proxy picks for ``path`` (as the app serves it) and ``method``: the
    first whose url matches and whose verbs hold the method; its access level then decides,
    without falling through to later routes."""
    assert EXTERNAL is not None
    for route in EXTERNAL.findall("routes/route"):
        url = route.findtext("url") or ""
        verbs = (route.findtext("verb") or "").split(",")
        if matches(url, path) and method in verbs:
            return route
    return None


def test_route_urls_are_valid_for_appapi() -> None:
    """An unescaped ``/`` ends the pattern of older AppAPI (``/`` delimiter) early, and the route
    then matches nothing; ``^\\/?`` lets each url match with and without the leading slash."""
    assert EXTERNAL is not None
    routes = EXTERNAL.findall("routes/route")
    assert routes
    for route in routes:
        url = route.findtext("url") or ""
        assert not re.search(r"(?<!\\)/", url), url
        assert url.startswith("^\\/?"), url
        assert route.findtext("access_level") in {"PUBLIC", "USER", "ADMIN"}
        assert set((route.findtext("verb") or "").split(",")) <= {"GET", "POST", "PUT", "DELETE"}
        assert route.findtext("headers_to_exclude") == "[]"


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/", "^\\/?$"),
        ("", "^\\/?$"),
        ("/api/v1/organizations", "^\\/?api\\/v1\\/"),
        ("/feeds/abc.ics", "^\\/?feeds\\/[^\\/]+$"),
        ("/networks", "^\\/?(networks|"),
        ("/networks/00000000-0000-0000-0000-000000000000/meetings", "^\\/?(networks|"),
    ],
)
def test_route_urls_match_with_and_without_the_leading_slash(path: str, url: str) -> None:
    """Current AppAPI matches without needing its deprecated bare-path fallback, and older
    AppAPI, which saw the path without ``/``, picks the same route."""
    current = _route(path, "GET", matches_current)
    legacy = _route(path, "GET", matches_legacy)
    assert current is not None and (current.findtext("url") or "").startswith(url), path
    assert legacy is current
    assert not matches_current("^(?:api\\/v1\\/)", "/api/v1/x")  # a bare url would not


def test_every_proxied_route_reaches_the_app_and_lifecycle_routes_are_not_proxied(
    nextcloud: FakeNextcloud,
) -> None:
    settings = directory.core.settings.get_settings()
    app = create_app(dataclasses.replace(settings, appapi=make_appapi_settings(nextcloud)))
    served = _served(app)
    assert EXTERNAL is not None
    for route in EXTERNAL.findall("routes/route"):
        url = route.findtext("url") or ""
        verbs = set((route.findtext("verb") or "").split(","))
        matched = {
            path: methods
            for path, methods in served.items()
            if matches_current(url, path) and matches_legacy(url, path)
        }
        assert matched, f"{url} matches nothing the app serves"
        assert verbs <= set().union(*matched.values()), url
    for path in (*LIFECYCLE, "/sign-in", "/sign-out", "/metrics", "/ready"):
        assert path in served
        assert _route(path, "GET") is None and _route(path, "POST") is None, path


def test_every_page_of_the_web_interface_is_proxied_for_signed_in_users(
    nextcloud: FakeNextcloud,
) -> None:
    settings = directory.core.settings.get_settings()
    app = create_app(dataclasses.replace(settings, appapi=make_appapi_settings(nextcloud)))
    pages = {
        path: methods
        for path, methods in _served(app).items()
        if not path.startswith(("/api/", "/schema", "/feeds/", "/static/"))
        and path not in (*LIFECYCLE, "/sign-in", "/sign-out", "/health", "/metrics", "/ready")
    }
    assert len(pages) > 30
    for path, methods in pages.items():
        for method in methods & {"GET", "POST"}:
            route = _route(path, method)
            assert route is not None, (method, path)
            assert route.findtext("access_level") == "USER", (method, path)
    for path, method, level in [
        ("/static/nextcloud-embed.js", "GET", "USER"),
        ("/api/v1/organizations", "POST", "USER"),
        ("/feeds/abc123.ics", "GET", "PUBLIC"),
        ("/health", "GET", "ADMIN"),
    ]:
        route = _route(path, method)
        assert route is not None and route.findtext("access_level") == level, path


def test_every_environment_variable_is_a_setting() -> None:
    assert EXTERNAL is not None
    names = [v.findtext("name") or "" for v in EXTERNAL.findall("environment-variables/variable")]
    source = inspect.getsource(directory.core.settings)
    assert names
    for name in names:
        assert f'"{name}"' in source, name


def test_dockerfile_runs_serve_on_appapi_host_port_and_storage() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.12-slim" in dockerfile
    assert "APP_PERSISTENT_STORAGE=/data" in dockerfile
    assert 'samverkan serve --host \\"$APP_HOST\\" --port \\"$APP_PORT\\"' in dockerfile


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_listens_on_app_port_and_keeps_sqlite_in_persistent_storage(
    tmp_path: Path, nextcloud: FakeNextcloud
) -> None:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SAMVERKAN_DATA_DIR"}
    }
    env |= {
        "APP_ID": APP_ID,
        "APP_SECRET": APP_SECRET,
        "APP_VERSION": APP_VERSION,
        "APP_HOST": "127.0.0.1",
        "APP_PORT": str(port),
        "NEXTCLOUD_URL": nextcloud.url,
        "APP_PERSISTENT_STORAGE": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "samverkan", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/heartbeat", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, "samverkan serve exited"
                assert time.monotonic() < deadline, "samverkan serve did not start"
                time.sleep(0.3)
        assert response.json() == {"status": "ok"}
        assert (tmp_path / "samverkan.sqlite").is_file()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_register_info_prints_the_manual_install_json_with_info_xmls_routes() -> None:
    """The JSON as ``ExAppService::getAppInfo`` reads ``--json-info``: root-level ``routes`` move
    under ``external-app`` with their access levels taken as they are (numbers), so each must be
    the number ``mapExAppRouteAccessLevelNameToNumber`` gives its name in ``info.xml``."""
    result = CliRunner().invoke(
        main, ["nextcloud", "register-info", "--port", "23000"], env={"APP_SECRET": APP_SECRET}
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert {key: info[key] for key in ("id", "version", "secret", "port")} == {
        "id": APP_ID,
        "version": VERSION,
        "secret": APP_SECRET,
        "port": 23000,
    }
    assert info["daemon_config_name"] == "manual_install" and info["name"] == "Samverkan"
    assert EXTERNAL is not None
    levels = {"PUBLIC": 0, "USER": 1, "ADMIN": 2}  # app_api Db/ExApp.php ExAppRouteAccessLevel
    expected = [
        {
            "url": route.findtext("url"),
            "verb": route.findtext("verb"),
            "access_level": levels[route.findtext("access_level") or ""],
            "headers_to_exclude": [],
        }
        for route in EXTERNAL.findall("routes/route")
    ]
    assert info["routes"] == expected and len(expected) == len(_urls())


def test_register_info_without_a_secret_names_it() -> None:
    result = CliRunner().invoke(main, ["nextcloud", "register-info", "--port", "1"], env={})
    assert result.exit_code == 2 and "--secret" in result.output


def test_readme_registers_the_manual_install_with_register_info() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "samverkan nextcloud register-info" in readme
    assert "--json-info '{" not in readme
