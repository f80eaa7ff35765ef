"""A counted request for more of the thing the exchange is about: "두 개 더 주문해 주세요", "은색도 두 개 추가해 줘",
"조종기 없는 걸로 두 대 주문해 줘".

Contract: `complete_counted(analysis, state, frame)` returns the utterance with the exchange's named thing put before
its count ("플루메리아 레이 두 개 더 주문해 주세요"), or None. It fires only when:
- the utterance asks to get something (`ACQUIRING`: 주문, 추가, 구매, 예약 …) in a counted amount (a number and a
  counter, "두 개", "3세트");
- it names no thing of its own: no proper name, place or person, and no common noun as the object ("우유 두 개 주문해
  줘" orders milk, "빵도 두 개" bread as well); a variant said with 로 ("은색으로", "조종기 없는 걸로") or inside a
  relative clause only says which kind of the thing;
- the frame names exactly one particular thing ("스핀로터 450 가격 얼마야?"), or else the last reply named exactly one
  thing that shares a word with the frame ("레이 꽃목걸이 …" -> "'플루메리아 레이' 3개가 …").
The verbs of getting are a closed class, so they are listed; a count alone ("두 개 있어?") asks about stock, which the
other rules read.
"""

from __future__ import annotations

import re

from dst.analysis import Analysis
from dst.chosen import settled_option
from dst.phrases import same_word
from dst.types import DialogueState, Resolution, RuleResult
from dst.zero import fuller

# the verbs (or verbal nouns) of getting or adding something: a closed class
ACQUIRING = frozenset({"주문", "추가", "구매", "구입", "예약", "예매", "사", "담", "시키", "넣", "발송", "배송",
                       "포장"})
_VARIANT_PARTICLES = frozenset({"로", "으로"})


def complete_counted(analysis: Analysis, state: DialogueState, frame: Analysis | None) -> RuleResult | None:
    if frame is None or not any(t.form in ACQUIRING and t.pos in ("NNG", "VV") for t in analysis.tokens):
        return None
    counts = [m for m in analysis.mentions if m.kind == "quantity" and _counted(analysis, m.start, m.end)]
    if len(counts) != 1:
        return None
    count = counts[0]
    for m in analysis.mentions:
        if m is count:
            continue
        if m.proper or m.kind in ("place", "person", "item", "org"):
            return None  # "'라벤더 비누' 두 개 주문해 줘": a thing of its own
        nxt = analysis.after(m.end, 1)
        if m.particle in ("을", "를", "ᆯ") or (m.particle is None and m.end <= count.start and nxt
                                                 and nxt[0].start == count.start):
            return None  # "우유 두 개 주문해 줘": the object is its own
        if m.particle not in _VARIANT_PARTICLES and m.particle is not None:
            return None
    phrase = _counted_by_reply(analysis.within(count.start, count.end)[-1].form, state) or _thing(frame, state)
    if phrase is None or phrase in analysis.text:
        return None
    phrase = fuller(phrase, state)  # "한우 진밥" said for "'소담이 한우 진밥'"
    if phrase in analysis.text:
        return None
    text = analysis.text
    return RuleResult(f"{text[:count.start]}{phrase} {text[count.start:]}",
                      [Resolution("", phrase, "zero", "zero.counted")], confident=False)


def _counted(analysis: Analysis, start: int, end: int) -> bool:
    """Whether the quantity is a number and a counter ("두 개", "3세트"), not a length of time."""
    toks = analysis.within(start, end)
    return len(toks) >= 2 and toks[0].pos in ("MM", "SN", "NR") and toks[-1].pos in ("NNB", "NNG") and \
        toks[-1].form not in ("시간", "분", "초", "일", "주", "달", "년", "시", "번")


def _counted_by_reply(counter: str, state: DialogueState) -> str | None:
    """The one thing the last reply said with an amount in the request's own counter ("한 근만 더" after "대패삼겹살 한
    근은 1만 4천 원, 항정살 300g은 …"; "두 잔 더" after "방금 복숭아 아이스티 한 잔 주문해 드렸어요"): what is
    counted so is what more is asked of."""
    said = [e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn]
    amounts = {q.text for q in said if q.type == "quantity"
               and re.fullmatch(r"[\d,]*" + re.escape(counter), q.text.split()[-1])}  # "한 근", "2개"
    reply = state.last_reply or ""
    words = {w for e in said for w in e.text.split()}
    things = {e.text for e in said if e.type in ("item", "org", "thing") and any(
        (found := re.search(re.escape(e.text) + r"['\"]?\s*" + re.escape(q), reply))
        # not the last word of a longer phrase ("파브리아노 수채화지 A4 한 묶음", "현관 열쇠 복사본 두 개", "4월 12일
        # 오후 3시 공연 2장": the show of that day)
        and not any(w in reply[:found.start()].rstrip(" '\"").split(" ")[-1] for w in words) for q in amounts)}
    return things.pop() if len(things) == 1 else None


def _thing(frame: Analysis, state: DialogueState) -> str | None:
    """The one option the last reply settled on after the frame said which to take ("산미 있는 걸로 살래" -> "아침이슬
    싱글 한 봉 준비해 둘게요"), else the one particular thing the frame names, else the one thing the last reply named
    that shares a word with the frame."""
    settled = settled_option(state)
    if settled is not None and settled.text not in frame.text and any(
            m.particle in _VARIANT_PARTICLES for m in frame.mentions):
        return settled.text
    # not where it is got from ("그린캠프렌탈에서 랜턴도 빌려줘?": the shop lends the lantern)
    named = {m.text for m in frame.mentions if frame.names(m) and m.kind not in ("person", "place", "time", "quantity")
             and not m.modifier and m.particle not in ("에서", "에", "에게", "한테")}
    if len(named) == 1:
        return named.pop()
    if named:
        return None
    words = {t.form for t in frame.tokens if t.pos in ("NNG", "NNP") and len(t.form) >= 2}
    said = {e.text for e in state.entities if e.speaker == "assistant" and e.turn == state.turn
            and (e.proper or e.role == "title") and e.type in ("item", "org", "thing")
            and any(same_word(w, c) for w in e.text.split() for c in words)}
    return said.pop() if len(said) == 1 else None
