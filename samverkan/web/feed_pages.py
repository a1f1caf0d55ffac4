"""Subscription links from the network page: a coordinator makes links for others and sees and
revokes all of the network's; a member takes and revokes their own.

A new link is shown once. The post stores it in the server-side session and redirects
(post/redirect/get); the result page takes it out again, so reloading that page shows that the
link was already shown and never makes a second one.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Template

from directory.core.access import Principal
from directory.meetings.feed_tokens import FeedTokenService
from directory.meetings.schemas import FeedTokenCreated, FeedTokenIn
from directory.records.resources import NETWORKS
from directory.records.service import RecordService
from samverkan.web.embedding import redirect
from samverkan.web.notices import with_notice
from samverkan.web.rendering import page

WebRequest = Request[Principal, Any, Any]
_SHOWN_ONCE: Final = "new_feed_link"


def _result(request: WebRequest, network_id: uuid.UUID, created: FeedTokenCreated) -> Response[Any]:
    request.set_session(
        {
            **dict(request.session),
            _SHOWN_ONCE: {
                "id": str(created.id),
                "https": created.https_url,
                "webcal": created.webcal_url,
            },
        }
    )
    return redirect(f"/networks/{network_id}/feed/{created.id}")


@post("/networks/{network_id:uuid}/feed", name="create_feed")
async def create_feed(request: WebRequest, network_id: uuid.UUID) -> Response[Any]:
    """A coordinator's new link for someone, at the detail level they chose."""
    form = await request.form()
    data = msgspec.convert(
        {
            "scope": "network",
            "subject_id": str(network_id),
            "detail": form.get("detail", "partner"),
            "label": form.get("label", ""),
        },
        FeedTokenIn,
    )
    return _result(request, network_id, await FeedTokenService(request.user).create(data))


@post("/networks/{network_id:uuid}/feed/own", name="create_own_feed")
async def create_own_feed(request: WebRequest, network_id: uuid.UUID) -> Response[Any]:
    """A member's own link, without asking a coordinator."""
    created = await FeedTokenService(request.user).create_own(network_id)
    return _result(request, network_id, created)


@get("/networks/{network_id:uuid}/feed/{token_id:uuid}", name="feed_created")
async def feed_created(request: WebRequest, network_id: uuid.UUID, token_id: uuid.UUID) -> Template:
    """The new link, the first time only."""
    network = await RecordService(NETWORKS, request.user).get(network_id)
    session = dict(request.session)
    stored = session.get(_SHOWN_ONCE)
    feed = None
    if isinstance(stored, dict) and stored.get("id") == str(token_id):
        feed = stored
        session.pop(_SHOWN_ONCE)
        request.set_session(session)
    return await page(request, "feed_created.html", network=network, feed=feed)


@post("/networks/{network_id:uuid}/feed/{token_id:uuid}/revoke", name="revoke_network_feed")
async def revoke_feed(
    request: WebRequest, network_id: uuid.UUID, token_id: uuid.UUID
) -> Response[Any]:
    """The network's coordinators revoke any of its links; anyone their own."""
    await FeedTokenService(request.user).revoke(token_id)
    return redirect(with_notice(f"/networks/{network_id}#subscribe", "feed_revoked"))


FEED_HANDLERS = [create_feed, create_own_feed, feed_created, revoke_feed]
