"""What ``appinfo/info.xml`` tells AppAPI, as the JSON of a manual install.

``occ app_api:app:register … --json-info`` does not read ``info.xml``; it takes a JSON object
(app_api ``ExAppService::getAppInfo``): ``routes`` may sit at its root, where they are moved under
``external-app``, but unlike the XML path their ``access_level`` is *not* mapped from its name,
so the number is given (``ExAppRouteAccessLevel``: PUBLIC 0, USER 1, ADMIN 2), and
``headers_to_exclude`` is stored only when it is a list (``ExAppMapper::registerExAppRoutes``).
Deriving the JSON from ``info.xml`` keeps the manual install and the manifest from drifting.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import msgspec

INFO_XML = Path(__file__).resolve().parents[2] / "appinfo" / "info.xml"
ACCESS_LEVELS = {"PUBLIC": 0, "USER": 1, "ADMIN": 2}


class AppInfoError(ValueError):
    """``info.xml`` is missing or lacks something AppAPI needs; the message says what."""


class Route(msgspec.Struct):
    url: str
    verb: str
    access_level: int
    headers_to_exclude: list[str]


class ManualInstall(msgspec.Struct):
    """The ``--json-info`` of ``occ app_api:app:register APP manual_install``."""

    id: str
    name: str
    daemon_config_name: str
    version: str
    secret: str
    port: int
    routes: list[Route]


def _text(element: ET.Element, path: str) -> str:
    value = (element.findtext(path) or "").strip()
    if not value:
        raise AppInfoError(f"info.xml has no {path}")
    return value


def _route(element: ET.Element) -> Route:
    level = _text(element, "access_level")
    if level not in ACCESS_LEVELS:
        raise AppInfoError(f"info.xml: unknown access_level {level!r}")
    excluded: Any = msgspec.json.decode(element.findtext("headers_to_exclude") or "[]")
    if not isinstance(excluded, list) or not all(isinstance(name, str) for name in excluded):
        raise AppInfoError("info.xml: headers_to_exclude must be a JSON list of header names")
    return Route(_text(element, "url"), _text(element, "verb"), ACCESS_LEVELS[level], excluded)


def manual_install(
    secret: str, port: int, daemon: str = "manual_install", info_xml: Path = INFO_XML
) -> ManualInstall:
    """Raises :class:`AppInfoError` when ``info.xml`` is unreadable or incomplete."""
    try:
        info = ET.parse(info_xml).getroot()  # noqa: S314 (the app's own manifest)
    except (OSError, ET.ParseError) as error:
        raise AppInfoError(f"cannot read {info_xml}: {error}") from error
    routes = [_route(route) for route in info.findall("external-app/routes/route")]
    if not routes:
        raise AppInfoError("info.xml declares no routes")
    return ManualInstall(
        id=_text(info, "id"),
        name=_text(info, "name"),
        daemon_config_name=daemon,
        version=_text(info, "version"),
        secret=secret,
        port=port,
        routes=routes,
    )
