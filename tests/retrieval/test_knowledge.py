from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import InvalidRecord, KoreanAnalyzer
from retrieval.knowledge import Document, chunk, load_documents


def test_chunks_hold_whole_sentences_within_the_limit(analyzer: KoreanAnalyzer) -> None:
    text = " ".join(f"{i}번째 문장은 검색을 위한 예시 문장입니다." for i in range(20))
    parts = chunk(Document("d", text, "src"), analyzer, chunk_chars=120)
    assert len(parts) > 1
    assert all(len(p.text) <= 120 + 40 for p in parts)
    assert all(p.text.endswith("니다.") for p in parts)


def test_consecutive_chunks_overlap_by_one_sentence(analyzer: KoreanAnalyzer) -> None:
    text = " ".join(f"{i}번째 문장은 검색을 위한 예시 문장입니다." for i in range(10))
    parts = chunk(Document("d", text, "src"), analyzer, chunk_chars=100)
    last_of_first = analyzer.split_sentences(parts[0].text)[-1]
    assert parts[1].text.startswith(last_of_first)


def test_text_files_and_directories_load_with_their_names_as_source(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("첫 문서.", encoding="utf-8")
    (tmp_path / "b.md").write_text("둘째 문서.", encoding="utf-8")
    assert {d.source for d in load_documents(tmp_path)} == {"a.txt", "b.md"}


def test_malformed_knowledge_lines_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source": "no text"}\n', encoding="utf-8")
    with pytest.raises(InvalidRecord, match="text"):
        load_documents(bad)
