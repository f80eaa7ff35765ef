"""e5.c's tokenizer, carried over to `tokenizers` (`build_tokenizer`) and re-implemented in Python to compare ids
exactly (`reference_token_ids`); the normalisation map compiled into a SentencePiece precompiled charsmap
(`precompiled_charsmap`). How and where it can differ from e5.c: `korean.e5_port`'s module docstring.
"""

from __future__ import annotations

import itertools
import struct
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from korean.e5_port import E5File

META = "\u2581"
WORD_CACHE = 100_000  # words whose tokens `word_token_ids` keeps (about 20 MB); emptied when full
WORD_CACHE_LONGEST = 64  # characters of the longest word kept


def precompiled_charsmap(rules: dict[int, str]) -> bytes:
    """A SentencePiece precompiled charsmap (the form `tokenizers.normalizers.Precompiled` reads) mapping each
    codepoint of `rules` to its replacement: a darts-clone double-array trie over the UTF-8 keys whose values
    are offsets into a blob of NUL-terminated replacements."""
    blob = bytearray()
    where: dict[str, int] = {}
    trie: dict[int, Any] = {}
    for cp in sorted(rules):
        if cp == 0:
            continue  # a NUL byte ends every lookup
        replacement = rules[cp]
        if replacement not in where:
            where[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[-1] = where[replacement]
    units = _double_array(trie)
    array = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(array)) + array + bytes(blob)


def _double_array(trie: dict[int, Any]) -> list[int]:
    """darts-clone units for `trie` (byte -> child, -1 -> leaf value). A child with label c of the node whose
    unit sits at p lies at p ^ offset(p) ^ c; a node's leaf value at p ^ offset(p)."""
    size = 1 << 16
    used = bytearray(size)
    units = [0] * size
    bases: set[int] = set()
    used[0] = 1
    queue: deque[tuple[int, dict[int, Any]]] = deque([(0, trie)])
    cursor = 1
    while queue:
        position, node = queue.popleft()
        labels = sorted(k for k in node if k != -1)
        needed = ([0] if -1 in node else []) + labels
        if not needed:
            continue
        cursor = used.find(0, cursor)
        free = cursor if cursor >= 0 else size
        while True:
            while (free | 0xFF) >= size:  # a base's children share its 256-slot block
                used.extend(bytes(size))
                units.extend([0] * size)
                size *= 2
            base = free ^ needed[0]
            if base not in bases and all(not used[base ^ c] for c in needed):
                break
            following = used.find(0, free + 1)
            free = following if following >= 0 else size
        offset = position ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation map too large for a compact double array")
        bases.add(base)
        units[position] |= offset << 10
        if -1 in node:
            used[base] = 1
            units[base] = 0x80000000 | node[-1]
        for c in labels:
            child = node[c]
            used[base ^ c] = 1
            units[base ^ c] = c | ((1 << 8) if -1 in child else 0)
            queue.append((base ^ c, child))
    return units[:used.rfind(1) + 1]


