"""``appinfo/info.xml`` and the Dockerfile agree with the app they describe."""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
from litestar import Litestar

import directory.settings
from samverkan.app import VERSION, create_app
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


def test_every_proxied_route_reaches_the_app_and_lifecycle_routes_are_not_proxied(
    nextcloud: FakeNextcloud,
) -> None:

    settings = directory.settings.get_settings()
    app = create_app(dataclasses.replace(settings, appapi=make_appapi_settings(nextcloud)))
    served = _served(app)
    assert EXTERNAL is not None
    routes = EXTERNAL.findall("routes/route")
    assert routes
    for route in routes:
        pattern = re.compile(route.findtext("url") or "")
        verbs = set((route.findtext("verb") or "").split(","))
        assert route.findtext("access_level") in {"PUBLIC", "USER", "ADMIN"}
        matched = {path: methods for path, methods in served.items() if pattern.match(path)}
        assert matched, f"{pattern.pattern} matches nothing the app serves"
        assert verbs <= set().union(*matched.values()), pattern.pattern
    for path in LIFECYCLE:
        assert path in served
        assert not any(re.match(route.findtext("url") or "", path) for route in routes)


def test_every_environment_variable_is_a_setting() -> None:
    assert EXTERNAL is not None
    names = [v.findtext("name") or "" for v in EXTERNAL.findall("environment-variables/variable")]
    source = inspect.getsource(directory.settings)
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
