"""A response set with its hybrid index, and its on-disk form.

Contract: `ResponseIndex` is an immutable snapshot (records + `HybridIndex`); changes build a new
snapshot. `save(dir)`/`load(dir)` use `retrieval.storage`, whose manifest records the analyser version,
encoder, record count and the checksum of the records, so a stale or foreign index is refused.
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
from retrieval.config import HNSW_MIN_DOCS
from retrieval.errors import IndexUnusable
from retrieval.hybrid import HybridIndex
from retrieval.records import make_record, records_checksum
from retrieval.storage import read_manifest, write_index_dir
from retrieval.types import ResponseRecord

KIND = "responses"


@dataclass(frozen=True)
class ResponseIndex:
    name: str
    records: tuple[ResponseRecord, ...]
    index: HybridIndex | None  # None when the set is empty
    checksum: str
    encoder: str | None

    def __len__(self) -> int:
        return len(self.records)

    @cached_property
    def answers(self) -> list[str]:
        return [r.answer for r in self.records]

    @classmethod
    def build(cls, name: str, records: Sequence[ResponseRecord], analyzer: KoreanAnalyzer,
              encoder: Encoder | None = None, *, progress: bool = False,
              hnsw_min_docs: int = HNSW_MIN_DOCS) -> ResponseIndex:
        records = tuple(records)
        index = None
        if records:
            index = HybridIndex.build([r.question for r in records], analyzer, encoder, progress=progress,
                                      hnsw_min_docs=hnsw_min_docs)
        return cls(name, records, index, records_checksum(records), encoder.name if encoder else None)

    def manifest(self, analyzer: KoreanAnalyzer) -> dict[str, Any]:
        counts: dict[str, int] = {"records": len(self.records)}
        if self.index is not None:
            counts["bm25_vocabulary"] = len(self.index.bm25._vocab)
        return {"kind": KIND, "name": self.name, "analyser": analyzer.version, "encoder": self.encoder,
                "counts": counts, "data_checksum": self.checksum,
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
             expected_checksum: str | None = None) -> ResponseIndex:
        expect: dict[str, Any] = {"analyser": analyzer.version, "encoder": encoder.name if encoder else None}
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
        return cls(str(manifest.get("name", directory.name)), records, index, checksum, manifest["encoder"])
