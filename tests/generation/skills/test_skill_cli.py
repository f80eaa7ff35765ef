"""`assistant skill NAME --input FILE.jsonl`: one JSON line in, one out, errors per line."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from assistant.cli import skill

runner = CliRunner()


def lines(result_stdout: str) -> list[dict]:
    return [json.loads(line) for line in result_stdout.splitlines() if line.strip()]


def write(tmp_path, rows) -> str:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_rewrite_lines_have_id_and_rewrites(tmp_path, kiwi):
    rows = [{"id": "q1", "query": "내일 부산 습도가 어느 정도니"}, {"id": "q2", "query": "가습기 좀 틀어 줘"}]
    path = write(tmp_path, rows)
    result = runner.invoke(skill.app, ["rewrite-null-query", "--input", path])
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [o["id"] for o in out] == ["q1", "q2"]
    assert out[0]["rewrites"][0] == {"text": "내일 부산 습도", "strategy": "keyword"}
    assert set(out[1]) == {"id", "rewrites"}


def test_summarize_lines_have_the_documented_fields(tmp_path, kiwi):
    reviews = [
        {"text": "배우 연기가 훌륭하고 감동적이에요", "rating": 10},
        {"text": "스토리가 지루하고 뻔해요", "rating": 2},
    ]
    path = write(tmp_path, [{"id": 7, "reviews": reviews}])
    result = runner.invoke(skill.app, ["summarize-reviews", "--input", path, "--speech-level", "합쇼체"])
    assert result.exit_code == 0, result.output
    (row,) = lines(result.stdout)
    assert set(row) == {"id", "summary", "pros", "cons", "sentiment", "quotes"}
    assert row["id"] == 7 and row["sentiment"] == {"positive": 1, "neutral": 0, "negative": 1}


def test_bad_lines_become_error_lines_and_exit_code_one(tmp_path, kiwi):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "query": "오늘 날씨 어때"}\nnot json\n{"id": "c", "query": ""}\n', encoding="utf-8")
    result = runner.invoke(skill.app, ["rewrite-null-query", "--input", str(path)])
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert "rewrites" in out[0] and "error" in out[1] and out[2]["error"]["param"] == "query"


def test_unknown_skill_exits_two(tmp_path):
    path = write(tmp_path, [{"id": 1, "query": "날씨"}])
    result = runner.invoke(skill.app, ["make-coffee", "--input", path])
    assert result.exit_code == 2


def test_works_as_a_sub_command_of_a_root_app(tmp_path, kiwi):
    root = typer.Typer()
    root.command("noop")(lambda: None)
    root.add_typer(skill.app, name="skill")
    path = write(tmp_path, [{"id": "q", "query": "가습기 좀 틀어 줘"}])
    result = runner.invoke(root, ["skill", "rewrite-null-query", "--input", path])
    assert result.exit_code == 0, result.output
    assert lines(result.stdout)[0]["rewrites"][0]["text"] == "가습기 틀기"
