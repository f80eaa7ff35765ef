"""How common a Korean noun is: document frequencies counted on open Korean corpora.

Contract: `noun_rarity(form)` is -log10 of the share of sentences of the reference corpus that contain the noun (Kiwi
NNG/NNP form), capped at `MAX_RARITY` for nouns never seen there. Everyday nouns ("역", "매장", "출구", "공원", "가격")
score low; names of shops, brands, products and people ("블루핸즈", "랜드브리즈", "한강동물메디컬센터") score high.
Context injection reads it as evidence that a noun chunk names a particular thing rather than a kind, instead of a
list of names that would never cover the next domain. The table ships as `data/noun_frequency.json`, built by
`python -m korean.frequency --data ../shared/data --out korean/data/noun_frequency.json` from the shared data's
open corpora (KorQuAD passages, NSMC reviews, sae4k utterances, StyleKQC, KLUE and KorSTS sentences; ChatbotData is
left out because context injection's false-rewrite rate is measured on it);
the build counts each noun once per sentence and keeps nouns seen in at least `MIN_COUNT` sentences.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "noun_frequency.json"
MIN_COUNT = 3
MAX_RARITY = 6.0
# From this rarity (-log10 share of sentences) a noun reads as a name: seen in under 1 of 100,000 sentences.
NAME_RARITY = 5.0
_NOUN_TAGS = ("NNG", "NNP")


@functools.cache
def _table() -> tuple[dict[str, int], int]:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    return dict(data["counts"]), int(data["sentences"])


def noun_rarity(form: str) -> float:
    """-log10 of the share of reference sentences holding `form`; `MAX_RARITY` when it was never seen."""
    counts, sentences = _table()
    count = counts.get(form)
    if not count:
        return MAX_RARITY
    return min(MAX_RARITY, -math.log10(count / sentences))


def corpus_sentences(root: Path) -> Iterator[str]:
    """The sentences of the shared data's open corpora (the reference of the table)."""
    data = json.loads((root / "korquad_v1" / "KorQuAD_v1.0_dev.json").read_text(encoding="utf-8"))
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            yield from (s.strip() + "." for s in paragraph["context"].split(". ") if s.strip())
    for path in sorted((root / "nsmc" / "raw").glob("*.json")):
        for review in json.loads(path.read_text(encoding="utf-8")):
            if isinstance(review, dict) and isinstance(review.get("review"), str):
                yield review["review"]
    with (root / "sae4k" / "sae4k_dev.tsv").open(encoding="utf-8") as fh:
        yield from (line.split("\t")[0] for line in fh if line.strip())
    for name in ("act/test.tsv", "act/dev.tsv"):
        with (root / "stylekqc" / name).open(encoding="utf-8") as fh:
            yield from (line.rstrip("\n").split("\t", 1)[-1] for line in list(fh)[1:])
    for row in json.loads((root / "klue" / "klue-nli-v1.1_dev.json").read_text(encoding="utf-8")):
        yield row["premise"]
        yield row["hypothesis"]
    for name in ("sts-dev.tsv", "sts-test.tsv"):
        with (root / "korsts" / name).open(encoding="utf-8") as fh:
            for line in list(fh)[1:]:
                yield from line.rstrip("\n").split("\t")[5:7]


def count_nouns(sentences: Iterable[str], batch: int = 2000) -> tuple[Counter[str], int]:
    from korean.kiwi import shared_kiwi

    kiwi = shared_kiwi()
    counts: Counter[str] = Counter()
    total = 0
    chunk: list[str] = []

    def flush() -> None:
        nonlocal total
        for tokens in kiwi.tokenize(chunk):
            counts.update({t.form for t in tokens if t.tag in _NOUN_TAGS})
            total += 1
        chunk.clear()

    for sentence in sentences:
        if sentence and sentence.strip():
            chunk.append(sentence.strip()[:500])
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return counts, total


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the noun document-frequency table from the shared data.")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=TABLE)
    args = parser.parse_args()
    counts, sentences = count_nouns(corpus_sentences(args.data))
    kept = {form: n for form, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= MIN_COUNT}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sentences": sentences, "min_count": MIN_COUNT, "counts": kept},
                                   ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(kept)} nouns seen in >= {MIN_COUNT} of {sentences} sentences -> {args.out}")


if __name__ == "__main__":
    main()
