"""What a CardDAV/CalDAV collection holds on the server right now, so a push repairs drift.

One PROPFIND (Depth 0) asks for the collection's resource type and its ``DAV:sync-token``
(RFC 6578 section 4). If the token is the one stored after the last push, nothing changed on
the server and nothing more is asked. Otherwise a ``sync-collection`` REPORT (RFC 6578 section
3) with the stored token lists what changed since, or with an empty token every member; a
server without sync-collection gets a Depth 1 PROPFIND of every member's ``getetag``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from sync.dav_session import DavRejected, DavSession

CollectionKind = Literal["addressbook", "calendar"]
RESOURCE_TYPES = {
    "addressbook": "{urn:ietf:params:xml:ns:carddav}addressbook",
    "calendar": "{urn:ietf:params:xml:ns:caldav}calendar",
}
_XML = {"Content-Type": "application/xml; charset=utf-8"}
_PROPFIND_STATE = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:sync-token/></D:prop></D:propfind>"""
_PROPFIND_ETAGS = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>"""
_SYNC_COLLECTION = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""


def member_key(href: str) -> str:
    """A member's path, decoded, so an absolute URL and a server's href compare equal."""
    return unquote(urlsplit(href).path)


@dataclass(frozen=True)
class ServerView:
    """A collection as the server holds it.

    ``members`` maps each member's path to its ETag when the whole collection was listed;
    ``changes`` maps the paths changed since the stored token to their ETag (None: removed)
    when only the changes were; with neither, nothing changed since the stored token.
    """

    exists: bool
    token: str | None = None
    members: dict[str, str] | None = None
    changes: dict[str, str | None] | None = None

    def etag(self, href: str, recorded: str | None) -> str | None:
        """The server's ETag for ``href`` (None: it is not there), given the one we recorded."""
        if not self.exists:
            return None
        key = member_key(href)
        if self.members is not None:
            return self.members.get(key)
        if self.changes is not None and key in self.changes:
            return self.changes[key]
        return recorded


def _parse(text: str) -> ET.Element:
    # The server is the one the administrator configured; expat limits entity expansion.
    return ET.fromstring(text)  # noqa: S314


def _members(tree: ET.Element, collection: str) -> dict[str, str | None]:
    """Path → ETag of every member response (None for a 404: removed), the collection left out."""
    own = member_key(collection).rstrip("/")
    found: dict[str, str | None] = {}
    for response in tree.findall("{DAV:}response"):
        key = member_key(response.findtext("{DAV:}href") or "")
        if key.rstrip("/") == own:
            continue
        status = response.findtext("{DAV:}status") or ""
        etag = response.findtext(".//{DAV:}getetag")
        found[key] = None if " 404 " in f"{status} " or not etag else etag
    return found


async def _sync_collection(
    session: DavSession, url: str, token: str
) -> tuple[dict[str, str | None], str] | None:
    """The changes since ``token`` (every member for ``""``) and the new token, or None when
    the server refuses (an unknown or expired token: RFC 6578 section 3.2, 403 or 409)."""
    body = _SYNC_COLLECTION.format(token=token.replace("&", "&amp;").replace("<", "&lt;"))
    response = await session.request(
        "REPORT", url, headers={**_XML, "Depth": "0"}, content=body.encode()
    )
    if response.status_code != 207:
        return None
    tree = _parse(response.text)
    return _members(tree, url), tree.findtext("{DAV:}sync-token") or ""


async def read_collection(
    session: DavSession, url: str, kind: CollectionKind, token: str
) -> ServerView:
    """What the server holds at ``url``; ``token`` is the one stored after the last push
    (``""`` for none). Raises ``DavRejected`` when the server refuses the PROPFIND."""
    found = await session.request(
        "PROPFIND", url, headers={**_XML, "Depth": "0"}, content=_PROPFIND_STATE
    )
    if found.status_code == 404:
        return ServerView(exists=False)
    if found.status_code != 207:
        raise DavRejected("PROPFIND", url, found.status_code)
    tree = _parse(found.text)
    # A missing resource may come back as a 207 whose only status is 404, as Xandikos answers.
    if tree.find(f".//{{DAV:}}resourcetype/{RESOURCE_TYPES[kind]}") is None:
        return ServerView(exists=False)
    current = tree.findtext(".//{DAV:}sync-token")
    if current:
        if token and current == token:
            return ServerView(exists=True, token=token)
        if token and (delta := await _sync_collection(session, url, token)) is not None:
            return ServerView(exists=True, token=delta[1] or None, changes=delta[0])
        if (full := await _sync_collection(session, url, "")) is not None:
            members = {key: etag for key, etag in full[0].items() if etag is not None}
            return ServerView(exists=True, token=full[1] or None, members=members)
    listing = await session.request(
        "PROPFIND", url, headers={**_XML, "Depth": "1"}, content=_PROPFIND_ETAGS
    )
    if listing.status_code != 207:
        raise DavRejected("PROPFIND", url, listing.status_code)
    members = {k: e for k, e in _members(_parse(listing.text), url).items() if e is not None}
    return ServerView(exists=True, members=members)
