"""Every UI string goes through the catalogue, and Swedish has a translation for each."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from samverkan.web.templating import TEMPLATE_DIR, environment

ROOT = Path(__file__).parents[3]
WEB = ROOT / "samverkan" / "web"
SOURCES = (WEB, ROOT / "directory", ROOT / "search", ROOT / "samverkan" / "nextcloud")
_TAG = re.compile(r"<[^>]*>", re.S)
_ATTRIBUTE = re.compile(r'[\w-]+="[^"]*"')  # attribute fragments a macro emits
_TEXT_ATTRIBUTE = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"')


def _extracted() -> set[str | tuple[str, ...]]:
    """Every message id, found with the project's extraction config (babel.cfg)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for source in SOURCES:
        for _, _, message, _, _ in extract_from_dir(
            str(source), method_map, options_map, keywords=DEFAULT_KEYWORDS
        ):
            found.add(message)
    return found


def _catalog(language: str) -> Catalog:
    with (WEB / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        return read_po(stream, locale=language)


def test_every_message_has_a_swedish_translation() -> None:
    catalog = _catalog("sv")
    messages = _extracted()
    assert len(messages) > 250
    assert "%(value)s is not a valid email address" in messages  # the domain's messages too
    for message in messages:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        assert entry is not None, f"{message!r} is missing from sv/messages.po"
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(translations), f"{message!r} has no Swedish translation"


def test_both_catalogues_are_complete_and_nothing_is_fuzzy() -> None:
    swedish, english = _catalog("sv"), _catalog("en")
    assert {m.id for m in swedish if m.id} == {m.id for m in english if m.id}
    for entry in swedish:
        if entry.id:
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            assert all(strings), f"{entry.id!r} has no Swedish translation"
            assert not entry.fuzzy, f"{entry.id!r} is marked fuzzy"
    assert not any(entry.fuzzy for entry in english if entry.id)


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
