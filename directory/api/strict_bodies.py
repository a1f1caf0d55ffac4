"""JSON request bodies are read as strictly as the schema documents them.

Litestar converts a decoded body to the handler's type leniently (``strict=False`` in
``litestar/_signature/model.py``, ``SignatureModel.parse_values_from_connection_kwargs``), so
``"is_public": 0`` passed as ``false``, ``"5"`` as a number and a number as a date-time. This hook
decodes the body once more, strictly, before the handler runs, and answers 400 in Litestar's own
shape for what the strict reading refuses. The body is cached on the request, so it is read once.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from directory.core.schemas import rejected


async def check_body_strictly(request: Request[Any, Any, Any]) -> None:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None or request.content_type[0] not in {"application/json", ""}:
        return
    body = await request.body()
    if not body:
        return
    try:
        msgspec.json.decode(body, type=data.annotation, strict=True)
    except msgspec.ValidationError as error:
        message, path = rejected(error)
        raise ValidationException(
            f"Validation failed for {request.method} {request.url.path}",
            extra=[{"message": message, "key": path or "data", "source": "body"}],
        ) from None
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own decoding answers that
