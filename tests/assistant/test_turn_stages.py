"""A turn's stage results and clock (assistant.pipeline.stages): results cannot change once made, the clock keeps
stages in the order they completed, and a stage that raised leaves no timing behind."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.pipeline.stages import Loaded, RetrievedReply, StageClock, selection_trace
from personas.loader import load_persona_file
from retrieval import Selection

LIBRARY = Path(__file__).resolve().parents[2] / "personas" / "library"


def test_the_clock_keeps_completed_stages_in_order() -> None:
    clock = StageClock()
    with clock.stage("load"):
        pass
    clock.record("generate", 12.5)
    with clock.stage("store"):
        pass
    assert list(clock.timings()) == ["load", "generate", "store"]
    assert clock.timings()["generate"] == 12.5 and clock.total_ms() >= 0


def test_a_stage_that_raises_records_no_timing() -> None:
    clock = StageClock()
    with pytest.raises(RuntimeError), clock.stage("rewrite"):
        raise RuntimeError("dst failed")
    assert clock.timings() == {}


def test_stage_results_cannot_change_once_made() -> None:
    persona = load_persona_file(LIBRARY / "assistant.yaml", root=None, max_bytes=1 << 20)
    loaded = Loaded("c1", persona, history=(), state=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.conversation_id = "c2"  # type: ignore[misc]


def test_only_a_converted_retrieved_reply_adds_its_speech_level_to_the_selection_trace() -> None:
    selection = Selection(decision="generate", hit=None, score=0.1, reason="below threshold")
    converted = RetrievedReply("안녕!", {"target": "반말", "converted": True})
    assert selection_trace(selection, converted)["speech_level"] == {"target": "반말", "converted": True}
    assert "speech_level" not in selection_trace(selection, RetrievedReply("안녕하세요", None))
