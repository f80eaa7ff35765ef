"""A small general Korean sentiment lexicon over Kiwi morphemes, with negation, for reviews without ratings.

Entries are morpheme forms as Kiwi analyses them (adjective stems such as 좋/재밌/아깝, roots such as 지루/유치
tagged XR, nouns such as 최악/명작, emoticon runs such as ㅋㅋ/ㅠㅠ tagged SW). Weights: 1 for clear
evaluation words, 0.5 for weak cues (emoticons, 아쉽). Negation flips the next predicate ("안 좋아", "못 봐")
and a following "-지 않/못하" flips the preceding one ("재미있지 않았다"). `score(tokens) -> float`;
`label(score)` is positive from +0.5, negative from -0.5, neutral in between (no cue, or cues cancelling).
Written for reviews of films, products and places. Some colloquial film-review words (굿, 수작, 노잼, 낚이다)
were added after reading the first 250 NSMC movies only; the evaluation reports the other 250 as held-out.
"""

from __future__ import annotations

from typing import Any

POSITIVE: dict[str, float] = {
    w: 1.0
    for w in (
        "좋", "재밌", "재미있", "최고", "감동", "훌륭", "멋지", "아름답", "추천", "만족", "사랑", "행복", "대박",
        "짱", "강추", "명작", "걸작", "완벽", "신나", "즐겁", "유쾌", "따뜻", "예쁘", "귀엽", "웃기", "감탄",
        "인상", "몰입", "괜찮", "볼만", "최상", "흥미", "탁월", "뛰어나", "소름", "여운", "기대이상", "꿀잼",
        "존잼", "고맙", "감사", "친절", "편하", "편리", "깔끔", "맛있", "튼튼", "빠르", "저렴", "가성비", "신선",
        "알차", "든든", "멋있", "잘생기", "실감", "짜릿", "통쾌", "매력", "훈훈", "레전드", "최강", "호평",
        "굿", "수작", "만점", "대작", "재밋", "꿀", "쩔", "이쁘", "잼", "눈물", "긴장감", "스릴", "화이팅",
        "감명", "명품", "인생", "감성", "박수", "기대되", "탄탄", "풍부", "유익", "재미",
    )
}
NEGATIVE: dict[str, float] = {
    w: 1.0
    for w in (
        "별로", "지루", "최악", "실망", "짜증", "아깝", "재미없", "노잼", "유치", "뻔", "싫", "나쁘", "쓰레기",
        "엉망", "허접", "후회", "불편", "졸리", "억지", "어이없", "낭비", "망하", "형편없", "답답", "식상",
        "부족", "엉성", "허무", "황당", "지겹", "한심", "최저", "불친절", "비싸", "느리", "고장", "불량", "더럽",
        "맛없", "끔찍", "역겹", "혹평", "삼류", "졸작", "망작", "비추", "개판", "어색", "산만", "진부", "불쾌",
        "구리", "그저그렇", "차라리", "도대체", "저질", "똥", "도저히", "낚이", "표절", "어설프", "망",
        "실패", "헛웃음", "불필요", "오글거리", "재미없었", "손발", "발연기", "지루함", "아까움",
    )
}
# ㅠㅠ is left out: tears of joy in film reviews, of disappointment in shop reviews
WEAK: dict[str, float] = {"ㅋ": 0.5, "ㅎ": 0.5, "^^": 0.5, "♥": 0.5, "♡": 0.5, "ㅡㅡ": -0.5, "아쉽": -0.5, "ㅉ": -0.5}
_CONTENT = ("NN", "VA", "VV", "XR", "MAG", "IC", "SW", "NR")
_NEGATORS = {"안", "못"}


def _weight(tok: Any) -> float:
    if not tok.tag.startswith(_CONTENT):
        return 0.0
    form = tok.form
    if form in POSITIVE:
        return POSITIVE[form]
    if form in NEGATIVE:
        return -NEGATIVE[form]
    if tok.tag == "SW":
        for cue, weight in WEAK.items():
            if form.startswith(cue):
                return weight
    return WEAK.get(form, 0.0)


def score(tokens: list[Any]) -> float:
    total = 0.0
    negate_next = False
    for i, tok in enumerate(tokens):
        if tok.form == "잼" and i > 0 and tokens[i - 1].form == "노":
            total -= 1.0  # "노잼" (no fun) is analysed as 노 + 잼
            continue
        if tok.tag == "MAG" and tok.form in _NEGATORS:
            negate_next = True
            continue
        w = _weight(tok)
        if w == 0.0:
            continue
        follows = tokens[i + 1 : i + 5]
        negated_after = any(
            t.tag == "VX" and t.form in {"않", "못하"} for t in follows
        ) and any(t.tag == "EC" and t.form == "지" for t in follows)
        if negate_next and tok.tag.startswith(("VA", "VV", "XR")):
            w, negate_next = -w, False
        if negated_after:
            w = -w
        total += w
    return total


def label(value: float) -> str:
    if value >= 0.5:
        return "positive"
    if value <= -0.5:
        return "negative"
    return "neutral"
