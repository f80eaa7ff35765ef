"""Dialogue-state tracking in the KLUE-WoS convention on the 10 shared WoS dev dialogues.

Each user turn is passed through the injector with the stored state (as the chat pipeline does) and the state's
`state_to_wos(state)` is compared with the gold cumulative `domain-slot-value` state, per slot name: true positives,
false positives, false negatives, precision and recall. Only the slots the tracker maps are expected to score
(예약 요일, 예약 시간, 예약 명수, 지역, 이름); the others are listed so the gap is visible.
Writes benchmarks/out/dst_wos.json and prints a table.

    PYTHONPATH=. .venv/bin/python benchmarks/dst_wos.py
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from dst import ContextInjector, DialogueState, DstConfig
from dst.wos import GENERAL_DOMAIN, parse_wos, state_to_wos

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "klue_wos" / "wos-v1.1_dev_sample_10.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "dst_wos.json")
    args = parser.parse_args()
    injector = ContextInjector(DstConfig(strategy="rules"))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    turns = 0
    for dialogue in json.loads(args.data.read_text(encoding="utf-8")):
        state: DialogueState | None = None
        for turn in dialogue["dialogue"]:
            if turn["role"] != "user":
                state = injector.observe_reply(state or DialogueState(), turn["text"])
                continue
            turns += 1
            state = injector.rewrite([], turn["text"], state).state
            gold = set(turn["state"])
            pred = {x for x in state_to_wos(state) if not x.startswith(GENERAL_DOMAIN + "-")}
            for item in gold:
                (tp if item in pred else fn)[parse_wos(item)[1]] += 1
            for item in pred - gold:
                fp[parse_wos(item)[1]] += 1
    rows = {}
    for slot in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[slot] / (tp[slot] + fp[slot]) if tp[slot] + fp[slot] else 0.0
        r = tp[slot] / (tp[slot] + fn[slot]) if tp[slot] + fn[slot] else 0.0
        rows[slot] = {"tp": tp[slot], "fp": fp[slot], "fn": fn[slot], "precision": p, "recall": r}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "dst_wos", "user_turns": turns, "slots": rows},
                                   ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{turns} user turns; gold states are cumulative")
    print(f"{'slot':<12}{'tp':>5}{'fp':>5}{'fn':>5}{'prec':>7}{'recall':>8}")
    for slot, row in rows.items():
        print(f"{slot:<12}{row['tp']:>5}{row['fp']:>5}{row['fn']:>5}{row['precision']:>7.2f}{row['recall']:>8.2f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
