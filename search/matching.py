"""The query layer over the tantivy index: how a typed query becomes ranked hits.

A query is cut into units: a word, or a run of words that a synonym names (``social
services``), each with its alternatives (the synonym's other phrases, or the two halves of a
compound no document has whole, ``skolkurator`` -> ``skol`` + ``kurator``). A phone number as
printed (``08-527 44 290``, ``578 29``) is one unit of its digits.

Ranking is Meilisearch's bucket sort, as tiers tried best first; a hit is in the first tier it
satisfies, and hits within a tier are in title order (a number in the ``order`` fast field), so
ties never depend on the edit history:

1. the whole title is the query;
2. every unit in the title, the first one starting it (``ty`` -> Tyresö kommun);
3. every unit a whole word of the title; 4. ... or a prefix of one;
5. every unit a whole word of the title or subtitle (a contact's role, ``säkerhetssamordnare``);
6. ... or a prefix of one;
7. every unit without typos anywhere (body, municipality, phone, address, word parts);
8. every unit in the title with one typo, 9. with two (``polsien`` -> Polisen);
10. everything that matches, typos in the title or subtitle.

The last word is the one being typed: it matches as a prefix, typos included (``socai`` ->
Socialjouren). Typo budgets are Meilisearch's (5 letters -> 1, 9 -> 2).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import tantivy

from search.engine import PART_MAX, PART_MIN, SCHEMA
from search.text import edit_distance, fold, query_terms, typo_budget, words

Query = tantivy.Query
Occur = tantivy.Occur
_PHONE_CHARS = set("0123456789 -+()/")
MIN_PHONE_DIGITS = 3
MAX_UNIT_WORDS = 4
TYPO_MIN_LENGTH = 4
# A prefix shorter than this finds title and subtitle words only: ``1`` or ``ty`` as the start
# of any word of any description is noise that costs a walk over thousands of terms.
MIN_LOOSE_PREFIX = 3
_SHORT_PREFIX_FIELDS = ("lead", "title", "subtitle")


class Scope(enum.IntEnum):
    """Where, and how loosely, a unit must match to be in a tier (see the module doc)."""

    LEAD = 2
    TITLE_WORD = 3
    TITLE_PREFIX = 4
    ROLE_WORD = 5
    ROLE_PREFIX = 6
    CLEAN = 7
    TITLE_TYPO1 = 8
    TITLE_TYPO2 = 9
    ANY = 10


@dataclass(frozen=True)
class Unit:
    words: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    typed: bool = False  # the last unit: its last word is still being typed
    phone: bool = False
    typo_prefix: bool = False  # the typed word may be a misspelt prefix (nothing has it clean)
    typos: bool = False  # nothing has it clean, so it may be misspelt (a four-letter word too)
    named: bool = False  # the words are a synonym's own phrase (not an inflection of one)
    further: tuple[tuple[str, ...], ...] = ()  # synonyms of synonyms: found, but ranked low


@dataclass
class Synonyms:
    """Phrases (tuples of folded words) and the phrases each also finds."""

    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def of(cls, mapping: Mapping[str, Sequence[str]]) -> Synonyms:
        """From ``term -> phrases``: already both ways where a synonym is (see
        :func:`search.synonyms.expanded`)."""
        groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for term, phrases in mapping.items():
            key = tuple(words(term))
            if key:
                found = groups.setdefault(key, [])
                found += [tuple(words(phrase)) for phrase in phrases if words(phrase)]
        return cls(groups)

    def key_of(self, phrase: tuple[str, ...]) -> tuple[str, ...]:
        """The synonym key ``phrase`` names: itself, or for one word the key it inflects with
        up to two letters (``socialtjänsten`` names ``socialtjänst``)."""
        if phrase in self.groups or len(phrase) != 1 or len(phrase[0]) < 5:
            return phrase
        word = phrase[0]
        for cut in (1, 2):
            if (word[:-cut],) in self.groups:
                return (word[:-cut],)
        return phrase

    def alternatives(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """What ``key`` also finds directly."""
        return tuple(phrase for phrase in self.groups.get(key, []) if phrase != key)

    def further(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """What ``key`` finds one hop further: ``mosque`` -> ``moské`` -> the phrases of moské
        (a two-way English name reaches what its Swedish term finds)."""
        direct = self.alternatives(key)
        found = dict.fromkeys(p for a in direct for p in self.groups.get(a, []))
        for phrase in (key, *direct):
            found.pop(phrase, None)
        return tuple(found)


def phone_digits(text: str) -> str | None:
    """The digits of ``text`` if it is a phone number as printed (``070-174 06 35``)."""
    stripped = text.strip()
    if not stripped or not set(stripped) <= _PHONE_CHARS:
        return None
    digits = "".join(char for char in stripped.replace("+46", "0", 1) if char.isdigit())
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def units(text: str, synonyms: Synonyms) -> list[Unit]:
    digits = phone_digits(text)
    if digits is not None:
        return [Unit((digits,), typed=True, phone=True)]
    terms = query_terms(text)
    found: list[Unit] = []
    position = 0
    while position < len(terms):
        for length in range(min(MAX_UNIT_WORDS, len(terms) - position), 0, -1):
            key = tuple(terms[position : position + length])
            if length == 1 or key in synonyms.groups:
                named = synonyms.key_of(key)
                alternatives = synonyms.alternatives(named)
                if named != key:  # an inflected key: the key itself is an alternative too
                    alternatives = (named, *alternatives)
                typed = position + length == len(terms)
                further = synonyms.further(named)
                found.append(
                    Unit(key, alternatives, typed, named=key in synonyms.groups, further=further)
                )
                position += length
                break
    return found


def _term(name: str, word: str) -> Query:
    return Query.term_query(SCHEMA, name, word)


def _prefix(name: str, word: str) -> Query:
    return Query.fuzzy_term_query(SCHEMA, name, word, 0, True, True)


def _any(queries: Sequence[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, query) for query in queries])


def _all(queries: Sequence[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, query) for query in queries])


def _word(
    word: str, prefix: bool, scope: Scope, typo_prefix: bool = False, typos: bool = False
) -> Query:
    """Documents where ``word`` matches within ``scope`` (as a prefix too if ``prefix``);
    with ``typos`` (see :attr:`Unit.typos`) also misspelt, as a prefix too if ``typo_prefix``.
    Without ``typos`` the typo scopes match like their clean ones."""

    def exact_or_prefix(*fields: str) -> list[Query]:
        found = [_term(name, word) for name in fields]
        if prefix:
            found += [_prefix(name, word) for name in fields if name in _SHORT_PREFIX_FIELDS
                      or len(word) >= MIN_LOOSE_PREFIX]  # fmt: skip
        return found

    if scope == Scope.LEAD:
        return _any(exact_or_prefix("lead"))
    if scope == Scope.TITLE_WORD:
        return _term("title", word)
    if scope == Scope.TITLE_PREFIX:
        return _any(exact_or_prefix("title"))
    if scope == Scope.ROLE_WORD:
        return _any([_term("title", word), _term("subtitle", word)])
    if scope == Scope.ROLE_PREFIX:
        return _any(exact_or_prefix("title", "subtitle"))
    clean = exact_or_prefix("title", "subtitle", "body", "place", "address")
    if PART_MIN <= len(word) <= PART_MAX:
        clean.append(_term("parts", word))
    if word.isdigit():
        clean.append(_prefix("phone", word))
    if scope == Scope.CLEAN:
        return _any(clean)
    budget = typo_budget(len(word)) or (1 if len(word) >= TYPO_MIN_LENGTH else 0)
    if not typos or not word.isalpha():
        budget = 0
    if scope in (Scope.TITLE_TYPO1, Scope.TITLE_TYPO2):
        distance = min(budget, 1 if scope == Scope.TITLE_TYPO1 else 2)
        misspelt = [Query.fuzzy_term_query(SCHEMA, "title", word, distance, True, typo_prefix)]
        return _any(exact_or_prefix("title") + (misspelt if distance else []))
    fuzzy = [
        Query.fuzzy_term_query(SCHEMA, name, word, budget, True, typo_prefix)
        for name in ("title", "subtitle")
    ]
    return _any(clean + (fuzzy if budget else []))


def _phrase(
    phrase: tuple[str, ...], typed: bool, scope: Scope, loose: bool, unit: Unit | None = None
) -> Query:
    """Every word of ``phrase``; ``loose`` (synonyms, compound halves) lets each be a prefix;
    ``unit`` (when ``phrase`` is its own words) brings its typo allowances."""
    last = len(phrase) - 1
    typo_prefix = unit is not None and unit.typo_prefix
    typos = unit is not None and unit.typos
    return _all(
        [
            _word(word, loose or (typed and n == last), scope, typo_prefix and n == last, typos)
            for n, word in enumerate(phrase)
        ]
    )


def unit_query(unit: Unit, scope: Scope) -> Query:
    if unit.phone:
        digits = unit.words[0]
        phones = [_prefix("phone", digits), _prefix("phone", digits.lstrip("0") or digits)]
        return _any([*phones, _term("title", digits)])
    lead_scope = Scope.TITLE_PREFIX if scope == Scope.LEAD else scope
    options = [_phrase(unit.words, unit.typed, scope, False, unit)]
    options += [_phrase(alt, unit.typed, lead_scope, True) for alt in unit.alternatives]
    if scope >= Scope.CLEAN:
        options += [_phrase(alt, unit.typed, scope, True) for alt in unit.further]
    return _any(options)


# The tiers that contain every tier before them: a later tier need only exclude these.
COVERING = (Scope.TITLE_PREFIX, Scope.ROLE_PREFIX, Scope.CLEAN, Scope.ANY)
TYPO_SCOPES = (Scope.TITLE_TYPO1, Scope.TITLE_TYPO2, Scope.ANY)


def tier_query(found: Sequence[Unit], scope: Scope) -> Query:
    """Documents in which every unit matches within ``scope``; for :attr:`Scope.LEAD`, the
    first unit starts the title and the others are in it."""
    if scope == Scope.LEAD:
        first = _all([_phrase(found[0].words[:1], found[0].typed, Scope.LEAD, False),
                      unit_query(found[0], Scope.TITLE_PREFIX)])  # fmt: skip
        return _all([first] + [unit_query(unit, Scope.TITLE_PREFIX) for unit in found[1:]])
    return _all([unit_query(unit, scope) for unit in found])


def exact_title(found: Sequence[Unit]) -> Query:
    """The title is the query, or for a one-unit query one of its alternatives (``CVE`` ->
    Center mot våldsbejakande extremism)."""
    titles = [" ".join(word for unit in found for word in unit.words)]
    if len(found) == 1 and found[0].named:
        titles += [" ".join(alternative) for alternative in found[0].alternatives]
    return _any([_term("title_full", title) for title in titles])


def split_compound(word: str, frequency: Callable[[str], int]) -> tuple[str, str] | None:
    """The likeliest split of ``word`` into two word starts, or ``None`` if ``word`` is likelier
    whole: Koehn and Knight's rule ("Empirical Methods for Compound Splitting", 2003), the
    split whose halves have the highest geometric mean of ``frequency`` (documents with a word
    that starts with it), the more even one on a tie, if that beats the whole word's.
    ``skolkurator`` is ``skol`` + ``kurator`` (one document has "skolkuratorer", many have
    "skola" and "kurator"); ``förebygg`` stays whole, being ``förebyggande`` typed."""
    best: tuple[float, int, tuple[str, str]] | None = None
    for cut in range(PART_MIN, len(word) - PART_MIN + 1):
        head, tail = word[:cut], word[cut:]
        score = (frequency(head) * frequency(tail)) ** 0.5
        candidate = (score, min(len(head), len(tail)), (head, tail))
        if score > 0 and (best is None or candidate[:2] > best[:2]):
            best = candidate
    if best is None or best[0] <= frequency(word):
        return None
    return best[2]


def marker(found: Sequence[Unit]) -> Callable[[str], bool]:
    """Whether a folded word of a hit's text matched ``found`` (for highlights); remembers
    each word's answer, since hits repeat their words."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    loose: list[tuple[str, int, bool]] = []
    for unit in found:
        for n, word in enumerate(unit.words):
            typed = unit.typed and n == len(unit.words) - 1
            (prefixes if typed else exact).add(word)
            if unit.typos:
                budget = typo_budget(len(word)) or (1 if len(word) >= TYPO_MIN_LENGTH else 0)
                loose.append((word, budget, unit.typo_prefix))
        for alternative in (*unit.alternatives, *unit.further):
            prefixes.update(alternative)
    parts = [part for part in exact | prefixes if len(part) > PART_MIN]
    known: dict[str, bool] = {}

    def misspelt(word: str) -> bool:
        for query, budget, typed in loose:
            if budget and word.isalpha():
                candidates = [word[:length] for length in range(len(query) - 1, len(query) + 2)]
                targets = candidates if typed else [word]
                if any(edit_distance(query, target, budget) <= budget for target in targets):
                    return True
        return False

    def marked(word: str) -> bool:
        if word not in known:
            known[word] = (
                word in exact
                or any(word.startswith(prefix) for prefix in prefixes)
                or any(part in word for part in parts)
                or misspelt(word)
            )
        return known[word]

    return marked


def folded_words(text: str) -> list[str]:
    return words(fold(text))
