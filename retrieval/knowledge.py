"""Knowledge collections: documents chunked into passages and searched with the hybrid index.

Contract: `load_documents(path)` reads a `.jsonl` file (`{"text", "source"?, "title"?, "id"?}` lines),
a `.txt`/`.md` file (one document), or a directory of those. `chunk` splits a document into passages
of whole sentences (Kiwi sentence splitter) up to `chunk_chars`, with one sentence of overlap so an
answer spanning a boundary is still found. `KnowledgeIndex.search` returns passages with their
source, best first, dropping those whose fused score is below `min_score` ([] when none qualifies).
`save(dir)`/`load(dir)` keep a built collection on disk with the same verified manifest as response sets
(`retrieval.storage`); the checksum covers the documents and the chunk size, so a collection whose files or
settings changed is rebuilt rather than reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from korean.encoder import Encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.config import BULK_MIN_DOCS, CHUNK_CHARS
from retrieval.errors import IndexUnusable, InvalidRecord
from retrieval.hybrid import HybridIndex
from retrieval.storage import read_manifest, write_index_dir
from retrieval.types import Passage

_TEXT_SUFFIXES = {".txt", ".md"}
KIND = "knowledge"


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


def documents_checksum(documents: Sequence[Document], chunk_chars: int) -> str:
    digest = hashlib.sha256(f"chunk_chars={chunk_chars}\n".encode())
    for doc in documents:
        digest.update(json.dumps(asdict(doc), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


class KnowledgeIndex:
    def __init__(self, name: str, passages: Sequence[Document], index: HybridIndex | None, *,
                 checksum: str = "", encoder: str | None = None) -> None:
        self.name = name
        self.passages = list(passages)
        self.index = index
        self.checksum = checksum
        self.encoder = encoder

    def __len__(self) -> int:
        return len(self.passages)

    @classmethod
    def build(cls, name: str, documents: Sequence[Document], analyzer: KoreanAnalyzer,
              encoder: Encoder | None = None, *, chunk_chars: int = CHUNK_CHARS,
              bulk_min_docs: int = BULK_MIN_DOCS) -> KnowledgeIndex:
        passages = [p for doc in documents for p in chunk(doc, analyzer, chunk_chars)]
        index = HybridIndex.build([p.text for p in passages], analyzer, encoder, passages=True,
                                  bulk_min_docs=bulk_min_docs) if passages else None
        return cls(name, passages, index, checksum=documents_checksum(documents, chunk_chars),
                   encoder=encoder.name if encoder else None)

    def save(self, directory: Path, analyzer: KoreanAnalyzer) -> dict[str, Any]:
        manifest = {"kind": KIND, "name": self.name, "analyser": analyzer.version, "encoder": self.encoder,
                    "counts": {"passages": len(self.passages)}, "data_checksum": self.checksum}

        def writer(tmp: Path) -> None:
            with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
                for passage in self.passages:
                    fh.write(json.dumps(asdict(passage), ensure_ascii=False) + "\n")
            if self.index is not None:
                self.index.save(tmp / "index")

        return write_index_dir(directory, manifest, writer)

    @classmethod
    def load(cls, directory: Path, analyzer: KoreanAnalyzer, encoder: Encoder | None, *,
             expected_checksum: str) -> KnowledgeIndex:
        manifest = read_manifest(directory, kind=KIND, expect={
            "analyser": analyzer.version, "encoder": encoder.name if encoder else None,
            "data_checksum": expected_checksum})
        try:
            with (directory / "passages.jsonl").open(encoding="utf-8") as fh:
                passages = [Document(**json.loads(line)) for line in fh if line.strip()]
            index = HybridIndex.load(directory / "index", analyzer, encoder) if passages else None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexUnusable(f"knowledge index in {directory} cannot be read ({exc})") from exc
        if index is not None and len(index) != len(passages):
            raise IndexUnusable(f"knowledge index in {directory} does not match its passages")
        return cls(str(manifest.get("name", directory.name)), passages, index, checksum=expected_checksum,
                   encoder=manifest["encoder"])

    def search(self, query: str, weights: dict[str, float], *, k: int = 3, min_score: float = 0.1) -> list[Passage]:
        if self.index is None or k <= 0 or not query.strip():
            return []
        _, found = self.index.search(query, weights, k=max(20, k), top=k)
        return [Passage(self.passages[c.doc].id, self.passages[c.doc].text, self.passages[c.doc].source,
                        round(c.fused, 4)) for c in found if c.fused >= min_score]
