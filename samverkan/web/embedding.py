"""The web interface served inside another site, such as Nextcloud through AppAPI's proxy.

An embedding is set per request by the host's middleware (:mod:`samverkan.nextcloud.embedding`)
and says what the pages need:

- ``root``: the path prefix under which the browser reaches Samverkan; every link, form action,
  asset URL and redirect starts with it (``{{ root }}/networks`` in the templates).
- ``csrf_token``: the form token expected of this user. No cookie of ours can be relied on
  through the host's proxy, so the token is derived from the user instead (see :mod:`.security`).

Without an embedding (standalone) ``root`` is empty and the pages are exactly as before. The
embedding lives in a context variable, like the locale, so templates and redirects need no
extra parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from litestar import Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from markupsafe import escape


@dataclass(frozen=True)
class Embedding:
    root: str
    csrf_token: str


_current: ContextVar[Embedding | None] = ContextVar("samverkan_embedding", default=None)


def current() -> Embedding | None:
    return _current.get()


def activate(embedding: Embedding) -> Token[Embedding | None]:
    """Set the embedding for this request; give the token back to :func:`deactivate`."""
    return _current.set(embedding)


def deactivate(token: Token[Embedding | None]) -> None:
    _current.reset(token)


def url_root() -> str:
    embedding = _current.get()
    return embedding.root if embedding else ""


class UrlRoot:
    """``{{ root }}`` in templates: the current request's path prefix, escaped like any value."""

    def __str__(self) -> str:
        return url_root()

    def __html__(self) -> str:
        return str(escape(url_root()))


def redirect(path: str, cookies: Iterable[Cookie] = ()) -> Response[Any]:
    """The one way the web interface sends the browser to ``path`` (an app path like ``/x``).

    Standalone this is an ordinary redirect. Embedded, it is a small page that moves on with
    ``<meta http-equiv="refresh">``: Nextcloud's HTTP client follows an ExApp's redirects itself
    (AppAPI sets ``allow_local_address`` for ExApps, and OC\\Http\\Client only restricts redirects
    otherwise), so a 3xx would never reach the browser: its address would stay on the form's URL
    and cookies set with the redirect would be lost.
    """
    embedding = _current.get()
    if embedding is None:
        return Redirect(path, cookies=list(cookies))
    return Template("moved.html", context={"target": embedding.root + path}, cookies=list(cookies))
