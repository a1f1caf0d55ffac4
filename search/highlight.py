"""What a hit shows of its text: HTML-escaped, with ``<mark>`` around the words that matched.

Text is compared in NFC, so a title stored decomposed (``Tyreso`` + combining diaeresis) is
marked exactly like the composed one, never with the accent cut off outside the mark.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from search.text import fold, words

Marker = Callable[[str], bool]
"""Whether a folded word of the text matched the query (and so is marked)."""

_TOKEN = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 12


def composed(text: str) -> str:
    """``text`` in NFC (cheap when it already is)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def highlight(text: str, marked: Marker) -> str:
    """``text`` HTML-escaped, with ``<mark>`` around the words whose folded form ``marked``."""
    text = composed(text)
    parts: list[str] = []
    position = 0
    for token in _TOKEN.finditer(text):
        parts.append(html.escape(text[position : token.start()]))
        word = html.escape(token.group())
        parts.append(f"<mark>{word}</mark>" if marked(fold(token.group())) else word)
        position = token.end()
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def snippet(text: str, marked: Marker) -> str:
    """A short window of ``text`` around its first matched word, or ``""`` if none matched."""
    tokens = composed(text).split()
    for index, token in enumerate(tokens):
        if any(marked(word) for word in words(token)):
            start = max(0, index - SNIPPET_WORDS // 3)
            window = " ".join(tokens[start : start + SNIPPET_WORDS])
            prefix = "… " if start else ""
            suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
            return prefix + highlight(window, marked) + suffix
    return ""
