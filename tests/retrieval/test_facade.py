from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from korean.encoder import SentenceTransformerEncoder
from retrieval import (
    BUNDLED_RESPONSES,
    Calibration,
    DuplicateRecord,
    InvalidRecord,
    KoreanAnalyzer,
    Retrieval,
    RetrievalConfig,
    UnknownRecord,
    UnknownResponseSet,
)
from tests.support.counting_encoder import CountingEncoder


def make(analyzer: KoreanAnalyzer, calibration: Calibration, root: Path) -> Retrieval:
    config = RetrievalConfig(knowledge={"docs": root / "docs.jsonl"}, default_knowledge="docs")
    return Retrieval(analyzer, calibration, config, index_root=root / "indexes", changes_dir=root / "responses")


@pytest.fixture
def served(analyzer: KoreanAnalyzer, calibration: Calibration, small_set: Path, tmp_path: Path) -> Retrieval:
    retrieval = make(analyzer, calibration, tmp_path)
    assert retrieval.open_response_set("default", small_set)
    return retrieval


def test_first_start_builds_and_saves_the_index(served: Retrieval, tmp_path: Path) -> None:
    assert (tmp_path / "indexes" / "default" / "manifest.json").is_file()
    assert served.status()[0][1] is True and "built" in served.status()[0][2]


def test_second_start_loads_the_saved_index(served: Retrieval, analyzer: KoreanAnalyzer,
                                            calibration: Calibration, small_set: Path, tmp_path: Path) -> None:
    again = make(analyzer, calibration, tmp_path)
    assert again.open_response_set("default", small_set)
    assert "loaded index" in again.status()[0][2]


def test_added_response_is_selected_without_restart(served: Retrieval) -> None:
    assert served.select("주말에 등산 가고 싶어").decision == "generate"
    served.add_responses("default", [{"question": "주말에 등산 가고 싶어", "answer": "좋은 산 추천해 드릴게요."}])
    chosen = served.select("주말에 등산 가고 싶어")
    assert chosen.decision == "retrieve" and chosen.hit is not None
    assert chosen.hit.answer == "좋은 산 추천해 드릴게요."


def test_changes_survive_a_restart(served: Retrieval, analyzer: KoreanAnalyzer, calibration: Calibration,
                                   small_set: Path, tmp_path: Path) -> None:
    added = served.add_responses("default", [{"question": "주말에 등산 가고 싶어", "answer": "산 좋아요."}])
    hungry = next(r for r in served.list_responses("default")[1] if r.question == "배고파")
    served.remove_response("default", hungry.id)
    again = make(analyzer, calibration, tmp_path)
    again.open_response_set("default", small_set)
    questions = {r.question for r in again.list_responses("default")[1]}
    assert added[0].question in questions and "배고파" not in questions


def test_removed_response_is_no_longer_selected(served: Retrieval) -> None:
    hit = served.select("배고파").hit
    assert hit is not None
    served.remove_response("default", hit.id)
    chosen = served.select("배고파")
    assert chosen.hit is None or chosen.hit.id != hit.id


def test_set_created_by_admin_exists_after_add(served: Retrieval) -> None:
    served.add_responses("faq", [{"question": "환불 규정 알려줘", "answer": "7일 안에 환불돼요."}])
    assert "faq" in served.response_sets
    assert served.select("환불 규정 알려줘", "faq").decision == "retrieve"


def test_invalid_records_are_refused_as_a_whole(served: Retrieval) -> None:
    total = served.list_responses("default")[0]
    with pytest.raises(InvalidRecord, match="answer"):
        served.add_responses("default", [{"question": "좋아", "answer": "좋아요"}, {"question": "빈 답"}])
    assert served.list_responses("default")[0] == total


def test_clashing_id_is_a_conflict_and_identical_readd_is_a_no_op(served: Retrieval) -> None:
    served.add_responses("default", [{"id": "x1", "question": "질문", "answer": "답"}])
    served.add_responses("default", [{"id": "x1", "question": "질문", "answer": "답"}])
    with pytest.raises(DuplicateRecord):
        served.add_responses("default", [{"id": "x1", "question": "다른 질문", "answer": "답"}])
    assert served.list_responses("default")[0] == 5


def test_unknown_set_and_record_raise_lookup_errors(served: Retrieval) -> None:
    with pytest.raises(UnknownResponseSet):
        served.list_responses("nope")
    with pytest.raises(UnknownRecord):
        served.remove_response("default", "no-such-id")
    with pytest.raises(UnknownResponseSet):
        served.add_responses("nope", [{"question": "q", "answer": "a"}], create=False)


