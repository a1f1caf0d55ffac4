"""Every UI string goes through the catalogue, and Swedish has a translation for each."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from samverkan.web.templating import TEMPLATE_DIR, environment

WEB = Path(__file__).parents[3] / "samverkan" / "web"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
_TAG = re.compile(r"<[^>]*>", re.S)
_ATTRIBUTE = re.compile(r'[\w-]+="[^"]*"')  # attribute fragments a macro emits
_TEXT_ATTRIBUTE = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"')


def _extracted() -> set[str | tuple[str, ...]]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(WEB),
        method_map=[("templates/**.html", "jinja2.ext.babel_extract"), ("**.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    ):
        found.add(message)
    return found


def test_every_message_has_a_swedish_translation() -> None:
    with (WEB / "locale" / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        catalog = read_po(stream)
    messages = _extracted()
    assert len(messages) > 50
    for message in messages:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        assert entry is not None, f"{message!r} is missing from sv/messages.po"
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(translations), f"{message!r} has no Swedish translation"


def test_templates_hold_no_untranslated_text() -> None:
    """Outside template tags, only markup, punctuation and whitespace remain."""
    env = environment()
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        source = path.read_text()
        data = "".join(value for _, token, value in env.lex(source) if token == "data")
        for attribute in _TEXT_ATTRIBUTE.findall(data):
            assert not re.search(r"[A-Za-zÅÄÖåäö]", attribute), f"{path.name}: {attribute!r}"
        text = _ATTRIBUTE.sub(" ", _TAG.sub(" ", data))
        assert not re.search(r"[A-Za-zÅÄÖåäö]{2,}", text), f"{path.name}: {text.split()!r}"
