"""PII masking and the Korean abuse filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from generation.filters import AbuseFilter, find_pii, mask_pii


@pytest.mark.parametrize(("text", "kind"), [
    ("제 폰은 010-9876-5432예요", "전화번호"),
    ("01098765432로 문자 주세요", "전화번호"),
    ("사무실 031)123-4567", "전화번호"),
    ("국제전화 +82 10-2222-3333", "전화번호"),
    ("고객센터 1577-0000", "전화번호"),
    ("주민번호는 850315-2345678입니다", "주민등록번호"),
    ("카드 4518 1234 5678 9012 로 결제", "카드번호"),
    ("카드번호 4111111111111111", "카드번호"),
    ("메일은 kim.sua+news@mail.co.kr 로", "이메일"),
])
def test_pii_is_found_and_masked(text: str, kind: str) -> None:
    masked, kinds = mask_pii(text)
    assert kinds == [kind]
    assert f"[{kind}]" in masked
    assert not any(ch.isdigit() for ch in masked.split("[")[1]) if "[" in masked else True
    assert find_pii(masked) == []


@pytest.mark.parametrize("text", ["2024년 3월 15일 오후 3시", "가격은 12,500원", "주문번호 20240315000124",
                                  "버스 7016번", "좌석 12A"])
def test_ordinary_numbers_are_not_pii(text: str) -> None:
    assert mask_pii(text) == (text, [])


@pytest.fixture(scope="module")
def abuse() -> AbuseFilter:
    return AbuseFilter.from_file()


@pytest.mark.parametrize("text", ["이 병신아", "씨발 뭐래", "씨1발 뭐래", "시.발", "ㅅㅂ 진짜", "닥쳐 좀", "지랄하네"])
def test_profanity_is_caught_even_with_inserted_noise(abuse: AbuseFilter, text: str) -> None:
    assert [h.kind for h in abuse.check(text)] and all(h.kind == "profanity" for h in abuse.check(text))


@pytest.mark.parametrize("text", ["시발점은 서울역이에요", "새끼 고양이가 귀여워요", "고기를 꼭꼭 씹어 드세요",
                                  "오늘 시 발표회가 있어요", "미친 듯이 맛있어요"])
def test_benign_words_containing_an_entry_pass(abuse: AbuseFilter, text: str) -> None:
    assert abuse.check(text) == []


def test_banned_phrases_are_matched_like_profanity(abuse: AbuseFilter) -> None:
    hits = abuse.check("경쟁사 제품이 더 좋아요", banned_phrases=["경쟁사"])
    assert [(h.kind, h.match) for h in hits] == [("banned_phrase", "경쟁사")]


def test_classifier_hook_flags_what_the_list_cannot_see() -> None:
    seen: list[str] = []

    def classifier(text: str) -> float:
        seen.append(text)
        return 0.9 if "바보" in text else 0.1

    flt = AbuseFilter(["씨발"], classifier=classifier, threshold=0.5)
    assert [h.kind for h in flt.check("넌 바보야")] == ["classifier"]
    assert flt.check("넌 천재야") == []
    assert seen == ["넌 바보야", "넌 천재야"]


def test_custom_word_list_file_replaces_the_bundled_one(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# test list\n바보\n!바보상자\n", encoding="utf-8")
    flt = AbuseFilter.from_file(path)
    assert [h.match for h in flt.check("바보 같아")] == ["바보"]
    assert flt.check("바보상자를 켰다") == []
    assert flt.check("씨발") == []
