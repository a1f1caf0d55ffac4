"""The embedded backend's store: a tantivy index on disk under the data folder.

One writer (whichever process holds the search consumer's outbox lease, or ``samverkan
reindex``) and readers in every web worker share the files. The folder holds generations
(``<root>/<name>/``, each a complete tantivy index) and ``<root>/CURRENT``, which names the live
one. A rebuild writes a new generation beside the live one and then replaces ``CURRENT`` with
one atomic rename, so readers switch between two searches and never wait. Readers notice a new
commit or a new generation from a ``stat`` of two small files before each search.

Text reaches tantivy already folded by :mod:`search.text` (one analyser for documents and
queries, in Python), so the engine's own tokenizers only split on white space, keep whole
values (keys, facets, phone digits, addresses) or cut word parts (n-grams) for compounds.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import msgspec
import tantivy

from search.document import Document
from search.text import addresses, phone_terms, words

CURRENT = "CURRENT"
PARTS = "parts"  # the word-part tokenizer
PART_MIN, PART_MAX = 3, 12
WRITER_HEAP = 50_000_000
SMALL_WRITER_HEAP = 15_000_000  # tantivy's least: an outbox batch is small
WORD_FIELDS = ("title", "subtitle", "body", "place")
FACET_FIELDS = ("type", "kind", "municipality", "area", "level", "network")
_ALPHABET = " 0123456789abcdefghijklmnopqrstuvwxyz"
_ORDER_CHARS = 12
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Document).decode


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", tokenizer_name="raw", index_option="basic")
    for name in WORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="basic")
    for name in ("title_full", "lead", "phone", "address", "visibility"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(PARTS, tokenizer_name=PARTS, index_option="basic")
    for name in FACET_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_unsigned_field("order", fast=True)
    builder.add_bytes_field("data", stored=True)
    return builder.build()


SCHEMA = _schema()


def title_key(title: str) -> str:
    """What hits of equal rank are ordered by: the folded words of the title."""
    return " ".join(words(title))


def order_of(title: str) -> int:
    """The first characters of :func:`title_key` as a number that sorts like the text."""
    key = title_key(title)[:_ORDER_CHARS].ljust(_ORDER_CHARS)
    value = 0
    for char in key:
        value = value * (len(_ALPHABET) + 1) + _ALPHABET.index(char) + 1
    return value


def _open(path: Path) -> tantivy.Index:
    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(PART_MIN, PART_MAX)).build()
    index.register_tokenizer(PARTS, analyzer)
    return index


def engine_document(document: Document) -> tantivy.Document:
    """The indexed form of ``document``: folded words per field, phone digits from every
    group on, addresses whole, word parts of every word, facet values and the stored JSON."""
    out = tantivy.Document()
    out.add_text("key", document.key)
    title = words(document.title)
    out.add_text("title", " ".join(title))
    out.add_text("title_full", " ".join(title))
    if title:
        out.add_text("lead", title[0])
    out.add_text("subtitle", " ".join(words(document.subtitle)))
    out.add_text("body", " ".join(words(document.body)))
    out.add_text("place", " ".join(words(document.municipality)))
    every = dict.fromkeys(
        title + words(document.subtitle) + words(document.body) + words(document.email)
    )
    for word in every:
        if len(word) > PART_MIN:
            out.add_text(PARTS, word)
    for term in dict.fromkeys(term for number in document.phones for term in phone_terms(number)):
        out.add_text("phone", term)
    for raw in document.addresses:
        for term in addresses(raw) if raw else []:
            out.add_text("address", term)
    out.add_text("visibility", document.visibility)
    out.add_text("type", document.type)
    for name, values in (
        ("kind", [document.kind]),
        ("municipality", [document.municipality]),
        ("area", document.areas),
        ("level", document.levels),
        ("network", document.networks),
    ):
        for value in values:
            if value:
                out.add_text(name, value)
    out.add_unsigned("order", order_of(document.title))
    out.add_bytes("data", _encode(document))
    return out


def stored(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> Document:
    data = searcher.doc(address).get_first("data")
    if not isinstance(data, bytes):
        raise ValueError(f"document without stored data at {address}")
    return _decode(data)


def _version(path: Path) -> tuple[int, int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


class IndexStore:
    """The generations under ``root``; one per process, for reading and for writing."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._name: str | None = None
        self._pointer: tuple[int, int, int] | None = None
        self._meta: tuple[int, int, int] | None = None
        self._index: tantivy.Index | None = None

    def live_name(self) -> str | None:
        try:
            return (self.root / CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def searcher(self) -> tantivy.Searcher | None:
        """A searcher over the latest commit of the live generation, or ``None`` if the index
        was never written. Costs two ``stat`` calls when nothing changed."""
        pointer = _version(self.root / CURRENT)
        if pointer != self._pointer or self._index is None:
            self._pointer = pointer
            name = self.live_name()
            if name is None:
                self._index, self._name = None, None
                return None
            if name != self._name or self._index is None:
                self._index, self._name, self._meta = _open(self.root / name), name, None
        if self._index is None or self._name is None:
            return None
        meta = _version(self.root / self._name / "meta.json")
        if meta != self._meta:
            self._index.reload()
            self._meta = meta
        return self._index.searcher()

    def _live_path(self) -> Path:
        """The live generation, made (empty) and published if there is none yet."""
        name = self.live_name()
        if name is None:
            name = self._new_generation()
            _open(self.root / name)
            self._publish(name)
        return self.root / name

    def write(self, documents: Sequence[Document], removed: Sequence[str]) -> None:
        """Replace ``documents`` and delete ``removed`` in one commit (blocking: run in a
        thread). Raises :class:`ValueError` (tantivy's) if another writer holds the lock."""
        writer = _open(self._live_path()).writer(SMALL_WRITER_HEAP, 1)
        for key in [document.key for document in documents] + list(removed):
            writer.delete_documents_by_term("key", key)
        for document in documents:
            writer.add_document(engine_document(document))
        writer.commit()
        writer.wait_merging_threads()  # a dropped writer cancels its merges: segments would pile up

    @contextlib.contextmanager
    def building(self) -> Iterator[tantivy.IndexWriter]:
        """A writer on a new generation, published when the block ends without error."""
        self._delete_stale()
        name = self._new_generation()
        writer = _open(self.root / name).writer(WRITER_HEAP * 2, 1)
        yield writer
        writer.commit()
        writer.wait_merging_threads()
        self._publish(name)
        self._delete_stale()

    def _new_generation(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():x}-{secrets.token_hex(3)}"
        (self.root / name).mkdir()
        return name

    def _publish(self, name: str) -> None:
        temporary = self.root / f"{CURRENT}.{secrets.token_hex(4)}"
        temporary.write_text(name)
        os.replace(temporary, self.root / CURRENT)

    def _delete_stale(self) -> None:
        """Delete generations other than the live one and the one before it (readers may
        still be opening that one; open files stay readable after deletion on POSIX)."""
        live = self.live_name()
        generations = sorted(
            (path for path in self.root.glob("*-*") if path.is_dir()), key=lambda p: p.name
        )
        keep = {live}
        older = [path.name for path in generations if live is None or path.name < live]
        if older:
            keep.add(older[-1])
        for path in generations:
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
