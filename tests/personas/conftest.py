"""Shared fixtures for the personas tests: the bundled library, a hand-written V2 card and a PNG carrying it."""

from __future__ import annotations

import base64
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, PngImagePlugin

from personas import PersonaRegistry, PersonasConfig
from personas.schema import Persona

DATA = Path(__file__).parent / "data"
LIBRARY = Path(__file__).resolve().parents[2] / "personas" / "library"

VALID_YAML = """\
id: {id}
name: 테스트
speech_level: 해요체
greetings:
  - 안녕하세요!
refusal: 그건 어려워요.
examples:
  - - role: user
      text: 안녕
    - role: assistant
      text: 반가워요.
"""


@pytest.fixture(scope="session")
def library_dir() -> Path:
    return LIBRARY


@pytest.fixture(scope="session")
def library(library_dir: Path) -> PersonaRegistry:
    return PersonaRegistry([library_dir], None)


@pytest.fixture(scope="session")
def card_v2() -> dict[str, Any]:
    return json.loads((DATA / "seoyun_v2.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def card_bytes() -> bytes:
    return (DATA / "seoyun_v2.json").read_bytes()


@pytest.fixture(scope="session")
def card_png_bytes(card_bytes: bytes) -> bytes:
    """A PNG with the V2 card in a `chara` tEXt chunk, written the way card editors do (Pillow, not our code)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("chara", base64.b64encode(card_bytes).decode("ascii"))
    out = io.BytesIO()
    Image.new("RGB", (64, 96), (200, 180, 160)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def write_persona(tmp_path: Path) -> Callable[..., Path]:
    """Write a persona file into tmp_path/<dir>/<id>.yaml (valid unless `text` is given)."""

    def write(persona_id: str = "tester", text: str | None = None, folder: str = "personas") -> Path:
        directory = tmp_path / folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{persona_id}.yaml"
        path.write_text(VALID_YAML.format(id=persona_id) if text is None else text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def writable_registry(tmp_path: Path, library_dir: Path) -> PersonaRegistry:
    """The bundled library (copied, read-only layer) plus an empty writable directory; re-stat on every read."""
    bundled = tmp_path / "bundled"
    shutil.copytree(library_dir, bundled)
    return PersonaRegistry([bundled], tmp_path / "var" / "personas", PersonasConfig(reload_interval_s=0.0))


@pytest.fixture(scope="session")
def assistant_persona(library: PersonaRegistry) -> Persona:
    return library.get("assistant")


@pytest.fixture(scope="session")
def bpe_tokenizer(library_dir: Path) -> Any:
    """A byte-level BPE trained in about a second on the bundled persona texts (any Korean text encodes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    lines = [line for path in sorted(library_dir.glob("*.yaml")) for line in path.read_text("utf-8").splitlines()]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=800, special_tokens=["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(lines, trainer)
    return tokenizer
