"""The language switch: the choice is a cookie, so it also works before signing in."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from msgspec import Struct

from samverkan.web.embedding import redirect
from samverkan.web.i18n import DEFAULT_LOCALE, LANGUAGE_COOKIE, LOCALES
from samverkan.web.session import safe_next

_ONE_YEAR = 365 * 24 * 3600


class LanguageForm(Struct):
    language: str = DEFAULT_LOCALE
    next: str = "/"


@post("/language", name="language", status_code=303)
async def switch_language(
    data: Annotated[LanguageForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[Any]:
    language = data.language if data.language in LOCALES else DEFAULT_LOCALE
    return redirect(
        safe_next(data.next),
        cookies=[
            Cookie(
                key=LANGUAGE_COOKIE,
                value=language,
                max_age=_ONE_YEAR,
                httponly=True,
                samesite="lax",
                path="/",
            )
        ],
    )
