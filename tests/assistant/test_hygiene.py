"""The input-hygiene rule itself (`assistant.hygiene`): which characters are text, what free text keeps, what an
exact field refuses, how deep a tree may be, and the setting's bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.errors import InvalidInput
from assistant.hygiene import check_text, check_tree, field_matcher, may_need_text_checks, normalise_text
from assistant.settings import SettingsError, load_settings


def test_free_text_keeps_tab_and_newlines_as_lf_and_drops_every_other_c0_control() -> None:
    controls = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
    assert normalise_text(f"가{controls}나\r\n다\r라\n마\t바") == "가나\n다\n라\n마\t바"
    beyond_c0 = "U+0085\u0085 U+2028\u2028 U+2029\u2029 DEL\x7f"
    assert normalise_text(beyond_c0) == beyond_c0


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"])
def test_every_c0_control_but_tab_lf_cr_is_refused_in_an_exact_field(char: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_text(f"a{char}b", "name", free_text=False)
    assert raised.value.code == "control_character" and raised.value.param == "name"
    assert f"U+{ord(char):04X} at character 1" in raised.value.message
    assert check_text("a\tb\r\nc", "name", free_text=False) == "a\tb\r\nc"


@pytest.mark.parametrize("free_text", [True, False])
def test_a_lone_surrogate_is_refused_in_free_text_and_exact_fields_alike(free_text: bool) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_text("ok \udc80", "message", free_text=free_text)
    assert raised.value.code == "invalid_unicode" and "U+DC80" in raised.value.message


def test_check_tree_normalises_free_text_in_place_and_names_exact_fields_by_path() -> None:
    tree: dict[str, Any] = {"messages": [{"role": "user", "content": "a\x00b\r\n", "name": "n"}]}
    free = field_matcher(["messages.*.content"])
    assert check_tree(tree, max_depth=8, is_free_text=free) is True
    assert tree["messages"][0]["content"] == "ab\n"
    assert check_tree(tree, max_depth=8, is_free_text=free) is False
    tree["messages"][0]["name"] = "n\x1b"
    with pytest.raises(InvalidInput) as raised:
        check_tree(tree, max_depth=8, is_free_text=free)
    assert raised.value.param == "messages.0.name"


def test_keys_are_exact_even_under_a_free_text_pattern() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_tree({"input": {"k\x00": "v"}}, max_depth=8, is_free_text=field_matcher(["input.**"]))
    assert raised.value.code == "control_character"


def test_a_field_path_with_unprintable_keys_can_be_sent_back() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_tree({"\ud83d": {"k\x00": 1}}, max_depth=8)
    assert raised.value.param == "\\ud83d" and raised.value.param.isascii()


def test_field_patterns_match_one_segment_per_star_and_any_tail_for_a_trailing_double_star() -> None:
    matches = field_matcher(["messages.*.content", "input.**"])
    assert matches(("messages", "3", "content")) and not matches(("messages", "content"))
    assert matches(("input",)) and matches(("input", "reviews", "0", "text")) and not matches(("inputs",))


def test_depth_counts_objects_and_arrays_and_holds_at_n() -> None:
    assert check_tree({"a": [{"b": []}]}, max_depth=4) is False
    with pytest.raises(InvalidInput) as raised:
        check_tree({"a": [{"b": [[]]}]}, max_depth=4)
    assert raised.value.code == "json_too_deep" and raised.value.param == "a.0.b.0"


def test_a_tree_far_deeper_than_python_recursion_is_refused_without_recursing() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidInput):
        check_tree(deep, max_depth=128)


def test_the_raw_pre_check_sees_every_escape_that_can_decode_to_a_control_or_surrogate() -> None:
    for char in [chr(c) for c in range(0x20)] + ["\ud800", "\udfff"]:
        raw = json.dumps({"t": f"a{char}"}).encode()
        assert may_need_text_checks(raw) == (char not in "\t\n"), repr(char)
    assert not may_need_text_checks(json.dumps({"t": "안녕\u2028\u0085"}, ensure_ascii=False).encode())
    # json.loads decodes the bytes of a UTF-8-encoded surrogate ("surrogatepass"): those need a look too
    raw = b'{"t": "\xed\xa0\x80"}'
    assert json.loads(raw)["t"] == "\ud800" and may_need_text_checks(raw)


@pytest.mark.parametrize(("value", "ok"), [(3, False), (4, True), (128, True), (129, False)])
def test_max_json_depth_setting_is_bounded(value: int, ok: bool, tmp_path: Any) -> None:
    if ok:
        assert load_settings(data_dir=tmp_path, limits={"max_json_depth": value}).limits.max_json_depth == value
    else:
        with pytest.raises(SettingsError, match="max_json_depth"):
            load_settings(data_dir=tmp_path, limits={"max_json_depth": value})
