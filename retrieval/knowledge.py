"""Knowledge collections: documents chunked into passages and searched with the hybrid index.

Contract: `load_documents(path)` reads a `.jsonl` file (`{"text", "source"?, "title"?, "id"?}` lines),
a `.txt`/`.md` file (one document), or a directory of those. `chunk` splits a document into passages
of whole sentences (Kiwi sentence splitter) up to `chunk_chars`, with one sentence of overlap so an
answer spanning a boundary is still found. `KnowledgeIndex.search` returns passages with their
source, best first, dropping those whose fused score is below `min_score` ([] when none qualifies).
Collections are rebuilt in memory at start (they are small next to response sets).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.analyzer import KoreanAnalyzer
from retrieval.dense import Encoder
from retrieval.errors import InvalidRecord
from retrieval.hybrid import HybridIndex
from retrieval.types import Passage

_TEXT_SUFFIXES = {".txt", ".md"}


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str


def load_documents(path: Path) -> list[Document]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _TEXT_SUFFIXES | {".jsonl"})
        return [doc for file in files for doc in load_documents(file)]
    if not path.is_file():
        raise InvalidRecord(f"knowledge path not found: {path}")
    if path.suffix.lower() in _TEXT_SUFFIXES:
        return [Document(path.stem, path.read_text(encoding="utf-8"), path.name)]
    if path.suffix.lower() != ".jsonl":
        raise InvalidRecord(f"{path.name}: unsupported knowledge format (use .jsonl, .txt, .md or a directory)")
    docs = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidRecord(f"{path.name}:{lineno}: invalid JSON ({exc.msg})") from exc
            text = raw.get("text") if isinstance(raw, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise InvalidRecord(f"{path.name}:{lineno}: field 'text' must be a non-empty string")
            source = str(raw.get("source") or raw.get("title") or f"{path.name}:{lineno}")
            docs.append(Document(str(raw.get("id") or f"{path.stem}-{lineno}"), text, source))
    return docs


def chunk(document: Document, analyzer: KoreanAnalyzer, chunk_chars: int) -> list[Document]:
    sentences = [s.strip() for s in analyzer.split_sentences(document.text) if s.strip()]
    chunks: list[list[str]] = []
    current: list[str] = []
    for sentence in sentences:
        if current and sum(len(s) + 1 for s in current) + len(sentence) > chunk_chars:
            chunks.append(current)
            current = current[-1:] if len(current) > 1 else []
        current.append(sentence)
    if current:
        chunks.append(current)
    return [Document(f"{document.id}#{i}", " ".join(c), document.source) for i, c in enumerate(chunks)]


class KnowledgeIndex:
    def __init__(self, name: str, passages: Sequence[Document], index: HybridIndex | None) -> None:
        self.name = name
        self.passages = list(passages)
        self.index = index

    def __len__(self) -> int:
        return len(self.passages)

    @classmethod
    def build(cls, name: str, documents: Sequence[Document], analyzer: KoreanAnalyzer,
              encoder: Encoder | None = None, *, chunk_chars: int = 400) -> KnowledgeIndex:
        passages = [p for doc in documents for p in chunk(doc, analyzer, chunk_chars)]
        index = HybridIndex.build([p.text for p in passages], analyzer, encoder) if passages else None
        return cls(name, passages, index)

    def search(self, query: str, weights: dict[str, float], *, k: int = 3, min_score: float = 0.1) -> list[Passage]:
        if self.index is None or k <= 0 or not query.strip():
            return []
        _, found = self.index.search(query, weights, k=max(20, k), top=k)
        return [Passage(self.passages[c.doc].id, self.passages[c.doc].text, self.passages[c.doc].source,
                        round(c.fused, 4)) for c in found if c.fused >= min_score]
