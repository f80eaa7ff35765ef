"""The e5 pair classifier: one tokenization for both engines, a fit that learns, and the merged direct engine
scoring as the Hugging Face model with the peft adapter does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from korean.e5_lora import base_sha256, lora_config, merged_deltas, pooled_logits, read_adapter, save_adapter
from korean.e5_pairs import PairScorer, PairSettings, fit_pair_adapter, load_scorer, pair_ids
from korean.e5_port import read_model_file

EXCHANGE = "하늘 미술학원 수강료 얼마예요? / 하늘 미술학원은 한 달에 15만 원이에요."
PAIRS = [("주말 수업도 있나요?", EXCHANGE), ("오늘 저녁 뭐 먹지?", EXCHANGE),
         ("재료비는 따로 내요?", EXCHANGE), ("지하철 막차 몇 시야?", EXCHANGE)] * 3
LABELS = [1.0, 0.0, 1.0, 0.0] * 3
TINY = PairSettings(rank=4, alpha=8, dropout=0.0, epochs=3, batch=4, lr=3e-3, head_lr=3e-2, warmup_steps=1)


@pytest.fixture(scope="module")
def e5_file() -> Any:
    return read_model_file(lazy=True)


@pytest.fixture(scope="module")
def fitted() -> dict[str, Any]:
    return fit_pair_adapter(PAIRS, LABELS, TINY)


def _meta() -> dict[str, Any]:
    return {"rank": TINY.rank, "alpha": TINY.alpha, "max_tokens": TINY.max_tokens, "base_sha256": base_sha256()}


def test_pair_ids_put_the_query_first_and_cut_the_second_text_to_the_limit(e5_file: Any) -> None:
    ids = pair_ids(e5_file, "주말 수업도 있나요?", EXCHANGE * 20, 40)
    assert len(ids) == 40
    assert ids[0] == e5_file.bos and ids[-1] == e5_file.eos and ids.count(e5_file.eos) == 2
    short = pair_ids(e5_file, "주말 수업도 있나요?", "짧은 문장", 112)
    assert short.index(e5_file.eos) == ids.index(e5_file.eos)  # the first text is never cut for the second
    assert len(short) < 40


def test_the_fit_learns_to_separate_its_pairs(fitted: dict[str, Any]) -> None:
    scores = PairScorer(fitted, _meta(), bfloat16=False).scores(PAIRS[:4])
    assert scores[0] > scores[1] and scores[2] > scores[3]


def test_the_merged_direct_engine_scores_as_the_peft_model_does(fitted: dict[str, Any], e5_file: Any) -> None:
    import torch
    from peft import get_peft_model, set_peft_model_state_dict

    from korean.e5_port import bert_model

    bert, _, model_file = bert_model()
    peft_model = get_peft_model(bert, lora_config(TINY.rank, TINY.alpha))
    set_peft_model_state_dict(peft_model, {k[len("lora."):]: v for k, v in fitted.items() if k.startswith("lora.")})
    peft_model.eval()
    head = torch.nn.Linear(bert.config.hidden_size, 1)
    head.load_state_dict({"weight": fitted["head.weight"], "bias": fitted["head.bias"]})
    with torch.no_grad():
        expected = []
        for a, b in PAIRS[:4]:
            ids = torch.tensor([pair_ids(model_file, a, b, TINY.max_tokens)])
            mask = torch.ones_like(ids)
            hidden = peft_model(input_ids=ids, attention_mask=mask).last_hidden_state
            expected.append(float(pooled_logits(hidden, mask, head)))
    got = PairScorer(fitted, _meta(), bfloat16=False).scores(PAIRS[:4])
    np.testing.assert_allclose(got, expected, atol=2e-3)


def test_merged_deltas_name_the_e5_files_matrices(fitted: dict[str, Any], e5_file: Any) -> None:
    deltas = merged_deltas(fitted, _meta())
    assert len(deltas) == 12 * 6
    assert set(deltas) <= set(e5_file.locations)
    assert deltas["l0.fi.w"].shape == (e5_file.ffn, e5_file.hidden)


def test_an_adapter_file_round_trips_and_one_of_other_base_weights_is_refused(fitted: dict[str, Any],
                                                                               tmp_path: Path) -> None:
    path = tmp_path / "pair.safetensors"
    save_adapter(path, fitted, _meta())
    tensors, meta = read_adapter(path)
    assert meta["rank"] == TINY.rank and set(tensors) == set(fitted)
    scorer = load_scorer(path, bfloat16=False)
    want = PairScorer(fitted, _meta(), bfloat16=False).scores(PAIRS[:2])
    np.testing.assert_allclose(scorer.scores(PAIRS[:2]), want, atol=5e-2)  # the file holds float16
    other = tmp_path / "other.safetensors"
    save_adapter(other, fitted, {**_meta(), "base_sha256": "0" * 64})
    with pytest.raises(ValueError, match="0000"):
        load_scorer(other)


def test_fitting_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both classes"):
        fit_pair_adapter(PAIRS[:1], [1.0], TINY)
