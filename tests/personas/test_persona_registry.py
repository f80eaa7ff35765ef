"""PersonaRegistry: precedence, hot reload, last-valid-version fallback, versioned writes in the writable dir."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from personas import PersonaConflict, PersonaError, PersonaNotFound, PersonaRegistry, PersonasConfig, PersonaTooLarge


def _touch_later(path: Path) -> None:
    # Filesystems with coarse mtimes could hide an edit made within the same tick; tests make it explicit.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_library_serves_default_and_unknown_id_raises_key_error(library: PersonaRegistry) -> None:
    assert library.get(library.default_id).id == "assistant"
    with pytest.raises(KeyError) as caught:
        library.get("nobody")
    assert isinstance(caught.value, PersonaNotFound) and "nobody" in str(caught.value)
    assert library.errors() == {}


def test_broken_file_is_reported_and_others_keep_serving(write_persona: Callable[..., Path]) -> None:
    good = write_persona("good")
    bad = write_persona("bad", "id: bad\nname: [unclosed\n")
    registry = PersonaRegistry([good.parent], None, PersonasConfig(reload_interval_s=0.0))
    assert [p.id for p in registry.list()] == ["good"]
    errors = registry.errors()
    assert list(errors) == [str(bad)] and str(bad) in errors[str(bad)]


def test_edit_takes_effect_on_next_get(write_persona: Callable[..., Path]) -> None:
    path = write_persona("live")
    registry = PersonaRegistry([path.parent], None, PersonasConfig(reload_interval_s=0.0))
    assert registry.get("live").name == "테스트"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 테스트", "name: 바뀐이름"), encoding="utf-8")
    _touch_later(path)
    assert registry.get("live").name == "바뀐이름"


def test_new_and_removed_files_are_picked_up(write_persona: Callable[..., Path]) -> None:
    first = write_persona("first")
    registry = PersonaRegistry([first.parent], None, PersonasConfig(reload_interval_s=0.0))
    second = write_persona("second")
    assert {p.id for p in registry.list()} == {"first", "second"}
    second.unlink()
    with pytest.raises(PersonaNotFound):
        registry.get("second")


def test_file_turned_invalid_keeps_last_valid_version_and_reports_error(write_persona: Callable[..., Path]) -> None:
    path = write_persona("fragile")
    registry = PersonaRegistry([path.parent], None, PersonasConfig(reload_interval_s=0.0))
    before = registry.get("fragile")
    path.write_text(path.read_text(encoding="utf-8").replace("해요체", "하오체"), encoding="utf-8")
    _touch_later(path)
    assert registry.get("fragile") == before
    assert "speech_level" in registry.errors()[str(path)]
    path.write_text(path.read_text(encoding="utf-8").replace("하오체", "합쇼체"), encoding="utf-8")
    _touch_later(path)
    assert registry.get("fragile").speech_level == "합쇼체"
    assert registry.errors() == {}


def test_reload_interval_defers_restat(write_persona: Callable[..., Path]) -> None:
    path = write_persona("slow")
    now = [0.0]
    registry = PersonaRegistry([path.parent], None, PersonasConfig(reload_interval_s=5.0), clock=lambda: now[0])
    path.write_text(path.read_text(encoding="utf-8").replace("name: 테스트", "name: 나중"), encoding="utf-8")
    _touch_later(path)
    now[0] = 4.9
    assert registry.get("slow").name == "테스트"
    now[0] = 5.0
    assert registry.get("slow").name == "나중"


def test_oversized_file_in_directory_is_reported_with_limit(write_persona: Callable[..., Path]) -> None:
    path = write_persona("big")
    path.write_text(path.read_text(encoding="utf-8") + "# padding\n" * 200, encoding="utf-8")  # over the 1 KiB floor
    size = path.stat().st_size
    assert PersonaRegistry([path.parent], None, PersonasConfig(max_file_bytes=size)).errors() == {}
    errors = PersonaRegistry([path.parent], None, PersonasConfig(max_file_bytes=size - 1)).errors()
    assert f"limit is {size - 1}" in errors[str(path)]


def test_missing_directory_is_reported(tmp_path: Path) -> None:
    errors = PersonaRegistry([tmp_path / "absent"], None).errors()
    assert "not found" in errors[str(tmp_path / "absent")]


def test_put_stores_new_version_and_overrides_bundled(writable_registry: PersonaRegistry) -> None:
    bundled = writable_registry.get("assistant")
    document = bundled.document() | {"name": "둘"}
    stored = writable_registry.put("assistant", document)
    assert stored.version == bundled.version + 1 and stored.name == "둘"
    assert writable_registry.get("assistant") == stored
    assert writable_registry.is_writable("assistant")
    again = writable_registry.put("assistant", document | {"name": "셋"})
    assert again.version == stored.version + 1
    assert writable_registry.versions("assistant") == [stored.version, again.version]


def test_archived_version_can_be_read_back(writable_registry: PersonaRegistry) -> None:
    original = writable_registry.get("friend")
    writable_registry.put("friend", original.document() | {"name": "둘째"})
    writable_registry.put("friend", original.document() | {"name": "셋째"})
    assert writable_registry.get_version("friend", 2).name == "둘째"
    assert writable_registry.get_version("friend", 3).name == "셋째"
    with pytest.raises(PersonaNotFound):
        writable_registry.get_version("friend", 9)


def test_put_with_stale_expected_version_conflicts(writable_registry: PersonaRegistry) -> None:
    document = writable_registry.get("friend").document()
    writable_registry.put("friend", document, expected_version=1)
    with pytest.raises(PersonaConflict, match="version 2"):
        writable_registry.put("friend", document, expected_version=1)


def test_put_invalid_document_names_field_and_keeps_old(writable_registry: PersonaRegistry) -> None:
    document = writable_registry.get("friend").document() | {"speech_level": "하게체"}
    with pytest.raises(PersonaError) as caught:
        writable_registry.put("friend", document)
    assert caught.value.field == "speech_level" and "friend.yaml" in str(caught.value)
    assert writable_registry.get("friend").speech_level == "반말"


def test_put_body_id_must_match(writable_registry: PersonaRegistry) -> None:
    document = writable_registry.get("friend").document()
    with pytest.raises(PersonaError) as caught:
        writable_registry.put("pal", document)
    assert caught.value.field == "id"


def test_put_document_over_size_limit_is_refused(tmp_path: Path, library_dir: Path) -> None:
    registry = PersonaRegistry([library_dir], tmp_path / "w", PersonasConfig(max_file_bytes=2048))
    document = registry.get("friend").document() | {"description": "가" * 1500}
    with pytest.raises(PersonaTooLarge):
        registry.put("friend", document)


def test_delete_custom_restores_bundled_and_bundled_is_read_only(writable_registry: PersonaRegistry) -> None:
    with pytest.raises(PersonaConflict, match="read-only"):
        writable_registry.delete("friend")
    bundled = writable_registry.get("friend")
    writable_registry.put("friend", bundled.document() | {"name": "새친구"})
    writable_registry.delete("friend")
    assert writable_registry.get("friend").name == bundled.name
    with pytest.raises(PersonaNotFound):
        writable_registry.delete("nobody")


def test_new_custom_persona_can_be_deleted(writable_registry: PersonaRegistry) -> None:
    document = writable_registry.get("friend").document() | {"id": "newbie", "name": "새로운"}
    writable_registry.put("newbie", document)
    assert writable_registry.get("newbie").version == 1
    writable_registry.delete("newbie")
    with pytest.raises(PersonaNotFound):
        writable_registry.get("newbie")


def test_default_persona_without_fallback_cannot_be_deleted(tmp_path: Path, library_dir: Path) -> None:
    registry = PersonaRegistry([], tmp_path / "w", PersonasConfig(default="solo", reload_interval_s=0.0))
    registry.put("solo", PersonaRegistry([library_dir], None).get("friend").document() | {"id": "solo"})
    with pytest.raises(PersonaConflict, match="default"):
        registry.delete("solo")


def test_read_only_registry_refuses_writes(library: PersonaRegistry) -> None:
    with pytest.raises(PersonaConflict, match="read-only"):
        library.put("assistant", library.get("assistant").document())


def test_archive_keeps_only_newest_versions(tmp_path: Path, library_dir: Path) -> None:
    registry = PersonaRegistry([library_dir], tmp_path / "w", PersonasConfig(keep_versions=2, reload_interval_s=0.0))
    document = registry.get("friend").document()
    for _ in range(5):
        registry.put("friend", document)
    assert registry.versions("friend") == [4, 5, 6]


def test_two_registries_sharing_a_directory_never_reuse_a_version(tmp_path: Path, library_dir: Path) -> None:
    first = PersonaRegistry([library_dir], tmp_path / "w", PersonasConfig(reload_interval_s=60.0))
    second = PersonaRegistry([library_dir], tmp_path / "w", PersonasConfig(reload_interval_s=60.0))
    document = first.get("friend").document()
    assert first.put("friend", document).version == 2
    assert second.put("friend", document).version == 3
    assert first.put("friend", document).version == 4


def test_write_waits_for_the_shared_lock_then_gives_up(tmp_path: Path, library_dir: Path) -> None:
    from filelock import FileLock

    registry = PersonaRegistry([library_dir], tmp_path / "w", lock_timeout_s=0.05)
    (tmp_path / "w").mkdir()
    with FileLock(tmp_path / "w" / ".lock"), pytest.raises(PersonaConflict, match="lock"):
        registry.put("friend", registry.get("friend").document())
    assert registry.put("friend", registry.get("friend").document()).version == 2
