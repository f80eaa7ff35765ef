"""The composition root shares one plain Kiwi (korean.kiwi) with every package, dst included.

dst merges its lexicon's compounds after the analysis (dst.analysis.merge_compounds); they must never reach
retrieval's index terms, which come from the same Kiwi. One built Kiwi serves concurrent callers, batched
(retrieval) and single.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.services import Components, build_components
from assistant.settings import load_settings
from korean.kiwi import shared_kiwi
from tests.conftest import seed_bundled_index

TEXTS = ["작은방 주차비 알려줘", "내일 부산 날씨 어때?", "저는 잠을 자지 않아요. 언제든 불러 주세요.",
         "회의는 세 시에 시작합니다.", "노트북이랑 태블릿 중에 뭐가 더 좋아?"] * 8


@pytest.fixture(scope="module")
def components(tmp_path_factory: pytest.TempPathFactory, bundled_index: Path) -> Components:
    return build_components(load_settings(data_dir=seed_bundled_index(tmp_path_factory.mktemp("data"), bundled_index)))


def test_every_package_analyses_with_the_one_shared_kiwi(components: Components) -> None:
    kiwi = shared_kiwi()
    assert components.retrieval.analyzer._kiwi is kiwi
    assert components.generation.speech.kiwi is kiwi
    assert components.skills.level_control is components.generation.speech
    assert components.personas._kiwi is kiwi
    assert components.dst.analyzer.kiwi is kiwi


def test_dst_compounds_do_not_change_retrieval_terms(components: Components) -> None:
    assert [t.form for t in components.dst.analyzer.tokens("작은방 주차비")] == ["작은방", "주차비"]
    assert components.retrieval.analyzer.analyze("작은방 주차비") == ["작다", "방", "주차", "비"]


def test_an_imported_hao_che_card_speaks_hapsyo_che(components: Components) -> None:
    card = {"spec": "chara_card_v2", "spec_version": "2.0",
            "data": {"name": "하오", "first_mes": "어서 오시오. 먼 길 오셨구려.", "mes_example": ""}}
    persona = components.personas.import_card(json.dumps(card).encode(), persona_id="hao-test")
    assert persona.speech_level == "합쇼체"


def test_one_kiwi_serves_concurrent_batched_and_single_callers(components: Components) -> None:
    analyzer, speech = components.retrieval.analyzer, components.generation.speech
    expected_terms = analyzer.analyze_many(TEXTS)
    expected_levels = [[s.level for s in speech.analyse(t)] for t in TEXTS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = [pool.submit(analyzer.analyze_many, TEXTS) for _ in range(6)]
        singles = [pool.submit(lambda t=t: [s.level for s in speech.analyse(t)]) for t in TEXTS * 3]
        assert all(b.result() == expected_terms for b in batches)
        assert [s.result() for s in singles] == expected_levels * 3
