"""`Retrieval`: the runtime facade over all response sets and knowledge collections.

Contract: thread-safe. Reads (`select`, `knowledge`, `list_responses`) use immutable snapshots and take
no lock; changes (`add_responses`, `remove_response`) are serialised by one lock, append to the set's
change journal, build a new snapshot, save its index (atomic directory swap) and then publish it, so
they take effect without a restart and survive one. A set that could not be opened (corrupt index,
bad file) is reported by `status()` and makes `select` answer "generate"; the other sets keep serving.
With a `verifier`, every "retrieve" decision is re-checked by it (`retrieval.verifier.verify`); `mode`
names the path in use (lexical, + dense, + verifier) for readiness reports.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from korean.encoder import Encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.calibration import Calibration
from retrieval.config import RetrievalConfig
from retrieval.errors import DuplicateRecord, IndexUnusable, InvalidRecord, UnknownRecord, UnknownResponseSet
from retrieval.knowledge import KnowledgeIndex, documents_checksum, load_documents
from retrieval.records import append_journal, journal_path, load_records, make_record, records_checksum, replay_journal
from retrieval.responses import ResponseIndex
from retrieval.selector import select, select_many
from retrieval.types import Passage, ResponseRecord, Selection
from retrieval.verifier import Verifier, verify

log = logging.getLogger(__name__)


class Retrieval:
    def __init__(self, analyzer: KoreanAnalyzer, calibration: Calibration, config: RetrievalConfig | None = None, *,
                 encoder: Encoder | None = None, index_root: Path | None = None, changes_dir: Path | None = None,
                 verifier: Verifier | None = None) -> None:
        """`config` (None: the defaults) gives the default set and collection and the selector's limits; the sets
        and collections it names are opened by the caller (`open_response_set`, `open_collection`). `index_root`
        and `changes_dir` are resolved directories (None: indexes are not saved, changes not journalled)."""
        if calibration.uses_dense and encoder is None:
            raise ValueError("the calibration fuses a dense retriever but no encoder was given; "
                             "load the lexical calibration (`Calibration.load(dense=False)`) or pass the encoder")
        config = config if config is not None else RetrievalConfig()
        self.config = config
        self.analyzer = analyzer
        self.calibration = calibration
        self.encoder = encoder
        self.verifier = verifier
        self.index_root = index_root
        self.changes_dir = changes_dir
        self._sets: dict[str, ResponseIndex] = {}
        self._sources: dict[str, Path | None] = {}
        self._collections: dict[str, KnowledgeIndex] = {}
        self._status: dict[str, tuple[bool, str]] = {}
        self._write_lock = threading.Lock()

    # ---- opening -------------------------------------------------------------------------------
    def _records_for(self, name: str, source: Path | None) -> list[ResponseRecord]:
        records = load_records(source) if source is not None else []
        if self.changes_dir is not None:
            records = replay_journal(records, journal_path(self.changes_dir, name))
        return records

    def open_response_set(self, name: str, source: Path | None, *, rebuild_stale: bool | None = None,
                          rebuild_mismatched: bool | None = None) -> bool:
        """Load (or build when missing or stale, or built with another encoder when `rebuild_mismatched`) the index
        of one set; returns readiness, never raises. None: the config's `rebuild_stale` and
        `rebuild_on_encoder_change`."""
        rebuild_stale = self.config.rebuild_stale if rebuild_stale is None else rebuild_stale
        if rebuild_mismatched is None:
            rebuild_mismatched = self.config.rebuild_on_encoder_change
        key = f"responses:{name}"
        self._sources[name] = source
        try:
            records = self._records_for(name, source)
        except InvalidRecord as exc:
            self._status[key] = (False, f"response set file is invalid: {exc}")
            return False
        checksum = records_checksum(records)
        directory = self.index_root / name if self.index_root is not None else None
        detail = "built in memory"
        previous = self._sets.get(name)  # a reload: the served snapshot lends its vectors
        if directory is not None:
            try:
                snapshot = ResponseIndex.load(directory, self.analyzer, self.encoder, expected_checksum=checksum,
                                              dense_texts=self.config.dense_text)
                self._publish(name, snapshot, f"loaded index {directory} ({len(snapshot)} responses)")
                return True
            except IndexUnusable as exc:
                allowed = {"missing": True, "stale": rebuild_stale, "mismatch": rebuild_mismatched}
                if not allowed.get(exc.reason, False):
                    self._status[key] = (False, f"index refused: {exc}")
                    log.error("response set %r not served: %s", name, exc)
                    return False
                detail = {"missing": "index was missing; built", "stale": "data changed; index rebuilt"}.get(
                    exc.reason, f"index rebuilt ({exc})")
                if exc.reason == "mismatch":
                    log.warning("response set %r: %s; rebuilding it", name, exc)
                if exc.reason == "stale" and previous is None:
                    previous = self._stale_snapshot(directory)
        snapshot = ResponseIndex.build(name, records, self.analyzer, self.encoder, previous=previous,
                                       hnsw_min_docs=self.config.hnsw_min_docs,
                                       bulk_min_docs=self.config.bulk_min_docs,
                                       dense_texts=self.config.dense_text)
        if directory is not None:
            snapshot.save(directory, self.analyzer)
            detail += f" at {directory}"
        self._publish(name, snapshot, f"{detail} ({len(snapshot)} responses)")
        return True

    def open_collection(self, name: str, path: Path, *, chunk_chars: int | None = None) -> bool:
        """Load (or build when missing, stale or unusable) one knowledge collection's index; returns readiness.
        `chunk_chars` None: the config's `knowledge_chunk_chars`."""
        chunk_chars = self.config.knowledge_chunk_chars if chunk_chars is None else chunk_chars
        key = f"knowledge:{name}"
        try:
            documents = load_documents(path)
        except InvalidRecord as exc:
            self._status[key] = (False, f"knowledge collection is invalid: {exc}")
            return False
        checksum = documents_checksum(documents, chunk_chars)
        # Response-set names cannot contain "@", so this directory never clashes with a set's.
        directory = self.index_root / "@knowledge" / name if self.index_root is not None else None
        detail = "built in memory"
        if directory is not None:
            try:
                collection = KnowledgeIndex.load(directory, self.analyzer, self.encoder, expected_checksum=checksum)
                self._collections[name] = collection
                self._status[key] = (True, f"{len(documents)} documents, {len(collection)} passages from {path} "
                                           f"(index loaded from {directory})")
                return True
            except IndexUnusable as exc:
                # The documents are at hand, so an unusable cache is rebuilt (and said so), never used.
                detail = {"missing": "index built", "stale": "documents changed; index rebuilt"}.get(
                    exc.reason, f"index rebuilt because it was unusable: {exc}")
                if exc.reason not in {"missing", "stale"}:
                    log.warning("knowledge collection %r: %s", name, exc)
        collection = KnowledgeIndex.build(name, documents, self.analyzer, self.encoder, chunk_chars=chunk_chars,
                                          bulk_min_docs=self.config.bulk_min_docs)
        if directory is not None:
            try:
                collection.save(directory, self.analyzer)
                detail += f" at {directory}"
            except OSError as exc:  # a read-only or full disk costs the cache, never the collection
                log.warning("knowledge collection %r: index not saved: %s", name, exc)
                detail += f"; not saved ({exc})"
        self._collections[name] = collection
        self._status[key] = (True, f"{len(documents)} documents, {len(collection)} passages from {path} ({detail})")
        return True

    def _stale_snapshot(self, directory: Path) -> ResponseIndex | None:
        """The index on disk whose records changed since: its unchanged questions keep their vectors."""
        try:
            return ResponseIndex.load(directory, self.analyzer, self.encoder)
        except IndexUnusable:
            return None

    def _publish(self, name: str, snapshot: ResponseIndex, detail: str) -> None:
        self._sets[name] = snapshot
        self._status[f"responses:{name}"] = (True, detail)

    # ---- reading -------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        """The selection path: the retrievers the calibration fuses, and whether a verifier re-checks."""
        used = [name for name in ("bm25", "char", "dense") if self.calibration.weights.get(name, 0.0) > 0
                and (name != "dense" or self.encoder is not None)]
        return "+".join(used) + (" + verifier" if self.verifier is not None else "")

    @property
    def response_sets(self) -> list[str]:
        return sorted(self._sets)

    @property
    def collections(self) -> list[str]:
        return sorted(self._collections)

    def select(self, query: str, response_set: str | None = None) -> Selection:
        name = response_set or self.config.default_response_set
        snapshot = self._sets.get(name)
        if snapshot is None:
            why = self._status.get(f"responses:{name}", (False, "not configured"))[1]
            return Selection("generate", None, 0.0, f"response set {name!r} is not available ({why})",
                             [], name, self.calibration.threshold)
        selection = select(snapshot, self.calibration, query, self.config)
        return self._verified(selection, query)

    def select_from(self, query: str, response_sets: Sequence[str]) -> Selection:
        """The best verdict over the named sets (the first retrieve with the highest score); none named: generate.

        A persona names the sets it answers from; with none it never answers from a stored response."""
        if not response_sets:
            return Selection("generate", None, 0.0, "the persona answers from no response set", [], "",
                             self.calibration.threshold)
        verdicts = [self.select(query, name) for name in response_sets]
        retrieved = [v for v in verdicts if v.decision == "retrieve"]
        return max(retrieved or verdicts, key=lambda v: v.score)

    def select_many(self, queries: list[str], response_set: str | None = None) -> list[Selection]:
        """Batched `select` (one Kiwi call for all queries): for evaluation and bulk traffic."""
        snapshot = self._sets.get(response_set or self.config.default_response_set)
        if snapshot is None:
            return [self.select(q, response_set) for q in queries]
        selections = select_many(snapshot, self.calibration, queries, self.config)
        return [self._verified(s, q) for s, q in zip(selections, queries, strict=True)]

    def _verified(self, selection: Selection, query: str) -> Selection:
        if self.verifier is None or not isinstance(query, str):
            return selection
        return verify(selection, query[: self.config.max_query_chars], self.verifier)

    def knowledge(self, query: str, collection: str | None = None, k: int = 3) -> list[Passage]:
        name = collection or self.config.default_knowledge
        found = self._collections.get(name) if name else None
        if found is None or not isinstance(query, str):
            return []
        return found.search(query[: self.config.max_query_chars], self.calibration.weights, k=k,
                            min_score=self.config.knowledge_min_score)

    def list_responses(self, response_set: str, *, offset: int = 0, limit: int = 50
                       ) -> tuple[int, list[ResponseRecord]]:
        snapshot = self._require(response_set)
        return len(snapshot), list(snapshot.records[offset: offset + limit])

    def status(self) -> list[tuple[str, bool, str]]:
        return [(f"retrieval.{key}", ready, detail) for key, (ready, detail) in sorted(self._status.items())]

    def _require(self, name: str) -> ResponseIndex:
        snapshot = self._sets.get(name)
        if snapshot is None:
            raise UnknownResponseSet(f"response set {name!r} is not loaded (loaded: {self.response_sets})")
        return snapshot

    # ---- changing ------------------------------------------------------------------------------
    def add_responses(self, response_set: str, raws: Sequence[Mapping[str, Any]], *,
                      create: bool = True) -> list[ResponseRecord]:
        """Validate and add records (all or none); identical re-adds are no-ops, a clashing id is refused."""
        new = [make_record(raw, where=f"records[{i}]") for i, raw in enumerate(raws)]
        with self._write_lock:
            current = self._sets.get(response_set)
            if current is None and not create:
                raise UnknownResponseSet(f"response set {response_set!r} is not loaded")
            existing = {r.id: r for r in current.records} if current else {}
            fresh: list[ResponseRecord] = []
            for record in new:
                if record.id in existing and existing[record.id] != record:
                    raise DuplicateRecord(f"record id {record.id!r} already exists in {response_set!r}")
                if record.id not in existing and record not in fresh:
                    fresh.append(record)
            if fresh:
                self._commit(response_set, [*(current.records if current else ()), *fresh],
                             [{"op": "add", "record": r.to_dict()} for r in fresh])
            return new

    def remove_response(self, response_set: str, record_id: str) -> ResponseRecord:
        with self._write_lock:
            current = self._require(response_set)
            keep = [r for r in current.records if r.id != record_id]
            if len(keep) == len(current.records):
                raise UnknownRecord(f"no record {record_id!r} in response set {response_set!r}")
            removed = next(r for r in current.records if r.id == record_id)
            self._commit(response_set, keep, [{"op": "delete", "id": record_id}])
            return removed

    def _commit(self, name: str, records: list[ResponseRecord], journal: list[dict[str, Any]]) -> None:
        if self.changes_dir is not None:
            append_journal(journal_path(self.changes_dir, name), journal)
        snapshot = ResponseIndex.build(name, records, self.analyzer, self.encoder, previous=self._sets.get(name),
                                       hnsw_min_docs=self.config.hnsw_min_docs,
                                       bulk_min_docs=self.config.bulk_min_docs,
                                       dense_texts=self.config.dense_text)
        if self.index_root is not None:
            snapshot.save(self.index_root / name, self.analyzer)
        self._sources.setdefault(name, None)
        self._publish(name, snapshot, f"updated at runtime ({len(snapshot)} responses)")
