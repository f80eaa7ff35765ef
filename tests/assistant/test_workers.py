"""The turn's worker threads: stage calls run off the event loop with the caller's context, and their size is a
bounded setting."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings
from assistant.workers import StageWorkers

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


async def test_stage_runs_on_a_worker_thread_with_the_callers_context() -> None:
    workers = StageWorkers(2)
    request_id.set("req-7")
    try:
        name, seen = await workers.run(lambda: (threading.current_thread().name, request_id.get()))
    finally:
        workers.close()
    assert name.startswith("turn") and name != threading.current_thread().name
    assert seen == "req-7"


async def test_stage_exception_reaches_the_caller() -> None:
    workers = StageWorkers(1)
    try:
        with pytest.raises(ZeroDivisionError):
            await workers.run(lambda: 1 / 0)
    finally:
        workers.close()


async def test_event_loop_runs_while_a_stage_computes() -> None:
    workers = StageWorkers(1)
    release = threading.Event()
    try:
        stage = asyncio.ensure_future(workers.run(release.wait, 10))
        for _ in range(5):  # the loop keeps turning although the stage has not returned
            await asyncio.sleep(0.01)
        assert not stage.done()
        release.set()
        assert await stage is True
    finally:
        workers.close()


@pytest.mark.parametrize(("value", "ok"), [(1, True), (0, False), (256, True), (257, False)])
def test_turn_workers_is_bounded_from_1_to_256(value: int, ok: bool, tmp_path: Path) -> None:
    if ok:
        assert load_settings(data_dir=tmp_path, limits={"turn_workers": value}).limits.turn_workers == value
    else:
        with pytest.raises(SettingsError, match=r"limits\.turn_workers"):
            load_settings(data_dir=tmp_path, limits={"turn_workers": value})


@pytest.mark.parametrize(("value", "ok"), [(1, True), (0, False), (64, True), (65, False)])
def test_skill_workers_is_bounded_from_1_to_64(value: int, ok: bool, tmp_path: Path) -> None:
    if ok:
        assert load_settings(data_dir=tmp_path, limits={"skill_workers": value}).limits.skill_workers == value
    else:
        with pytest.raises(SettingsError, match=r"limits\.skill_workers"):
            load_settings(data_dir=tmp_path, limits={"skill_workers": value})
