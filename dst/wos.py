"""Domain slots in the KLUE-WoS `domain-slot-value` convention.

Contract: `state_to_wos(state)` lists the state's slots as sorted "domain-slot-value" strings and
`state_from_wos(items)` builds a state holding exactly those slots, so a state's slots round-trip:
`state_to_wos(state_from_wos(state_to_wos(s))) == state_to_wos(s)`. `update_slots` maps the typed entities of one
user turn to slots: in a WoS domain named by a cue noun (식당, 숙소, 관광, 택시, 지하철) the slots of that ontology
(이름, 지역, 예약 요일, 예약 시간, 예약 명수), otherwise a general domain "일반" with one slot per entity type. A new
value of a slot replaces the old one. The state type knows nothing of this convention (no import back into here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dst.lexicon import DIRECTIONS, REGIONS
from dst.types import DialogueState, DstInputError

GENERAL_DOMAIN = "일반"
GENERAL_SLOTS = {"time": "시간", "place": "장소", "person": "인물", "item": "대상", "org": "기관", "quantity": "수량"}
DOMAIN_CUES: dict[str, tuple[str, ...]] = {
    "식당": ("식당", "맛집", "레스토랑", "음식점", "한식당", "일식당", "중식당", "양식당", "술집", "고깃집"),
    "숙소": ("호텔", "숙소", "게스트하우스", "펜션", "모텔", "리조트", "한옥스테이", "민박"),
    "관광": ("관광", "관광지", "명소", "박물관", "미술관", "궁", "전시", "구경"),
    "택시": ("택시",),
    "지하철": ("지하철", "전철"),
}
WEEKDAYS = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")
_CLOCK = re.compile(
    r"(오전|오후|저녁|밤|아침|새벽)?\s*(\d{1,2}|열한|열두|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*시(?!간)\s*"
    r"(?:(\d{1,2})\s*분|(반))?"
)
_NATIVE = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
           "열한": 11, "열두": 12}
_PEOPLE = re.compile(r"(?<![가-힣])(\d+|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(?:명|분)(?![가-힣])")
_EVENING = ("오후", "저녁", "밤")


def _is_area(value: str) -> bool:
    words = value.split()
    return bool(words) and words[0] in REGIONS and all(w in REGIONS or w in DIRECTIONS for w in words)


def detect_domain(text: str) -> str | None:
    for domain, cues in DOMAIN_CUES.items():
        if any(cue in text for cue in cues):
            return domain
    return None


def clock_value(text: str) -> str | None:
    """"저녁 7시" -> "19:00", "23시20분" -> "23:20" (the WoS 예약 시간 format)."""
    m = _CLOCK.search(text)
    if m is None:
        return None
    hour = int(m.group(2)) if m.group(2).isdigit() else _NATIVE[m.group(2)]
    minute = int(m.group(3)) if m.group(3) else (30 if m.group(4) else 0)
    if m.group(1) in _EVENING and hour < 12:
        hour += 12
    if hour > 24 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def update_slots(
    slots: dict[str, str], entities: Iterable[tuple[str, str]], text: str, domain: str | None
) -> dict[str, str]:
    """Slots after a user turn whose typed entities are `(type, text)` pairs, in `domain` (None: general)."""
    out = dict(slots)
    for etype, value in entities:
        if domain is None:
            if etype in GENERAL_SLOTS:
                out[f"{GENERAL_DOMAIN}-{GENERAL_SLOTS[etype]}"] = value
            continue
        if etype == "time":
            day = next((w for w in WEEKDAYS if w in value), None)
            if day:
                out[f"{domain}-예약 요일"] = day
            clock = clock_value(value)
            if clock:
                out[f"{domain}-예약 시간"] = clock
        elif etype == "place" and _is_area(value):
            out[f"{domain}-지역"] = value  # an area ("서울 동쪽", "부산"), not a venue ("명동 쇼핑 거리")
        elif etype in ("item", "org"):
            out[f"{domain}-이름"] = value
    if domain is not None:
        people = _PEOPLE.search(text)  # "2명", "두 명", "세분": Kiwi does not make native numerals quantities
        if people:
            count = people.group(1)
            out[f"{domain}-예약 명수"] = str(_NATIVE.get(count, count))
    return out


def parse_wos(item: str) -> tuple[str, str, str]:
    parts = item.split("-", 2) if isinstance(item, str) else []
    if len(parts) != 3 or not all(p.strip() for p in parts):
        raise DstInputError(f"not a 'domain-slot-value' string: {item!r}")
    return parts[0], parts[1], parts[2]


def state_to_wos(state: DialogueState) -> list[str]:
    return sorted(f"{key}-{value}" for key, value in state.slots.items())


def state_from_wos(items: list[str]) -> DialogueState:
    slots: dict[str, str] = {}
    for item in items:
        domain, slot, value = parse_wos(item)
        slots[f"{domain}-{slot}"] = value
    return DialogueState(slots=slots)
