from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import InvalidRecord
from retrieval.records import MAX_FIELD_CHARS, load_records, make_record, record_id


def test_jsonl_and_csv_sets_load_the_same_records(tmp_path: Path) -> None:
    (tmp_path / "s.jsonl").write_text('{"question": "안녕", "answer": "반가워요", "tags": ["a", "b"]}\n',
                                      encoding="utf-8")
    (tmp_path / "s.csv").write_text("question,answer,intent,tags\n안녕,반가워요,,a;b\n", encoding="utf-8")
    assert load_records(tmp_path / "s.jsonl") == load_records(tmp_path / "s.csv")


def test_ids_are_stable_hashes_unless_given() -> None:
    assert make_record({"question": "안녕", "answer": "네"}).id == record_id("안녕", "네")
    assert make_record({"question": "안녕", "answer": "네", "id": "g1"}).id == "g1"


def test_field_length_limit_accepts_n_and_refuses_n_plus_one() -> None:
    make_record({"question": "가" * MAX_FIELD_CHARS, "answer": "a"})
    with pytest.raises(InvalidRecord, match="longer"):
        make_record({"question": "가" * (MAX_FIELD_CHARS + 1), "answer": "a"})


@pytest.mark.parametrize("content", ['{"question": "q"}', "not json", '{"question": "", "answer": "a"}',
                                     '{"question": "q", "answer": "a", "tags": 3}'])
def test_malformed_lines_name_file_and_line(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "ok", "answer": "ok"}\n' + content + "\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match=r"bad\.jsonl:2"):
        load_records(path)


def test_csv_without_required_headers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("q,a\n안녕,네\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="headers"):
        load_records(tmp_path / "s.csv")


def test_bundled_set_is_a_few_hundred_valid_pairs(bundled_records: list) -> None:
    assert 200 <= len(bundled_records) <= 1000
    assert len({r.id for r in bundled_records}) == len(bundled_records)