def test_unknown_set_selects_generate_with_reason(served: Retrieval) -> None:
    chosen = served.select("안녕하세요", "nope")
    assert chosen.decision == "generate" and "nope" in chosen.reason


def test_corrupt_index_is_refused_while_other_sets_serve(analyzer: KoreanAnalyzer, calibration: Calibration,
                                                         small_set: Path, tmp_path: Path) -> None:
    first = make(analyzer, calibration, tmp_path)
    first.open_response_set("default", BUNDLED_RESPONSES)
    first.open_response_set("small", small_set)
    (tmp_path / "indexes" / "small" / "records.jsonl").write_text("tampered\n")
    again = make(analyzer, calibration, tmp_path)
    assert again.open_response_set("default", BUNDLED_RESPONSES)
    assert not again.open_response_set("small", small_set)
    status = dict((name, (ready, detail)) for name, ready, detail in again.status())
    assert status["retrieval.responses:small"][0] is False
    assert "corrupt" in status["retrieval.responses:small"][1]
    assert again.select("안녕하세요").decision == "retrieve"
    assert again.select("안녕하세요", "small").decision == "generate"


def test_changed_source_file_rebuilds_a_stale_index(served: Retrieval, analyzer: KoreanAnalyzer,
                                                    calibration: Calibration, small_set: Path,
                                                    tmp_path: Path) -> None:
    with small_set.open("a", encoding="utf-8") as fh:
        fh.write('{"question": "심심해", "answer": "놀아요."}\n')
    again = make(analyzer, calibration, tmp_path)
    assert again.open_response_set("default", small_set)
    assert "rebuilt" in again.status()[0][2]
    refused = make(analyzer, calibration, tmp_path / "other")
    shutil.copytree(tmp_path / "indexes", tmp_path / "other" / "indexes")
    with small_set.open("a", encoding="utf-8") as fh:
        fh.write('{"question": "졸려", "answer": "주무세요."}\n')
    assert not refused.open_response_set("default", small_set, rebuild_stale=False)


def test_invalid_source_file_is_reported_not_raised(analyzer: KoreanAnalyzer, calibration: Calibration,
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q"}\n')
    retrieval = make(analyzer, calibration, tmp_path)
    assert not retrieval.open_response_set("bad", bad)
    assert "answer" in retrieval.status()[0][2]


def test_knowledge_returns_passages_with_sources(served: Retrieval, tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        '{"text": "부산은 대한민국 남동부의 항구 도시이다. 해운대 해수욕장이 유명하다.", "source": "부산 소개"}\n'
        '{"text": "제주도는 한국에서 가장 큰 섬이다. 한라산이 섬 가운데에 있다.", "source": "제주 소개"}\n',
        encoding="utf-8")
    assert served.open_collection("docs", docs)
    passages = served.knowledge("한라산은 어디에 있어?", k=2)
    assert passages and passages[0].source == "제주 소개"
    assert "한라산" in passages[0].text


def test_knowledge_without_collection_or_match_is_empty(served: Retrieval) -> None:
    assert served.knowledge("한라산은 어디에 있어?") == []
    assert served.knowledge("한라산", collection="missing") == []


def _docs(tmp_path: Path, extra: str = "") -> Path:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        '{"text": "부산은 대한민국 남동부의 항구 도시이다. 해운대 해수욕장이 유명하다.", "source": "부산 소개"}\n'
        '{"text": "제주도는 한국에서 가장 큰 섬이다. 한라산이 섬 가운데에 있다.", "source": "제주 소개"}\n' + extra,
        encoding="utf-8")
    return docs


def _collection_detail(retrieval: Retrieval) -> str:
    return dict((k, d) for k, _, d in retrieval.status())["retrieval.knowledge:docs"]


