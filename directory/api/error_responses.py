"""The error answers of each ``/api/v1`` operation, documented in the OpenAPI schema.

Every such answer comes from one of a few places (the authenticator chain, the role guards, the
services' domain errors mapped in :mod:`directory.api.exception_handlers`, the storage-fault
handler), each tied to something visible in the operation itself: a guard, a path parameter, an
``If-Match`` header, a request body. So the documentation is derived from those, when the route
is registered, instead of being repeated on ninety handlers where it would drift. The one error
no signature shows, 409, a handler declares with ``opt={"conflict": "when"}``.
"""

from __future__ import annotations

import msgspec
import msgspec.inspect
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

API_PREFIX = "/api/v1"
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_NOT_INPUT = {"request", "if_match", "state", "scope"}


class ErrorBody(msgspec.Struct):
    """Every error answer's body; ``extra`` lists the rejected fields (``key``, ``message``)."""

    status_code: int
    detail: str
    extra: list[dict[str, str]] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


def _refers_to_records(handler: HTTPRouteHandler) -> bool:
    """Whether the request body names other records by id (each may not exist)."""
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None or not isinstance(data.annotation, type):
        return False
    if not issubclass(data.annotation, msgspec.Struct):
        return False
    info = msgspec.inspect.type_info(data.annotation)
    assert isinstance(info, msgspec.inspect.StructType)
    return any(_names_uuid(field.type) for field in info.fields)


def _names_uuid(info: msgspec.inspect.Type) -> bool:
    if isinstance(info, msgspec.inspect.UUIDType):
        return True
    if isinstance(info, msgspec.inspect.UnionType):
        return any(_names_uuid(member) for member in info.types)
    if isinstance(info, msgspec.inspect.ListType | msgspec.inspect.SetType):
        return _names_uuid(info.item_type)
    return False


def error_responses(route: HTTPRoute, handler: HTTPRouteHandler) -> dict[int, ResponseSpec]:
    """The error status codes ``handler`` can answer with, each with when it does."""
    methods = handler.http_methods
    inputs = set(handler.parsed_fn_signature.parameters) - _NOT_INPUT
    responses = {
        401: _spec("No valid token or session"),
        429: _spec("Too many requests with unknown tokens from this address; see Retry-After"),
    }
    if handler.resolve_guards() or methods & _WRITES:
        responses[403] = _spec("The caller's role may not do this")
    if route.path_parameters or _refers_to_records(handler):
        responses[404] = _spec("No such record, or not visible to the caller")
    if inputs:
        responses[422] = _spec("A value was rejected; extra names each field and why")
    if "if_match" in handler.parsed_fn_signature.parameters:
        responses[412] = _spec("The record changed since the If-Match ETag; the ETag header is new")
        responses[428] = _spec("If-Match is required: read the record first and send its ETag")
    if conflict := handler.opt.get("conflict"):
        responses[409] = _spec(conflict)
    if methods & _WRITES:
        responses[503] = _spec("Storage is read-only or full; nothing was written, retry later")
    return responses


class ErrorResponses(ReceiveRoutePlugin):
    """Adds :func:`error_responses` to the API's operations as the app registers them."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            return
        for handler in route.route_handlers:
            handler.responses = {**error_responses(route, handler), **(handler.responses or {})}
