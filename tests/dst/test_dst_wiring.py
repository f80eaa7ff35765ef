"""Settings section, wiring from Settings, and the `assistant rewrite` batch command."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from assistant.cli import rewrite as rewrite_cli
from assistant.error_table import to_assistant_error
from assistant.errors import InvalidInput
from assistant.sections.dst import DstSettings
from assistant.settings import Settings
from assistant.wiring.dst import GenerationRewriteLM, as_rewrite_lm, build_dst
from dst import ContextInjector, DstConfig, DstInputError
from generation import Generator
from generation.backend import LMBackend
from generation.types import GenerationRequest, StreamEvent


@pytest.mark.parametrize(
    "bad", [{"strategy": "neural"}, {"api_max_history_turns": -1}, {"api_max_turn_chars": 15}, {"unknown": 1}]
)
def test_dst_settings_refuse_impossible_values(bad: dict) -> None:
    with pytest.raises(ValidationError):
        DstSettings(**bad)


def test_build_dst_from_default_settings_is_ready_with_rules() -> None:
    settings = Settings()
    injector, status = build_dst(settings, None)
    assert isinstance(injector, ContextInjector) and injector.config.strategy == "rules"
    assert injector.config == DstConfig(**settings.dst.model_dump(include=set(DstConfig.model_fields))), \
        "the injector runs on the section as configured"
    assert status.name == "dst" and status.ready and "rules" in status.detail


def test_conversation_history_limit_bounds_the_dst_window() -> None:
    injector, _ = build_dst(Settings(limits={"max_history_turns": 5}, dst={"max_rewrite_chars": 300}), None)
    assert injector.config.max_history_turns == 5 and injector.config.max_rewrite_chars == 300


def test_lm_strategy_without_an_lm_is_ready_and_says_it_runs_on_rules() -> None:
    injector, status = build_dst(Settings(dst={"strategy": "rules+lm"}), None)
    assert injector.lm is None and status.ready and "rules only" in status.detail


def test_generation_backend_is_adapted_to_the_rewrite_protocol() -> None:
    class Backend:  # anything with generate(request) is adapted
        async def generate(self, request):  # pragma: no cover - not called here
            raise NotImplementedError

        def status(self) -> tuple[bool, str]:
            return False, "no model loaded"

    adapted = as_rewrite_lm(Backend(), 5.0)
    assert isinstance(adapted, GenerationRewriteLM) and adapted.ready() == (False, "no model loaded")
    assert as_rewrite_lm(object(), 5.0) is None


def test_lm_strategy_reports_an_unready_lm_and_still_serves_rules() -> None:
    class NotLoaded:  # the generation service's shape: complete() plus status()
        async def complete(self, messages: list[dict[str, str]], *, max_new_tokens: int) -> str:
            raise RuntimeError("generation is unavailable")

        def status(self) -> tuple[bool, str]:
            return False, "model not found"

    injector, status = build_dst(Settings(dst={"strategy": "rules+lm"}), NotLoaded())
    assert injector.lm is not None and status.ready and "model not found" in status.detail


def test_dst_input_error_maps_to_invalid_input() -> None:
    assert isinstance(to_assistant_error(DstInputError("bad state")), InvalidInput)


def test_cli_writes_one_json_line_per_case(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = [
        {"id": "a", "utterance": "부산은?",
         "history": [{"role": "user", "text": "내일 서울 날씨 어때?"}, {"role": "assistant", "text": "맑아요."}]},
        {"id": "b", "history": [], "utterance": "안녕"},
    ]
    cases.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(rewrite_cli.app, ["--input", str(cases)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["rewrite"] == "내일 부산 날씨 어때?" and out[1]["rewrite"] == "안녕"
    assert set(out[0]) == {"id", "rewrite", "state", "resolutions"} and out[0]["resolutions"]


def test_cli_reports_bad_lines_and_exits_1(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "ok", "utterance": "안녕"}\nnot json\n{"id": "x", "utterance": 3}\n', encoding="utf-8")
    result = CliRunner().invoke(rewrite_cli.app, ["--input", str(cases)])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1 and "line 2" in result.stderr and "line 3" in result.stderr


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(rewrite_cli.app, ["--input", str(tmp_path / "none.jsonl")]).exit_code == 2


class _RecordingBackend(LMBackend):
    """A real LMBackend that answers two lines and records every request it decodes."""

    name = "recording"

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    @property
    def context_window(self) -> int:
        return 512

    async def events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        yield StreamEvent(text="토요일 강남역 비 와?\n다음 줄은 버려야 해요", finish_reason="stop")

    def status(self) -> tuple[bool, str]:
        return True, "ready"

    def count_tokens(self, text: str) -> int:
        return len(text)


def test_the_servers_generator_is_rewritten_through_the_adapter_with_a_stop_and_the_rewrite_timeout() -> None:
    """Regression: `Generator` has a `complete` of its own, so the runtime-checkable RewriteLM protocol matched it
    and the adapter (stop at the line end, the rewrite timeout) never ran."""
    backend = _RecordingBackend()
    generator = Generator(backend)
    injector, _ = build_dst(Settings(dst={"strategy": "rules+lm", "lm_timeout_s": 1.5}), generator)
    assert isinstance(injector.lm, GenerationRewriteLM)
    text = asyncio.run(injector.lm.complete([{"role": "user", "content": "그때 비 와?"}], max_new_tokens=32))
    assert text == "토요일 강남역 비 와?"
    request = backend.requests[-1]
    assert request.stop == ["\n"] and request.timeout_s == 1.5 and request.temperature == 0.0