def test_knowledge_collection_is_saved_and_loaded_on_the_next_start(
        served: Retrieval, analyzer: KoreanAnalyzer, calibration: Calibration, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    assert served.open_collection("docs", docs)
    assert (tmp_path / "indexes" / "@knowledge" / "docs" / "manifest.json").is_file()
    again = make(analyzer, calibration, tmp_path)
    assert again.open_collection("docs", docs)
    assert "index loaded" in _collection_detail(again)
    assert again.knowledge("한라산은 어디에 있어?", collection="docs")[0].source == "제주 소개"


def test_changed_documents_or_chunk_size_rebuild_the_saved_collection(
        served: Retrieval, analyzer: KoreanAnalyzer, calibration: Calibration, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    assert served.open_collection("docs", docs)
    _docs(tmp_path, '{"text": "강릉은 커피 거리로 알려진 동해안 도시이다.", "source": "강릉 소개"}\n')
    again = make(analyzer, calibration, tmp_path)
    assert again.open_collection("docs", docs)
    assert "documents changed" in _collection_detail(again)
    assert again.knowledge("커피 거리는 어디야?", collection="docs")[0].source == "강릉 소개"
    third = make(analyzer, calibration, tmp_path)
    assert third.open_collection("docs", docs, chunk_chars=100)
    assert "documents changed" in _collection_detail(third)


def test_corrupt_saved_collection_is_rebuilt_not_used(
        served: Retrieval, analyzer: KoreanAnalyzer, calibration: Calibration, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    assert served.open_collection("docs", docs)
    passages = tmp_path / "indexes" / "@knowledge" / "docs" / "passages.jsonl"
    passages.write_text('{"id": "x", "text": "엉뚱한 내용", "source": "x"}\n', encoding="utf-8")
    again = make(analyzer, calibration, tmp_path)
    assert again.open_collection("docs", docs)
    assert "unusable" in _collection_detail(again) and "checksum" in _collection_detail(again)
    assert again.knowledge("한라산은 어디에 있어?", collection="docs")[0].source == "제주 소개"


def test_unsaveable_collection_index_still_serves_from_memory(
        analyzer: KoreanAnalyzer, calibration: Calibration, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    blocker = tmp_path / "indexes"
    blocker.write_text("a file where the index directory should be", encoding="utf-8")
    retrieval = make(analyzer, calibration, tmp_path)
    assert retrieval.open_collection("docs", docs)
    assert "not saved" in _collection_detail(retrieval)
    assert retrieval.knowledge("한라산은 어디에 있어?", collection="docs")[0].source == "제주 소개"


def test_runtime_add_embeds_only_the_new_response(analyzer: KoreanAnalyzer, calibration: Calibration,
                                                  small_set: Path, tmp_path: Path,
                                                  minilm: SentenceTransformerEncoder) -> None:
    counting = CountingEncoder(minilm)
    retrieval = Retrieval(analyzer, calibration, RetrievalConfig(), encoder=counting,
                          index_root=tmp_path / "indexes", changes_dir=tmp_path / "responses")
    assert retrieval.open_response_set("default", small_set)
    assert len(counting.embedded) == 4
    counting.embedded.clear()
    retrieval.add_responses("default", [{"question": "주말에 등산 가고 싶어", "answer": "산 좋아요."}])
    assert counting.embedded == ["주말에 등산 가고 싶어 산 좋아요."]


def test_stale_index_on_disk_lends_vectors_of_unchanged_responses(analyzer: KoreanAnalyzer,
                                                                  calibration: Calibration, small_set: Path,
                                                                  tmp_path: Path,
                                                                  minilm: SentenceTransformerEncoder) -> None:
    def start() -> tuple[Retrieval, CountingEncoder]:
        counting = CountingEncoder(minilm)
        retrieval = Retrieval(analyzer, calibration, RetrievalConfig(), encoder=counting,
                              index_root=tmp_path / "indexes")
        assert retrieval.open_response_set("default", small_set)
        return retrieval, counting

    start()
    with small_set.open("a", encoding="utf-8") as fh:
        fh.write('{"question": "비 오는 날 뭐 하지", "answer": "영화 어때요?"}\n')
    again, counting = start()
    assert counting.embedded == ["비 오는 날 뭐 하지 영화 어때요?"]
    assert "data changed; index rebuilt" in again.status()[0][2]


@pytest.mark.parametrize(("mode", "expected"), [
    ("question_answer", ["안녕하세요 안녕하세요! 반가워요.", "고마워요 천만에요.", "배고파 맛있는 거 드세요.",
                         "너무 피곤해 푹 쉬세요.", "같은 말"]),
    ("question", ["안녕하세요", "고마워요", "배고파", "너무 피곤해", "같은 말"]),
])
def test_dense_vectors_embed_what_dense_text_says(mode: str, expected: list[str], analyzer: KoreanAnalyzer,
                                                  calibration: Calibration, small_set: Path, tmp_path: Path,
                                                  minilm: SentenceTransformerEncoder) -> None:
    with small_set.open("a", encoding="utf-8") as fh:
        fh.write('{"question": "같은 말", "answer": "같은 말"}\n')  # an answer that repeats its question
    counting = CountingEncoder(minilm)
    retrieval = Retrieval(analyzer, calibration, RetrievalConfig(dense_text=mode), encoder=counting)
    assert retrieval.open_response_set("default", small_set)
    assert counting.embedded == expected
