"""Quality of context injection (rule strategy) on the shared dev cases and our own case files.

For each file and category: cases, passes and pass rate, where a case passes when every `must_contain`
string is in the rewrite, none of `must_not_contain` is, and `unchanged` cases come back exactly unchanged
(`dst.evaluation.case_passes`). Failures are listed with their rewrite. Also the false-rewrite rate on open
chit-chat (songys ChatbotData: a question, its answer, then the next question as the utterance), where
nothing refers back to a named thing and almost every utterance should pass through unchanged; with `--shifts N`,
the same for short open utterances after an exchange about a named thing (`shift_changes`).
`rule_errors` counts the turns whose rule resolution raised: the injector never raises on a string and passes such a
turn through unchanged, so a bug would otherwise only show as lost cases.
Writes benchmarks/out/dst_quality.json and prints a table.

    PYTHONPATH=. .venv/bin/python benchmarks/dst_quality.py [--strategy rules] [--ranker FILE] [FILE ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
from collections import defaultdict
from pathlib import Path

from dst import ContextInjector, DstConfig, HistoryTurn
from dst.evaluation import case_passes, load_cases
from dst.ranking import AntecedentRanker, default_ranker
from dst.sibling import default_sibling_matcher
from dst.zero import default_zero_detector

ROOT = Path(__file__).resolve().parents[1]
PRINTED = 20  # false rewrites printed; the JSON keeps every one, so that two runs can be compared turn by turn
DEFAULT_FILES = [
    ROOT.parent / "shared" / "data" / "context_injection_dev.jsonl",
    ROOT / "benchmarks" / "data" / "context_cases.jsonl",
]


def evaluate(injector: ContextInjector, path: Path) -> dict:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    for case in load_cases(path):
        history = [HistoryTurn(t["role"], t["text"]) for t in case["history"]]
        rewrite = injector.rewrite(history, case["utterance"]).standalone
        ok = case_passes(case, rewrite)
        group = case.get("batch", "")
        for key in (case["category"], f"batch:{group}" if group else None, "ALL"):
            if key is None:
                continue
            per[key][0] += 1
            per[key][1] += int(ok)
        if not ok:
            failures.append({"id": case["id"], "utterance": case["utterance"], "rewrite": rewrite})
    table = {k: {"cases": n, "passed": p, "rate": p / n} for k, (n, p) in sorted(per.items())}
    return {"file": str(path.relative_to(ROOT.parent)), "categories": table, "failures": failures}


CHITCHAT = ROOT.parent / "shared" / "data" / "songys_chatbot_data" / "ChatbotData.csv"


def chitchat_changes(injector: ContextInjector, n: int, seed: int = 1) -> dict:
    rows = list(csv.reader(CHITCHAT.open(encoding="utf-8")))[1:]
    rng = random.Random(seed)
    changed = []
    for _ in range(n):
        k = rng.randrange(len(rows) - 1)
        history = [HistoryTurn("user", rows[k][0]), HistoryTurn("assistant", rows[k][1])]
        rewrite = injector.rewrite(history, rows[k + 1][0]).standalone
        if rewrite != rows[k + 1][0]:
            changed.append({"utterance": rows[k + 1][0], "rewrite": rewrite})
    return {"pairs": n, "changed": len(changed), "rate": len(changed) / n, "examples": changed}


SAE4K = ROOT.parent / "shared" / "data" / "sae4k" / "sae4k_dev.tsv"
FCI = ROOT.parent / "shared" / "data" / "3i4k" / "fci_train_val.txt"


def shift_changes(injector: ContextInjector, n: int, seed: int = 1, max_chars: int = 20) -> dict:
    """Topic shifts after a named exchange: a case file's two-turn history whose question names a particular thing
    ("신림역 '넥스트존 PC방' 24시간 해?" and its reply), then a short open utterance that stands on its own (a
    ChatbotData question, a sae4k request or a 3i4k question or command, at most `max_chars` characters: "배고파?",
    "에어컨 꺼 줘"). The open chit-chat check above never has a named frame; here any rewrite is a false one. The
    histories come from this checkout's case file, so two commits compare only on the same file."""
    histories = []
    for case in load_cases(DEFAULT_FILES[1]):
        turns = case["history"]
        if len(turns) == 2 and turns[0]["role"] == "user":
            frame = injector.analyzer.analyze(turns[0]["text"])
            if any(frame.names(m) for m in frame.mentions):
                histories.append([HistoryTurn(t["role"], t["text"]) for t in turns])
    chat = [r[0] for r in list(csv.reader(CHITCHAT.open(encoding="utf-8")))[1:]]
    sae = [line.split("\t")[0] for line in SAE4K.read_text(encoding="utf-8").splitlines()]
    # 3i4k's questions and commands (classes 2 and 3): spoken forms the other two lack ("영화도 볼래?")
    fci = [parts[1] for line in FCI.read_text(encoding="utf-8").splitlines()
           if len(parts := line.split("\t")) >= 2 and parts[0] in ("2", "3")] if FCI.exists() else []
    pool = [u.strip() for u in chat + sae + fci if 2 <= len(u.strip()) <= max_chars]
    rng = random.Random(seed)
    changed = []
    for _ in range(n):
        history, utterance = rng.choice(histories), rng.choice(pool)
        rewrite = injector.rewrite(history, utterance).standalone
        if rewrite != utterance:
            changed.append({"frame": history[0].text, "utterance": utterance, "rewrite": rewrite})
    return {"pairs": n, "changed": len(changed), "rate": len(changed) / n, "examples": changed}


