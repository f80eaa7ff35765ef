"""`korean.frequency`: noun rarity from the shipped document-frequency table."""

from __future__ import annotations

from korean.frequency import MAX_RARITY, count_nouns, noun_rarity


def test_everyday_nouns_are_less_rare_than_names() -> None:
    for common in ("역", "가격", "공원"):
        assert noun_rarity(common) < noun_rarity("해오름베이커리")
    assert noun_rarity("해오름베이커리") == MAX_RARITY


def test_each_noun_counts_once_per_sentence() -> None:
    counts, sentences = count_nouns(["역 앞 역에서 만나", "공원 가자"])
    assert sentences == 2 and counts["역"] == 1 and counts["공원"] == 1
