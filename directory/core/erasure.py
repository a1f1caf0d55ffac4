"""What else must forget a record erased for good (a data subject's request).

The records service erases the record itself; domains that keep references to it elsewhere
(meetings name invited contacts) register a hook here, so records need not know them. The
composition root registers them; each runs in the erasing transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

ErasureHook = Callable[[str, uuid.UUID], Awaitable[None]]
"""Called with the resource type ("contact", "organization", ...) and the erased id."""

_HOOKS: list[ErasureHook] = []


def on_erase(hook: ErasureHook) -> None:
    """Run ``hook`` for every erasure from now on (registering twice is harmless)."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


async def forget_everywhere(resource_type: str, record_id: uuid.UUID) -> None:
    for hook in _HOOKS:
        await hook(resource_type, record_id)
