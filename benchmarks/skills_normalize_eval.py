"""Quality of the LM-free conversational -> keyword normalisation on SAE4K (utterance -> core query).

Reports whitespace-token F1 (bag of words, SQuAD style) and exact match, per sentence type, on a
development part (rows with index % 5 != 0, used while writing the rules) and a held-out part
(index % 5 == 0, looked at only for reporting). Writes JSON and prints a table.

    .venv/bin/python benchmarks/skills_normalize_eval.py [--data ../shared/data/sae4k/sae4k_dev.tsv] [--learned]

With `--learned`, the learned edit model (`assistant skill-train keywords`) runs after the rules; it was fitted on
the development part, so only the held-out rows measure it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from generation.skills.keyword_edits import LearnedNormalizer
from generation.skills.keyword_edits_train import token_f1
from generation.skills.keywords import KeywordNormalizer

TYPES = {0: "yes/no Q", 1: "alternative Q", 2: "wh-Q", 3: "prohibition", 4: "requirement", 5: "strong req."}


def load(path: Path) -> list[tuple[int, str, str, int]]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2].strip().isdigit():
            rows.append((i, parts[0].strip(), parts[1].strip(), int(parts[2])))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/sae4k/sae4k_dev.tsv")
    ap.add_argument("--out", default="benchmarks/results/skills_normalize.json")
    ap.add_argument("--dump", default="", help="write mismatches of the development part here")
    ap.add_argument("--learned", action="store_true",
                    help="the rules + the learned edit model (fitted on the dev part: only held-out is fair)")
    args = ap.parse_args()
    rows = load(Path(args.data))
    norm = LearnedNormalizer() if args.learned else KeywordNormalizer()
    t0 = time.perf_counter()
    preds = norm.normalize_batch([r[1] for r in rows])
    elapsed = time.perf_counter() - t0
    stats: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    mism = []
    for (i, utt, gold, typ), pred in zip(rows, preds, strict=True):
        part = "held-out" if i % 5 == 0 else "dev"
        f1, em = token_f1(pred, gold), float(" ".join(pred.split()) == " ".join(gold.split()))
        base = token_f1(utt, gold)
        for key in (f"{part}/all", f"{part}/{typ}"):
            stats[key]["f1"].append(f1)
            stats[key]["em"].append(em)
            stats[key]["identity_f1"].append(base)
        if part == "dev" and f1 < 1:
            mism.append(f"{typ}\t{f1:.2f}\t{utt}\t{gold}\t{pred}")
    report = {
        key: {m: round(sum(v) / len(v), 4) for m, v in ms.items()} | {"n": len(ms["f1"])}
        for key, ms in sorted(stats.items())
    }
    result = {"data": args.data, "rows": len(rows), "ms_per_utterance": round(1000 * elapsed / len(rows), 3),
              "metrics": report}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.dump:
        Path(args.dump).write_text("\n".join(mism), encoding="utf-8")
    print(f"{'part/type':<16}{'n':>7}{'token F1':>10}{'exact':>8}{'identity F1':>13}")
    for key, m in report.items():
        name = key.split("/")[0] + "/" + TYPES.get(int(key.split("/")[1]), "") if key[-1].isdigit() else key
        print(f"{name:<16}{m['n']:>7}{m['f1']:>10.3f}{m['em']:>8.3f}{m['identity_f1']:>13.3f}")
    print(f"{result['ms_per_utterance']} ms per utterance (batched)")


if __name__ == "__main__":
    main()
