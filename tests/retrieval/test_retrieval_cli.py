from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.index import app as index_app
from assistant.cli.select import app as select_app

runner = CliRunner()


def test_build_then_select_writes_one_json_line_per_query(small_set: Path, tmp_path: Path) -> None:
    built = runner.invoke(index_app, ["build", "--data", str(small_set), "--out", str(tmp_path / "idx")])
    assert built.exit_code == 0, built.output
    assert "indexed 4 responses" in built.output
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "query": "안녕하세요"}\n{"id": "b", "query": "세종대왕은 언제 태어났어?"}\n'
                       '{"id": "c", "query": ""}\n', encoding="utf-8")
    result = runner.invoke(select_app, ["--index", str(tmp_path / "idx"), "--input", str(queries)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[0]["decision"] == "retrieve" and lines[0]["matched_question"] == "안녕하세요"
    assert lines[0]["answer"] == "안녕하세요! 반가워요."
    assert lines[1]["decision"] == "generate" and lines[1]["answer"] is None
    assert set(lines[2]) >= {"id", "decision", "score", "matched_question", "answer"}


def test_bad_input_line_is_reported_the_rest_answered_and_the_exit_code_is_1(small_set: Path, tmp_path: Path) -> None:
    runner.invoke(index_app, ["build", "--data", str(small_set), "--out", str(tmp_path / "idx")])
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": 1}\n{"id": 2, "query": "고마워요"}\n', encoding="utf-8")
    result = runner.invoke(select_app, ["--index", str(tmp_path / "idx"), "--input", str(queries)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert "error" in lines[0] and lines[1]["decision"] == "retrieve"


def test_build_refuses_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q"}\n', encoding="utf-8")
    result = runner.invoke(index_app, ["build", "--data", str(bad), "--out", str(tmp_path / "idx")])
    assert result.exit_code == 2 and "answer" in result.output


def test_select_refuses_a_corrupt_index(small_set: Path, tmp_path: Path) -> None:
    runner.invoke(index_app, ["build", "--data", str(small_set), "--out", str(tmp_path / "idx")])
    (tmp_path / "idx" / "records.jsonl").write_text("x\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": 1, "query": "안녕"}\n', encoding="utf-8")
    result = runner.invoke(select_app, ["--index", str(tmp_path / "idx"), "--input", str(queries)])
    assert result.exit_code == 2 and "corrupt" in result.output


def test_plain_commands_show_no_subcommand_in_their_usage() -> None:
    from assistant.cli import app

    for name in ("select", "rewrite", "skill"):
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "COMMAND [ARGS]" not in result.output, result.output


def test_build_refuses_an_unknown_dense_text(small_set: Path, tmp_path: Path) -> None:
    result = runner.invoke(index_app, ["build", "--data", str(small_set), "--out", str(tmp_path / "idx"),
                                       "--dense-text", "answer"])
    assert result.exit_code == 2 and "--dense-text must be one of question_answer, question" in result.output
    assert not (tmp_path / "idx").exists()