def build_tokenizer(model: E5File) -> Any:
    """The `tokenizers.Tokenizer` that reproduces e5.c's tokenisation (see the module docstring)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(model.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)])
    specials = [model.pieces[i] for i in (model.bos, model.pad, model.eos, model.unk)]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    if "<mask>" in model.pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    return tokenizer


def reference_token_ids(model: E5File, text: str) -> list[int]:
    """e5.c's tokenisation of `text` (content ids, no <s>/</s>), re-implemented: per-codepoint map, space runs
    collapsed, U+2581 prepended unless the text starts with a space, spaces to U+2581, then the Viterbi search
    over the pieces (float32 sums, first best path kept, an unknown character scoring min - 10)."""
    return _viterbi(model, _normalised(model, text))


def word_token_ids(model: E5File, text: str, limit: int | None = None) -> list[int]:
    """`reference_token_ids`, word by word through a cache of words already seen; with `limit`, the first `limit`
    ids only (the words after them are not searched). No piece of the vocabulary holds U+2581 except as its first
    character, so every path of the search breaks before each U+2581 and the words' best paths join into the text's.
    An exact tie may break the other way, since a word's float32 sums start at 0 ("...." as "." + "..." or "..." +
    "."): the same pieces, the same score."""
    chars = _normalised(model, text)
    index = _piece_index(model)
    cache: dict[str, list[int]] = index.setdefault("words", {})
    ids: list[int] = []
    starts = [i for i, ch in enumerate(chars) if ch == META] + [len(chars)]  # chars[0] is always META
    for start, end in itertools.pairwise(starts):
        if limit is not None and len(ids) >= limit:
            break
        word = "".join(chars[start:end])
        found = cache.get(word)
        if found is None:
            found = _viterbi(model, chars[start:end])
            if len(word) <= WORD_CACHE_LONGEST:  # a long run (a URL, a table) is seldom seen twice
                if len(cache) >= WORD_CACHE:
                    cache.clear()
                cache[word] = found
        ids.extend(found)
    return ids if limit is None else ids[:limit]


def _normalised(model: E5File, text: str) -> list[str]:
    chars = [model.norm.get(ord(ch), ch) for ch in text]
    collapsed: list[str] = []
    for ch in "".join(chars):
        if ch == " " and collapsed and collapsed[-1] == " ":
            continue
        collapsed.append(ch)
    if not collapsed or collapsed[0] != " ":
        collapsed.insert(0, " ")
    return [META if ch == " " else ch for ch in collapsed]


def _viterbi(model: E5File, chars: list[str]) -> list[int]:
    index = _piece_index(model)
    n = len(chars)
    longest = index["longest"]
    best = np.full(n + 1, -1e30, dtype=np.float32)
    best[0] = 0.0
    back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
    unk_score = np.float32(index["unk_score"])
    for i in range(n):
        if best[i] <= -1e29:
            continue
        piece = ""
        for e in range(i + 1, min(n, i + longest) + 1):
            piece += chars[e - 1]
            pid = index["ids"].get(piece)
            if pid is not None and pid != model.unk:
                score = np.float32(best[i] + model.scores[pid])
                if score > best[e]:
                    best[e], back[e] = score, (i, pid)
        score = np.float32(best[i] + unk_score)
        if score > best[i + 1]:
            best[i + 1], back[i + 1] = score, (i, model.unk)
    ids: list[int] = []
    i = n
    while i > 0:
        start, pid = back[i]
        ids.append(pid)
        i = start
    return ids[::-1]


def _piece_index(model: E5File) -> dict[str, Any]:
    """piece -> id (`PieceTable`), the longest piece in characters and the unknown score, built once per parsed
    file."""
    if model.lookup is None:
        table = PieceTable(model.piece_blob, model.piece_offsets)
        model.lookup = {"ids": table, "longest": table.longest, "unk_score": float(model.scores.min()) - 10.0}
    return model.lookup


class PieceTable:
    """piece -> id over the file's UTF-8 blob, without a Python string per piece: the pieces' hashes sorted, with
    their ids, and a hit confirmed against the piece's own bytes. About 7 MB for e5's 250k pieces, where a dict of
    strings holds 40 MB; a lookup costs about 2 µs."""

    def __init__(self, blob: bytes, offsets: np.ndarray) -> None:
        self._blob, self._offsets = blob, offsets
        hashes = np.empty(len(offsets) - 1, dtype=np.int64)
        longest = 0
        for i in range(len(hashes)):
            piece = blob[offsets[i]:offsets[i + 1]].decode("utf-8")
            hashes[i] = hash(piece)  # Python's string hash: salted per process, and the table lives in one
            longest = max(longest, len(piece))
        self._ids = np.argsort(hashes, kind="stable").astype(np.int32)
        self._hashes = hashes[self._ids]
        self.longest = longest

    def get(self, piece: str) -> int | None:
        """The first id of a non-empty `piece`, or None."""
        if not piece:
            return None
        key = hash(piece)
        j = int(np.searchsorted(self._hashes, key))
        encoded = None
        while j < len(self._hashes) and self._hashes[j] == key:
            i = int(self._ids[j])
            encoded = encoded or piece.encode("utf-8")
            if self._blob[self._offsets[i]:self._offsets[i + 1]] == encoded:
                return i
            j += 1
        return None
