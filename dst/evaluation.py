"""Acceptance check of context-injection cases (the format of shared/data/context_injection_dev.jsonl).

Contract: a case passes when every `must_contain` string is in the rewrite and no `must_not_contain` string
is, or, for `unchanged` cases, when the rewrite is exactly the utterance. Used by the tests and benchmarks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def case_passes(case: dict[str, Any], rewrite: str) -> bool:
    if case.get("unchanged"):
        return rewrite == case["utterance"]
    return all(s in rewrite for s in case["must_contain"]) and not any(s in rewrite for s in case["must_not_contain"])


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
