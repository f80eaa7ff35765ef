"""Persona files: the bundled library is valid, and each class of broken file is refused with a message that
names the file, the line and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from personas import PersonaError, PersonaTooLarge, load_persona_file
from personas.loader import dump_persona_yaml, parse_persona_text

LIMIT = 256 * 1024


def _error(path: Path, max_bytes: int = LIMIT) -> PersonaError:
    with pytest.raises(PersonaError) as caught:
        load_persona_file(path, root=path.parent, max_bytes=max_bytes)
    assert str(path) in str(caught.value)
    return caught.value


def test_bundled_personas_are_valid_and_differ_in_speech_level(library_dir: Path) -> None:
    personas = [load_persona_file(p, root=library_dir, max_bytes=LIMIT) for p in sorted(library_dir.glob("*.yaml"))]
    assert len(personas) >= 3
    assert {p.speech_level for p in personas} == {"해요체", "합쇼체", "반말"}
    assert all(p.examples and p.greetings and p.refusal for p in personas)


def test_valid_file_round_trips_through_yaml_dump(write_persona: Callable[..., Path]) -> None:
    path = write_persona("tester")
    persona = load_persona_file(path, root=path.parent, max_bytes=LIMIT)
    again = parse_persona_text(dump_persona_yaml(persona), file="dump.yaml", file_id="tester")
    assert again == persona


def test_multiline_text_is_stored_as_literal_block(write_persona: Callable[..., Path]) -> None:
    path = write_persona("tester")
    persona = load_persona_file(path, root=path.parent, max_bytes=LIMIT)
    edited = persona.model_copy(update={"description": "첫째 줄\n둘째 줄: 콜론도 있음\n"})
    text = dump_persona_yaml(edited)
    assert "description: |\n  첫째 줄\n  둘째 줄: 콜론도 있음\n" in text
    assert parse_persona_text(text, file="dump.yaml", file_id="tester") == edited


def test_bad_yaml_names_file_and_line(write_persona: Callable[..., Path]) -> None:
    path = write_persona("broken", "id: broken\nname: 테스트\ngreetings: [안녕\nrefusal: 싫어요\n")
    error = _error(path)
    assert "invalid YAML" in error.problem
    assert error.line is not None and error.line >= 3


def test_missing_field_names_field_and_parent_line(write_persona: Callable[..., Path]) -> None:
    path = write_persona("nameless", "id: nameless\nspeech_level: 해요체\ngreetings: [안녕]\nrefusal: 싫어요\n")
    error = _error(path)
    assert error.field == "name"
    assert "required field is missing" in str(error)
    assert error.line == 1


def test_unknown_speech_level_names_value_and_line(write_persona: Callable[..., Path]) -> None:
    text = "id: odd\nname: 이상한\ngreetings: [안녕]\nrefusal: 싫소\nspeech_level: 하오체\n"
    error = _error(write_persona("odd", text))
    assert (error.field, error.line) == ("speech_level", 5)
    assert "하오체" in str(error) and "해요체" in str(error)


def test_non_alternating_example_names_dialogue_line_and_turn(write_persona: Callable[..., Path]) -> None:
    text = (
        "id: chatty\nname: 수다\nspeech_level: 반말\ngreetings: [안녕]\nrefusal: 싫어\nexamples:\n"
        "  - - role: user\n      text: 안녕\n    - role: assistant\n      text: 응\n"
        "  - - role: user\n      text: 뭐해\n    - role: user\n      text: 대답해\n"
    )
    error = _error(write_persona("chatty", text))
    assert (error.field, error.line) == ("examples[1]", 11)
    assert "turn 2" in error.problem and "alternate" in error.problem


def test_example_ending_on_user_turn_is_refused(write_persona: Callable[..., Path]) -> None:
    text = (
        "id: dangling\nname: 끝\nspeech_level: 반말\ngreetings: [안녕]\nrefusal: 싫어\nexamples:\n"
        "  - - role: user\n      text: 안녕\n    - role: assistant\n      text: 응\n    - role: user\n"
        "      text: 그래\n"
    )
    error = _error(write_persona("dangling", text))
    assert error.field == "examples[0]" and "assistant turn" in error.problem


def test_unknown_field_is_reported_at_its_line(write_persona: Callable[..., Path]) -> None:
    path = write_persona("typo", (write_persona("tmp").read_text(encoding="utf-8")).replace("tmp", "typo")
                         + "temprature: 0.5\n")
    error = _error(path)
    assert error.field == "temprature" and "unknown field" in error.problem
    assert error.line == len(path.read_text(encoding="utf-8").splitlines())


def test_nested_field_error_points_at_nested_line(write_persona: Callable[..., Path]) -> None:
    base = write_persona("tmp").read_text(encoding="utf-8").replace("tmp", "hot")
    path = write_persona("hot", base + "generation:\n  top_p: 0.9\n  temperature: 7\n")
    error = _error(path)
    assert error.field == "generation.temperature"
    assert error.line == len(path.read_text(encoding="utf-8").splitlines())


def test_duplicate_key_is_reported(write_persona: Callable[..., Path]) -> None:
    base = write_persona("tmp").read_text(encoding="utf-8").replace("tmp", "twice")
    error = _error(write_persona("twice", base + "name: 두번\n"))
    assert error.field == "name" and "duplicate" in error.problem


def test_id_must_match_file_name(write_persona: Callable[..., Path]) -> None:
    text = write_persona("tmp").read_text(encoding="utf-8").replace("id: tmp", "id: other")
    error = _error(write_persona("mismatch", text))
    assert error.field == "id" and error.line == 1 and "mismatch" in error.problem


def test_file_at_size_limit_loads_and_one_byte_over_is_refused(write_persona: Callable[..., Path]) -> None:
    path = write_persona("sized")
    size = path.stat().st_size
    assert load_persona_file(path, root=path.parent, max_bytes=size).id == "sized"
    with pytest.raises(PersonaTooLarge) as caught:
        load_persona_file(path, root=path.parent, max_bytes=size - 1)
    assert str(path) in str(caught.value) and str(size - 1) in str(caught.value)


def test_symlink_leaving_the_directory_is_refused(tmp_path: Path, write_persona: Callable[..., Path]) -> None:
    outside = write_persona("outside", folder="elsewhere")
    inside_dir = tmp_path / "personas"
    inside_dir.mkdir()
    link = inside_dir / "outside.yaml"
    link.symlink_to(outside)
    error = _error(link)
    assert "outside the persona directory" in error.problem
    assert load_persona_file(link, root=inside_dir, max_bytes=LIMIT, allow_outside=True).id == "outside"


def test_top_level_list_is_refused(write_persona: Callable[..., Path]) -> None:
    error = _error(write_persona("listy", "- a\n- b\n"))
    assert error.line == 1 and "mapping" in error.problem
