"""The shared dev cases and our own cases, rewritten by the rule strategy with its learned models, and by the rules
alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dst import ContextInjector, HistoryTurn
from dst.evaluation import case_passes, load_cases

ROOT = Path(__file__).resolve().parents[2]
DEV_CASES = ROOT.parent / "shared" / "data" / "context_injection_dev.jsonl"
OWN_CASES = ROOT / "benchmarks" / "data" / "context_cases.jsonl"
DEV = load_cases(DEV_CASES) if DEV_CASES.exists() else []
OWN = load_cases(OWN_CASES)
# Measured 5581/6637 (0.841) with the learned models and 4951/6637 (0.746) with the rules alone on
# benchmarks/data/context_cases.jsonl (benchmarks/RESULTS.md; the file holds every blind batch after its first run,
# which is recorded there, so each new batch lowers the rate); below these floors is a regression, not noise.
OWN_PASS_FLOOR = 0.815
RULES_PASS_FLOOR = 0.716


def _rewrite(injector: ContextInjector, case: dict) -> str:
    history = [HistoryTurn(t["role"], t["text"]) for t in case["history"]]
    return injector.rewrite(history, case["utterance"]).standalone


@pytest.mark.skipif(not DEV, reason="shared dev cases not present")
@pytest.mark.parametrize("case", DEV, ids=[c["id"] for c in DEV])
def test_every_dev_case_passes_with_rules_alone(injector: ContextInjector, case: dict) -> None:
    rewrite = _rewrite(injector, case)
    assert case_passes(case, rewrite), f"{case['utterance']!r} -> {rewrite!r}"


def test_own_cases_cover_every_category_with_60_or_more() -> None:
    categories = Counter(c["category"] for c in OWN)
    assert len(OWN) >= 60
    expected = {"ellipsis", "time", "place", "object", "person", "ordinal", "pass-through", "topic-shift"}
    assert set(categories) >= expected


@pytest.fixture(scope="module")
def own_rewrites(injector: ContextInjector) -> dict[str, str]:
    """Every own case rewritten once with the learned models (two thousand turns: the tests below share them)."""
    return {c["id"]: _rewrite(injector, c) for c in OWN}


def test_own_cases_pass_rate_meets_measured_floor(own_rewrites: dict[str, str]) -> None:
    failures = [(c["id"], own_rewrites[c["id"]]) for c in OWN if not case_passes(c, own_rewrites[c["id"]])]
    rate = 1 - len(failures) / len(OWN)
    assert rate >= OWN_PASS_FLOOR, failures


def test_the_learned_models_pass_more_own_cases_than_the_rules_alone(
        own_rewrites: dict[str, str], rules_injector: ContextInjector) -> None:
    learned = sum(case_passes(c, own_rewrites[c["id"]]) for c in OWN)
    rules = sum(case_passes(c, _rewrite(rules_injector, c)) for c in OWN)
    assert rules / len(OWN) >= RULES_PASS_FLOOR and learned > rules


def test_unchanged_dev_cases_come_back_byte_identical(injector: ContextInjector) -> None:
    for case in [c for c in DEV if c["unchanged"]]:
        assert _rewrite(injector, case) == case["utterance"]


def test_unchanged_own_cases_come_back_byte_identical_at_the_measured_rate(own_rewrites: dict[str, str]) -> None:
    # Four are still rewritten (benchmarks/RESULTS.md, stops 41, 44 and 45): two idioms built on an anaphor ("거기까진
    # 생각 못 했네", "이거 실화야?"), "이거랑 상관없는 건데, …", where the ranker reads 이거 as the topic the user sets
    # aside, and a question that names its own place after an elided turn, which the frame's words still join
    # (blind-81); more than that is a regression.
    unchanged = [c for c in OWN if c["unchanged"]]
    rewritten = [(c["id"], r) for c in unchanged if (r := own_rewrites[c["id"]]) != c["utterance"]]
    assert len(rewritten) <= 4, rewritten