class _Raised(logging.Handler):
    """Counts the injector's "rule resolution failed" records."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith("rule resolution failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--strategy", default="rules", choices=["rules"])
    parser.add_argument("--chitchat", type=int, default=1500, help="chit-chat pairs to check (0: skip)")
    parser.add_argument("--shifts", type=int, default=0,
                        help="short open utterances after a named exchange to check (0: skip)")
    parser.add_argument("--no-ranker", action="store_true", help="the rules' own antecedent order, no learned ranker")
    parser.add_argument("--ranker", type=Path, default=None,
                        help="an antecedent ranker file to use instead of the bundled one (a refit's held-out check)")
    parser.add_argument("--seed", type=int, default=1, help="chit-chat sample seed")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "dst_quality.json")
    args = parser.parse_args()
    learned = not args.no_ranker
    raised = _Raised()
    injector_log = logging.getLogger("dst.injector")
    injector_log.addHandler(raised)
    injector_log.propagate = False  # counted here, not printed with a traceback per turn
    ranker = (AntecedentRanker.load(args.ranker) if args.ranker else default_ranker()) if learned else None
    if args.ranker and ranker is None:
        parser.error(f"cannot read the ranker {args.ranker}")
    injector = ContextInjector(DstConfig(strategy=args.strategy), ranker=ranker,
                               zero=default_zero_detector() if learned else None,
                               sibling=default_sibling_matcher() if learned else None)
    reports = [evaluate(injector, path.resolve()) for path in args.files if path.exists()]
    chit = chitchat_changes(injector, args.chitchat, args.seed) if args.chitchat and CHITCHAT.exists() else None
    shifts = shift_changes(injector, args.shifts, args.seed) if args.shifts and SAE4K.exists() else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "dst_quality", "strategy": args.strategy, "files": reports,
                                    "chitchat": chit, "shifts": shifts, "rule_errors": raised.count},
                                   ensure_ascii=False, indent=2),
                        encoding="utf-8")
    for report in reports:
        print(f"\n{report['file']}")
        print(f"{'category':<22}{'cases':>7}{'passed':>8}{'rate':>8}")
        for name, row in report["categories"].items():
            print(f"{name:<22}{row['cases']:>7}{row['passed']:>8}{row['rate']:>8.2f}")
        for fail in report["failures"]:
            print(f"  FAIL {fail['id']}: {fail['utterance']!r} -> {fail['rewrite']!r}")
    if chit is not None:
        print(f"\nchit-chat false rewrites: {chit['changed']}/{chit['pairs']} ({chit['rate']:.3f})")
        for ex in chit["examples"][:PRINTED]:
            print(f"  {ex['utterance']!r} -> {ex['rewrite']!r}")
    if shifts is not None:
        print(f"\nfalse rewrites after a named exchange: {shifts['changed']}/{shifts['pairs']} ({shifts['rate']:.3f})")
        for ex in shifts["examples"][:PRINTED]:
            print(f"  {ex['utterance']!r} -> {ex['rewrite']!r}")
    print(f"\nturns whose rule resolution raised (passed through unchanged): {raised.count}")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
