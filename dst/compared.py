"""The option a gradable adjective picks by the amounts the reply gave ("더 싼 쪽" after "A가 4만 원이고, B가 2만 8천
원이에요" is B; "가까운 그 지점" after "신촌점이 도보 5분, 이대점이 도보 12분" is 신촌점).

Contract: `compared_option(words, options, state)` takes the content tokens of the clause that describes the option,
the named options of the last reply (`dst.antecedents._described`'s pool) and the state; it returns the option whose
amount is the least or the most on the adjective's scale, or None. An option's amounts are the quantities and
times the reply said after it and before the next option (the tracker's mention order), read as one number per
scale: price (원 amounts with 만 / 천), duration in minutes (시간 / 분), a model year (2020년식), a time of day
("늦게까지 하는 데로" after "A는 저녁 8시에 닫고, B는 밤 10시까지 해요" is B). Options with no
amount on the scale are left out ("'다향 티하우스'의 'A'가 4만 원"); at least two must have exactly one, and the
extreme must be unique; otherwise nothing is picked.
The adjectives are a closed class of gradable words with a scale and a direction, so they are listed (`SCALES`);
an adjective outside it, or a scale the reply gave no amounts on ("가벼운 쪽" after prices), decides nothing.
`budget_option(words, options, state)` is the one option priced within the budget the clause says ("예산이 15만
원이라서"). `priced_option(price, options, state)` is the one option whose price is the one said (`said_price`: "3천
원짜리 그거"), read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dst.types import DialogueState, Entity
from dst.wos import clock_value

# adjective stem -> (scale, +1 for the most, -1 for the least)
SCALES: dict[str, tuple[str, int]] = {
    "싸": ("price", -1), "저렴": ("price", -1), "비싸": ("price", 1),
    "가깝": ("duration", -1), "멀": ("duration", 1), "빠르": ("duration", -1),
    "최근": ("year", 1), "최신": ("year", 1),
    "늦": ("clock", 1), "이르": ("clock", -1), "일찍": ("clock", -1),
}
_SHORT = ("덜", "적게")  # "시간 덜 걸리는", "적게 걸리는": the least duration
_LONG = ("오래", "많이")
_AMOUNT = re.compile(r"(\d[\d,]*)\s*(만|천)?")
_HOURS = re.compile(r"(\d+)\s*시간")
_MINUTES = re.compile(r"(\d+)\s*분")
_YEAR = re.compile(r"((?:19|20)\d\d)년")


def scale_of(words: Sequence[tuple[str, str]]) -> tuple[str, int] | None:
    """The scale and direction the clause's (form, tag) tokens ask for: the last gradable word's, the one nearest
    the head ("비싼 거 말고 싼 그 헬멧" asks for the cheap one)."""
    found = None
    for k, (form, tag) in enumerate(words):
        if form in SCALES and (tag.startswith("VA") or tag in ("XR", "NNG", "MAG")):
            found = SCALES[form]
        elif form == "걸리" and k > 0 and words[k - 1][0] in _SHORT + _LONG:
            found = ("duration", -1 if words[k - 1][0] in _SHORT else 1)
    return found


def _price(text: str) -> int | None:
    """"2만 8천" -> 28000, "38,000원" -> 38000, "1,900만" -> 19000000."""
    total, seen = 0, False
    for number, unit in _AMOUNT.findall(text):
        value = int(number.replace(",", ""))
        total += value * {"만": 10_000, "천": 1_000}.get(unit, 1)
        seen = True
    return total if seen else None


def _value(scale: str, amounts: list[Entity]) -> int | None:
    """One number for an option on the scale, from the amounts said with it; None when there is not exactly one."""
    if scale == "price":
        prices = [p for e in amounts if e.type == "quantity" and not _HOURS.search(e.text)
                  and not _MINUTES.search(e.text) and (p := _price(e.text)) is not None]
        return prices[0] if len(prices) == 1 else None
    if scale == "clock":
        clocks = [c for e in amounts if e.type == "time" and (c := clock_value(e.text)) is not None]
        return int(clocks[0].replace(":", "")) if len(clocks) == 1 else None
    if scale == "year":
        years = [int(m.group(1)) for e in amounts if (m := _YEAR.search(e.text))]
        return years[0] if len(years) == 1 else None
    hours = [int(m.group(1)) for e in amounts for m in _HOURS.finditer(e.text)]
    minutes = [int(m.group(1)) for e in amounts for m in _MINUTES.finditer(e.text)]
    if len(hours) > 1 or len(minutes) > 1 or not (hours or minutes):
        return None
    return sum(hours) * 60 + sum(minutes)


def _valued(scale: str, options: Sequence[Entity], said: Sequence[Entity]) -> list[tuple[int, Entity]]:
    """Each option with its one amount on the scale: the amounts said after it and before the next option."""
    ordered = sorted(options, key=lambda e: e.order)
    out: list[tuple[int, Entity]] = []
    for k, option in enumerate(ordered):
        end = ordered[k + 1].order if k + 1 < len(ordered) else None
        value = _value(scale, [e for e in said if e.order > option.order and (end is None or e.order < end)])
        if value is not None:  # a name the reply gave no amount (the shop of "A의 B가 4만 원") is no option here
            out.append((value, option))
    return out


def priced_option(price: int, options: Sequence[Entity], state: DialogueState) -> Entity | None:
    """The one option whose price the reply gave as `price` ("3천 원짜리 그거" after "'A'는 5천 원, 'B'는 3천 원"),
    or None."""
    if len(options) < 2 or any(o.turn != options[0].turn for o in options):
        return None
    said = [e for e in state.entities if e.turn == options[0].turn and e.type in ("quantity", "time")]
    matched = [o for value, o in _valued("price", options, said) if value == price]
    return matched[0] if len(matched) == 1 else None


def said_price(words: Sequence[tuple[str, str]]) -> int | None:
    """The price a phrase ending in 짜리 says ("3천 원짜리", "월 2,800원짜리"), from its (form, tag) tokens, or None."""
    if len(words) < 3 or words[-1][0] != "짜리" or words[-2][0] != "원":
        return None
    k = len(words) - 2
    while k > 0 and words[k - 1][1] in ("SN", "NR"):
        k -= 1
    return _price(" ".join(form for form, _ in words[k:-2])) if k < len(words) - 2 else None


_CEILING = ("이하", "까지", "안쪽", "이내", "미만")


def said_budget(words: Sequence[tuple[str, str]]) -> int | None:
    """The most the clause says the user will pay ("예산이 15만 원이라서", "10만 원 이하로", "3만 원까지만"): a 원
    amount in a clause that says 예산, or followed by a word of a ceiling; None otherwise."""
    forms = [form for form, _ in words]
    for k, (form, _) in enumerate(words):
        if form != "원" or k == 0:
            continue
        if "예산" not in forms and (k + 1 >= len(words) or forms[k + 1] not in _CEILING):
            continue
        j = k
        while j > 0 and words[j - 1][1] in ("SN", "NR"):
            j -= 1
        if j < k:
            return _price(" ".join(forms[j:k]))
    return None


def budget_option(words: Sequence[tuple[str, str]], options: Sequence[Entity], state: DialogueState) -> Entity | None:
    """The one option of the last reply whose price is within the budget the clause says (`said_budget`: "예산이
    15만 원이라서" after "'A'는 18만 원, 'B'는 11만 원"), or None."""
    budget = said_budget(words)
    if budget is None or len(options) < 2 or any(o.turn != options[0].turn for o in options):
        return None
    said = [e for e in state.entities if e.turn == options[0].turn and e.type in ("quantity", "time")]
    valued = _valued("price", options, said)
    within = [o for value, o in valued if value <= budget]
    return within[0] if len(valued) >= 2 and len(within) == 1 else None


def compared_option(words: Sequence[tuple[str, str]], options: Sequence[Entity],
                    state: DialogueState) -> Entity | None:
    asked = scale_of(words)
    if asked is None or len(options) < 2:
        return None
    scale, direction = asked
    turn = options[0].turn
    if any(o.turn != turn for o in options):
        return None
    said = [e for e in state.entities if e.turn == turn and e.type in ("quantity", "time")]
    # the things compared, not a place that locates one ("'A'는 정자역에서 걸어서 5분"), unless the places are what
    # is compared ("A에서 타면 약 3시간, B에서 타면 …")
    valued = _valued(scale, [o for o in options if o.salience > 0], said)
    if len(valued) < 2:
        valued = _valued(scale, options, said)
    if len(valued) < 2:
        return None
    values = [v for v, _ in valued]
    best = max(values) if direction > 0 else min(values)
    return valued[values.index(best)][1] if values.count(best) == 1 else None
