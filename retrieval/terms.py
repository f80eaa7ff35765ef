"""Each indexed document's distinct analyser terms, kept as integer ids, with the terms' idf.

Contract: `DocTerms.build` takes one iterable of terms per document. `ids(doc)` gives that document's distinct term
ids (int32, sorted), `idf` the BM25-style idf of every term id over the documents, `unseen_idf` the idf of a term no
document holds, and `lookup(terms)` the ids of the known terms and the count of unknown ones. `save` / `load` write
and read two files (`terms.npz`: CSR offsets and ids; `term_vocab.json`: the terms in id order); `load` also reads the
`terms.json` of indexes saved before (a list of term lists).

Why ids: a tuple of strings per document cost about 14 MB at 100,000 documents, and reading it from JSON left the
parsed strings' heap resident in the server. Two arrays cost 5 MB and load without building any Python object.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

TERMS_FILE = "terms.npz"
VOCAB_FILE = "term_vocab.json"
LEGACY_FILE = "terms.json"


class DocTerms:
    def __init__(self, vocab: list[str], indptr: np.ndarray, ids: np.ndarray) -> None:
        if indptr.ndim != 1 or indptr.size == 0 or indptr[0] != 0 or int(indptr[-1]) != ids.size:
            raise ValueError("term offsets do not match the term ids")
        if indptr.size > 1 and bool((np.diff(indptr) < 0).any()):
            raise ValueError("term offsets are not in order")
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= len(vocab)):
            raise ValueError("a term id lies outside the term vocabulary")
        if len(set(vocab)) != len(vocab):
            raise ValueError("the term vocabulary repeats a term")
        self.vocab = vocab
        self._index = {term: i for i, term in enumerate(vocab)}
        self._indptr = indptr.astype(np.int64, copy=False)
        self._ids = ids.astype(np.int32, copy=False)
        n = len(self)
        df = np.bincount(self._ids, minlength=len(vocab)).astype(np.float64)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5))
        # A query term no stored text contains is maximally informative (df = 0).
        self.unseen_idf = float(np.log1p((n + 0.5) / 0.5))

    @classmethod
    def build(cls, doc_terms: Iterable[Iterable[str]]) -> DocTerms:
        index: dict[str, int] = {}
        rows: list[np.ndarray] = []
        for terms in doc_terms:
            ids = {index.setdefault(term, len(index)) for term in terms}
            rows.append(np.fromiter(sorted(ids), dtype=np.int32, count=len(ids)))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([row.size for row in rows], out=indptr[1:])
        ids_all = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        return cls(list(index), indptr, ids_all)

    def __len__(self) -> int:
        return int(self._indptr.size - 1)

    def ids(self, doc: int) -> np.ndarray:
        return self._ids[self._indptr[doc]:self._indptr[doc + 1]]

    def terms(self, doc: int) -> list[str]:
        return [self.vocab[i] for i in self.ids(doc)]

    def lookup(self, terms: Iterable[str]) -> tuple[frozenset[int], int]:
        """(ids of the distinct known terms, how many distinct terms are unknown)."""
        known: set[int] = set()
        unknown = 0
        for term in set(terms):
            i = self._index.get(term)
            if i is None:
                unknown += 1
            else:
                known.add(i)
        return frozenset(known), unknown

    def save(self, directory: Path) -> list[Path]:
        np.savez(directory / TERMS_FILE, indptr=self._indptr, ids=self._ids)
        (directory / VOCAB_FILE).write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        return [directory / TERMS_FILE, directory / VOCAB_FILE]

    @classmethod
    def load(cls, directory: Path) -> DocTerms:
        if not (directory / TERMS_FILE).is_file() and (directory / LEGACY_FILE).is_file():
            legacy: Sequence[Sequence[str]] = json.loads((directory / LEGACY_FILE).read_text(encoding="utf-8"))
            return cls.build(legacy)
        vocab = json.loads((directory / VOCAB_FILE).read_text(encoding="utf-8"))
        try:
            with np.load(directory / TERMS_FILE, allow_pickle=False) as arrays:
                indptr, ids = arrays["indptr"], arrays["ids"]
        except zipfile.BadZipFile as exc:  # callers report a ValueError as an index that cannot be read
            raise ValueError(f"{TERMS_FILE} is not a readable archive: {exc}") from exc
        if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
            raise ValueError(f"{VOCAB_FILE} is not a list of terms")
        return cls(vocab, indptr, ids)
