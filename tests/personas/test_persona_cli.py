"""`assistant persona validate|import|export` on real files."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from assistant.cli.persona import app
from personas.cards import EXTENSION_KEY, card_to_persona

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def test_validate_passes_bundled_library(library_dir: Path) -> None:
    result = runner.invoke(app, ["validate", str(library_dir)])
    assert result.exit_code == 0, result.output
    assert "0 invalid" in result.output and "scholar" in result.output


def test_validate_reports_each_broken_file_and_fails(write_persona: Callable[..., Path]) -> None:
    good = write_persona("good")
    write_persona("bad", "id: bad\nname: 나쁜\nspeech_level: 존댓말\ngreetings: [안녕]\nrefusal: 싫어요\n")
    result = runner.invoke(app, ["validate", str(good.parent)])
    assert result.exit_code == 1
    assert "bad.yaml:3: field 'speech_level'" in result.output and "1 valid, 1 invalid" in result.output


def test_validate_missing_directory_is_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(tmp_path / "none")]).exit_code == 2


def test_import_then_export_round_trips_card(data_dir: Path, card_v2: dict, tmp_path: Path) -> None:
    card_file = tmp_path / "seoyun.json"
    card_file.write_text(json.dumps(card_v2, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["import", str(card_file)])
    assert result.exit_code == 0, result.output
    persona_id = card_to_persona(card_v2).id  # from the card, as over HTTP; the file name plays no part
    assert (data_dir / "personas" / f"{persona_id}.yaml").is_file()
    exported = runner.invoke(app, ["export", persona_id])
    assert exported.exit_code == 0, exported.output
    card = json.loads(exported.output)
    card["data"]["extensions"].pop(EXTENSION_KEY)
    assert card == card_v2
    again = runner.invoke(app, ["import", str(card_file)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_import_png_and_export_png(data_dir: Path, card_png_bytes: bytes, tmp_path: Path) -> None:
    png = tmp_path / "card.png"
    png.write_bytes(card_png_bytes)
    assert runner.invoke(app, ["import", str(png), "--id", "cafe"]).exit_code == 0
    out = tmp_path / "out.png"
    result = runner.invoke(app, ["export", "cafe", "--png", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(io.BytesIO(out.read_bytes())) as image:
        card = json.loads(base64.b64decode(image.text["chara"]))  # type: ignore[attr-defined]
    assert card["data"]["name"] == "서윤"


def test_schema_lists_required_fields() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert set(schema["required"]) == {"name", "speech_level", "greetings", "refusal"}
    assert schema["properties"]["speech_level"]["enum"] == ["해요체", "합쇼체", "반말"]


def test_export_unknown_persona_fails(data_dir: Path) -> None:
    result = runner.invoke(app, ["export", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.output


def test_a_card_imported_by_the_cli_and_over_http_gets_the_same_id(tmp_path: Path) -> None:
    """The id comes from the card alone (a Hangul name has no slug: the same hash either way), never the file name."""
    card = {"spec": "chara_card_v2", "data": {"name": "서윤", "first_mes": "안녕하세요, 서윤이에요.",
                                              "description": "카페 사장님", "extensions": {}}}
    path = tmp_path / "my-download (1).json"
    path.write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["import", str(path)], env={"ASSISTANT_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 0, result.output
    over_http = card_to_persona(card)  # what POST /v1/personas/import builds from the same bytes
    assert f"imported {over_http.id} " in result.output
