"""How text becomes search terms: Swedish letters folded, phones as digits, emails whole.

The same folding runs on documents and on queries, so ``tyreso`` finds Tyresö and ``Tyresö``
finds text written ``Tyreso``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[0-9a-z]+")
_ADDRESS = re.compile(r"[0-9a-z][0-9a-z._%+-]*@[0-9a-z.-]+\.[a-z]{2,}|[0-9a-z-]+(?:\.[0-9a-z-]+)+")
_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})
# The letters of Swedish text, folded without a round trip through Unicode decomposition.
_COMMON = str.maketrans("åäöéèëêüáàíóúñç", "aaoeeeeuaaiounc")
MIN_PHONE_SUFFIX = 3


@functools.lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without diacritics: ``Rädda Barnen`` -> ``radda barnen`` (cached: the same
    words are folded again and again for highlights)."""
    lowered = text.lower().translate(_COMMON)
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_SPECIAL))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return _WORD.findall(fold(text))


def addresses(text: str) -> list[str]:
    """Dotted terms kept whole: emails, their domains and web addresses (``polisen.se``)."""
    found: list[str] = []
    for match in _ADDRESS.findall(fold(text)):
        term = match.strip(".-")
        found.append(term)
        if "@" in term:
            found.append(term.rpartition("@")[2])
    return found


def query_terms(text: str) -> list[str]:
    """A query's terms: dotted addresses stay whole, everything else splits into words."""
    terms: list[str] = []
    for chunk in fold(text).split():
        if _ADDRESS.fullmatch(chunk.strip(".,;:")):
            terms.append(chunk.strip(".,;:-"))
        else:
            terms.extend(_WORD.findall(chunk))
    return terms


def phone_terms(number: str) -> list[str]:
    """The digits of ``number`` from each group on, so a prefix lookup finds any part of it.

    ``08-578 29 100`` yields ``0857829100``, ``857829100``, ``57829100``, ``29100`` and ``100``:
    ``57829`` typed from the middle of the number matches by prefix. ``+46`` counts as ``0``.
    """
    groups = re.findall(r"\d+", number.replace("+46", "0", 1))
    digits = "".join(groups)
    terms = [digits, digits.lstrip("0")]
    for index in range(1, len(groups)):
        terms.append("".join(groups[index:]))
    return [term for term in dict.fromkeys(terms) if len(term) >= MIN_PHONE_SUFFIX]


def typo_budget(length: int) -> int:
    """Typos allowed in a word of ``length`` letters: Meilisearch's defaults (5 -> 1, 9 -> 2)."""
    if length >= 9:
        return 2
    if length >= 5:
        return 1
    return 0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), capped at
    ``limit + 1`` so that callers only learn whether it is within the budget."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous_previous[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return min(previous[len(b)], limit + 1)


def deletes(term: str, depth: int) -> set[str]:
    """All strings made by removing up to ``depth`` characters (SymSpell's neighbourhood)."""
    found = {term}
    frontier = {term}
    for _ in range(depth):
        frontier = {word[:i] + word[i + 1 :] for word in frontier for i in range(len(word))}
        found |= frontier
    return found
