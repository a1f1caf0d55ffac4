"""The floor the benchmarks compare with: SQLite FTS5 over the same documents, the plain way
(folded words, every word must match, the last as a prefix, BM25 with the title weighted)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from search.document import Document
from search.matching import phone_digits
from search.text import addresses, phone_terms, query_terms, words


class Fts5Index:
    def __init__(self, path: str = ":memory:") -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(key UNINDEXED, title, subtitle, "
            "body, extra, tokenize='unicode61 remove_diacritics 2')"
        )

    def add(self, documents: Iterable[Document]) -> None:
        rows = [
            (
                document.key,
                " ".join(words(document.title)),
                " ".join(words(document.subtitle)),
                " ".join(words(document.body)),
                " ".join(
                    [term for raw in document.addresses if raw for term in addresses(raw)]
                    + [term for number in document.phones for term in phone_terms(number)]
                    + words(document.municipality)
                )
                .replace(".", "_")
                .replace("@", "_"),
            )
            for document in documents
        ]
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", rows)
        self.db.commit()

    def search(self, text: str, limit: int = 20) -> list[str]:
        """Keys of the best hits."""
        digits = phone_digits(text)
        terms = [digits] if digits else query_terms(text)
        terms = [term.replace(".", "_").replace("@", "_") for term in terms]
        if not terms:
            return []
        match = " AND ".join(f'"{term}"' for term in terms[:-1])
        last = f'"{terms[-1]}"*'
        match = f"{match} AND {last}" if match else last
        rows = self.db.execute(
            "SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 10, 5, 1, 1) LIMIT ?",
            (match, limit),
        ).fetchall()
        return [row[0] for row in rows]
