"""A response set with its hybrid index, and its on-disk form.

Contract: `ResponseIndex` is an immutable snapshot (records + `HybridIndex`); changes build a new
snapshot. `save(dir)`/`load(dir)` use `retrieval.storage`, whose manifest records the analyser version,
encoder, what the dense vectors embed, record count and the checksum of the records, so a stale or foreign index is
refused.

The lexical retrievers read the stored question. The dense one reads what `dense_text` says. With
`question_answer` (the default), it embeds the question followed by its answer, unless the answer only repeats the
question. A user often describes a situation ("회사 끝나고 들르려는데 …") that only the answer links to the stored
question ("진료 시간이 어떻게 되나요?"); on the five selector batches this put the right question first 5–9 points more
often (benchmarks/RESULTS.md, issue 16). With `question`, it embeds the question alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from korean.encoder import Encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.config import BULK_MIN_DOCS, HNSW_MIN_DOCS
from retrieval.errors import IndexUnusable
from retrieval.hybrid import HybridIndex
from retrieval.records import make_record, records_checksum
from retrieval.storage import read_manifest, write_index_dir
from retrieval.types import ResponseRecord

KIND = "responses"
DENSE_TEXTS = ("question_answer", "question")


def dense_text(record: ResponseRecord, mode: str) -> str:
    """What the dense retriever embeds for `record` (see the module docstring)."""
    if mode == "question" or record.answer.strip() == record.question.strip():
        return record.question
    return f"{record.question} {record.answer}"


@dataclass(frozen=True)
class ResponseIndex:
    name: str
    records: tuple[ResponseRecord, ...]
    index: HybridIndex | None  # None when the set is empty
    checksum: str
    encoder: str | None
    dense_text: str | None = None  # one of DENSE_TEXTS; None without a dense retriever

    def __len__(self) -> int:
        return len(self.records)

    @cached_property
    def answers(self) -> list[str]:
        return [r.answer for r in self.records]

    @classmethod
    def build(cls, name: str, records: Sequence[ResponseRecord], analyzer: KoreanAnalyzer,
              encoder: Encoder | None = None, *, progress: bool = False,
              hnsw_min_docs: int = HNSW_MIN_DOCS, previous: ResponseIndex | None = None,
              bulk_min_docs: int = BULK_MIN_DOCS, dense_texts: str = DENSE_TEXTS[0]) -> ResponseIndex:
        """`previous`: an earlier snapshot of the set, whose records keep their vectors (only new or changed ones are
        embedded) when it was built with the same encoder. `dense_texts`: one of DENSE_TEXTS."""
        if dense_texts not in DENSE_TEXTS:
            raise ValueError(f"dense_texts must be one of {DENSE_TEXTS}, not {dense_texts!r}")
        records = tuple(records)
        mode = dense_texts if encoder is not None else None
        index = None
        if records:
            lent = None
            if previous is not None and previous.index is not None and encoder is not None \
                    and previous.encoder == encoder.name and previous.dense_text is not None:
                lent = ([dense_text(r, previous.dense_text) for r in previous.records], previous.index)
            index = HybridIndex.build([r.question for r in records], analyzer, encoder, progress=progress,
                                      hnsw_min_docs=hnsw_min_docs, previous=lent, bulk_min_docs=bulk_min_docs,
                                      dense_texts=[dense_text(r, dense_texts) for r in records])
        return cls(name, records, index, records_checksum(records), encoder.name if encoder else None, mode)

    def manifest(self, analyzer: KoreanAnalyzer) -> dict[str, Any]:
        counts: dict[str, int] = {"records": len(self.records)}
        if self.index is not None:
            counts["bm25_vocabulary"] = len(self.index.bm25._vocab)
        return {"kind": KIND, "name": self.name, "analyser": analyzer.version, "encoder": self.encoder,
                "dense_text": self.dense_text, "counts": counts, "data_checksum": self.checksum,
                "retrievers": self.index.retrievers if self.index else []}

    def save(self, directory: Path, analyzer: KoreanAnalyzer) -> dict[str, Any]:
        def writer(tmp: Path) -> None:
            with (tmp / "records.jsonl").open("w", encoding="utf-8") as fh:
                for record in self.records:
                    fh.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            if self.index is not None:
                self.index.save(tmp / "index")

        return write_index_dir(directory, self.manifest(analyzer), writer)

    @classmethod
    def load(cls, directory: Path, analyzer: KoreanAnalyzer, encoder: Encoder | None, *,
             expected_checksum: str | None = None, dense_texts: str | None = None) -> ResponseIndex:
        """`dense_texts`: what the dense vectors must embed (None: whatever the index says)."""
        expect: dict[str, Any] = {"analyser": analyzer.version, "encoder": encoder.name if encoder else None}
        if dense_texts is not None and encoder is not None:
            expect["dense_text"] = dense_texts
        if expected_checksum is not None:
            expect["data_checksum"] = expected_checksum
        manifest = read_manifest(directory, kind=KIND, expect=expect)
        try:
            with (directory / "records.jsonl").open(encoding="utf-8") as fh:
                records = tuple(make_record(json.loads(line)) for line in fh if line.strip())
            index = HybridIndex.load(directory / "index", analyzer, encoder) if records else None
        except (OSError, ValueError, KeyError) as exc:
            raise IndexUnusable(f"index in {directory} cannot be read ({exc}); rebuild it") from exc
        checksum = records_checksum(records)
        if checksum != manifest["data_checksum"] or (index is not None and len(index) != len(records)):
            raise IndexUnusable(f"index in {directory} does not match its records; rebuild it")
        mode = manifest.get("dense_text") or "question"  # indexes written before the setting embedded questions
        if mode not in DENSE_TEXTS:
            raise IndexUnusable(f"index in {directory} embeds {mode!r}, not one of {DENSE_TEXTS}; rebuild it")
        return cls(str(manifest.get("name", directory.name)), records, index, checksum, manifest["encoder"],
                   mode if index is not None and index.dense is not None else None)
