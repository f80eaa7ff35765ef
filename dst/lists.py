"""The options an assistant's reply offers in order, for ordinal references ("두 번째 거", "마지막 곳").

Contract: `offered_options(text, analysis)` returns the reply's list of options (two or more, in order)
or an empty list; it never raises on a string. Lists are found by their form, not by their words, in this order
of preference:
- numbered entries ("1. A 2. B", "① A ② B", "1번 'A', 2번 'B'"), counting from one so that "3.6점" starts nothing;
  such a list is marked numbered (`offered_list`), so that a bare "2번" refers to its second entry;
- bulleted lines ("- A: …", "· B: …"), read like numbered entries but not marked numbered;
- labelled entries ("첫째는 A, 둘째는 B", "첫 번째는 A, 두 번째는 B, 마지막은 C");
- quoted names ("'A', 'B', 'C'가 있어요", "'A'는 …, 'B'는 …");
- times listed with commas only ("오전 8시~10시, 오후 1시~3시, 저녁 6시~8시 중에"), as the mentions read them;
- parallel segments of one sentence ("A는 …, B는 …, C는 …", "오전 7시 A, 오후 1시 B", "A 2만 원, B 4만 원")
  or nouns joined by a conjunction particle or commas ("A와 B", "A, B, C"), whichever names more options
  (the joined nouns on a tie). Segments that count options said before ("하나는 …, 다른 하나는 …", "나머지 두
  가지는 …") describe them and offer none, unless what they open with are names.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from dst import lexicon as lx
from dst.analysis import Analysis, Tok
from dst.anaphora import Anaphor, find_anaphors
from dst.chunks import adnominal_adjective
from dst.mentions import TITLE_RE
from korean.frequency import NAME_RARITY, noun_rarity

# "1. A", "1) A", and "1번 'A'" with a quoted entry ("1번 출구로 나와서 2번 버스" numbers no entries)
_NUMBERED = re.compile(r"(?:^|(?<=\s))(\d{1,2})(?:\s*[.)]\s+|번\s+(?=['‘\"「『〈<]))")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_BULLET = re.compile(r"^[ \t]*([-•·*▪◦‣])[ \t]+(?=\S)", re.MULTILINE)
_SEPARATOR = re.compile(r"\s[-–:]\s|[(:（]")
_LAST_LABEL = re.compile(r"마지막(?:으로|은|는)?(?:\s*,)?\s+")  # the label of a labelled list's last entry
# Where one parallel segment ends: a comma, or the end of a sentence (which also ends the run).
_SEGMENT_END = re.compile(r"(?<!\d),|,(?!\d)|[、;]|[.?!](?:\s|$)")  # "1,800원" is one amount
_ITEM_STOP = frozenset({"SF", "SP", "SSO", "SSC"})
_LABEL_PARTICLES = frozenset({"는", "은", "ᆫ", "로", "으로"})
_SETTING_AFTER = re.compile(r"['’\"」』〉>]?(?:에서|에)")  # after a quoted name: "'A'에서는", "'A'에"


def offered_options(text: str, analysis: Analysis) -> list[str]:
    """`analysis` is `text`'s own: every finder reads its tokens, so a reply is tokenised once however many
    segments it has (a replayed history re-reads every reply)."""
    return offered_list(text, analysis)[0]


def offered_list(text: str, analysis: Analysis) -> tuple[list[str], bool]:
    """The options, and whether the reply numbered them (so that a bare "2번" means one)."""
    toks = _Tokens(analysis)
    numbered = _numbered(text, toks)
    if len(numbered) >= 2:
        return numbered, True
    ordinals = [a for a in find_anaphors(analysis) if a.need == "ordinal"]  # read once: labels, and entries that point
    labelled = _labelled(text, ordinals, toks)
    for found in (_numbered(text, toks, _bullet_run(text)), _named_before(text, ordinals, labelled) or labelled,
                  _quoted(text)):
        if len(found) >= 2:
            return found, False
    times = _comma_times(text, analysis)
    if len(times) >= 2:
        return times, False
    joined = _conjoined(text, list(analysis.chunks))
    written = _comma_words(text, toks)
    amounts = {m.text for m in analysis.mentions if m.kind == "quantity"}
    if joined and all(w.split()[0] in amounts for w in written):
        written = []  # "… 코스가 있어요. 각각 3만 원, 4만 원, 7만 원이에요": what the options cost, not options
    if len(written) >= max(3, len(joined)):
        joined = written
    parallel = _parallel(text, analysis, toks)
    if len(set(parallel)) < len(parallel):
        parallel = []  # "오전 클래스는 A 강사님, 오후 클래스는 B 강사님": heads that repeat do not tell options apart
    best = _titled_whole(parallel if len(parallel) > len(joined) else joined, analysis)
    if _points_back(text, ordinals, best):
        return [], False
    return (best, False) if len(best) >= 2 else ([], False)


def _titled_whole(items: list[str], analysis: Analysis) -> list[str]:
    """Each option that is the start of one titled person the reply names, as that person: in "…, 배은이 통역사입니다"
    Kiwi reads 배은 + the subject particle, and the mentions read the name with its title (`titled_names`)."""
    whole = []
    for item in items:
        people = {m.text for m in analysis.mentions if m.proper and m.kind == "person" and m.text.startswith(item)
                  and len(m.text) > len(item)}
        whole.append(people.pop() if len(people) == 1 else item)
    return whole


def _named_before(text: str, ordinals: list[Anaphor], labelled: list[str]) -> list[str]:
    """The quoted names said before a reply's first ordinal, when there are at least as many as its labelled
    entries: "… '볼트킹 4채널 충전기', '스카이차저 듀오', '파워넷 미니'예요. 첫 번째는 …, 마지막 건 휴대용이에요" lists
    the names, and the labels then say something of each of them. [] otherwise."""
    first = min((a.start for a in ordinals if a.index >= 1 or a.index == -1), default=0)
    names = _quoted(text[:first]) if first else []
    return names if len(names) >= len(labelled) >= 2 and not set(labelled) & set(names) else []


def _points_back(text: str, ordinals: list[Anaphor], items: list[str]) -> bool:
    """Whether an entry is nothing but an ordinal of the reply's own ("세 가지 모두 가능하고, 첫 번째는 보호자가 …"):
    the reply then speaks of a list given before, and its segments are no new options ("1번 A, 2번 B" still are)."""
    said = [o for a in ordinals if not (o := text[a.start:a.end])[:1].isdigit()]  # "3007번, 3008번" are buses
    return any(item in o for o in said for item in items)


class _Tokens:
    """The analysis's tokens by character span (and its mentions)."""

    def __init__(self, analysis: Analysis) -> None:
        self.toks = analysis.tokens
        self.mentions = analysis.mentions
        self.starts = [t.start for t in self.toks]

    def within(self, start: int, end: int) -> list[Tok]:
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return [t for t in self.toks[lo:hi] if t.end <= end]


def _number_run(text: str) -> list[tuple[int, int, int]]:
    marks = [(m.start(), m.end(), int(m.group(1))) for m in _NUMBERED.finditer(text)]
    marks += [(i, i + 1, _CIRCLED.index(ch) + 1) for i, ch in enumerate(text) if ch in _CIRCLED]
    marks.sort()
    # keep the run 1, 2, 3 … so that "3.6점" or a stray number does not start a list
    run: list[tuple[int, int, int]] = []
    for mark in marks:
        if mark[2] == len(run) + 1:
            run.append(mark)
    return run


def _bullet_run(text: str) -> list[tuple[int, int, int]]:
    """Lines that begin with a bullet ("- A: …", "· B 8회: …", "• C"), numbered in order."""
    return [(m.start(1), m.end(), k + 1) for k, m in enumerate(_BULLET.finditer(text))]


def _numbered(text: str, toks: _Tokens, run: list[tuple[int, int, int]] | None = None) -> list[str]:
    run = _number_run(text) if run is None else run
    if len(run) < 2:
        return []
    items = []
    for k, (_, end, _) in enumerate(run):
        last = k + 1 == len(run)
        stop = len(text) if last else run[k + 1][0]
        # an entry before the next marker is all name ("숙성도" is not 숙성 + 도); the last runs into the sentence
        # unless a separator ends the last entry's name on its line ("3. '소나무 언덕' – 반려견 가능")
        line = text[end:stop].split("\n")[0]
        quoted = TITLE_RE.search(line)
        if quoted is not None:
            item = quoted.group(1).strip()  # "3. '등대 게스트하우스'가 있어요.", "3. 고성 '등대 크루즈'"
        else:
            item = (_item_head(text, end, stop, toks) if last and not _SEPARATOR.search(line)
                    else _SEPARATOR.split(line if last else text[end:stop])[0].strip(" ,.\n"))
        if item:
            items.append(item)
    return items


def _comma_times(text: str, analysis: Analysis) -> list[str]:
    """Times listed with commas only ("오전 8시~10시, 오후 1시~3시, 저녁 6시~8시 중에"): the longest such run, as the
    mentions read them (a segment finder would trim the time off as what a name is said with)."""
    best: list[str] = []
    run: list[str] = []
    prev = None
    for m in analysis.mentions:
        if m.kind != "time":
            continue
        if prev is not None and re.fullmatch(r"\s*,\s*", text[prev.end:m.start]):
            run.append(m.text)
        else:
            run = [m.text]
        prev = m
        if len(run) > len(best):
            best = list(run)
    return best


def _comma_words(text: str, toks: _Tokens) -> list[str]:
    """Three or more names listed with commas, read by their written words where Kiwi cuts them ("구로
    한마음운전학원, 개봉 으뜸운전학원, 광명 바른길운전학원이 있어요": 하 + ㄴ + 마음, 바르 + ㄴ + 길): the middle
    entries are whole segments with no predicate, all of n words; the first entry is the last n words of its segment,
    the last the words of its segment before its particle or copula, which must be n words too. [] otherwise."""
    for sentence in _segments(text):
        if len(sentence) < 3:
            continue
        middle = [text[a:b].split() for a, b in sentence[1:-1]]
        if any(t.pos.startswith(("V", "E", "J")) for a, b in sentence[1:-1] for t in toks.within(a, b)):
            continue
        sizes = {len(words) for words in middle}
        if len(sizes) != 1:
            continue
        n = sizes.pop()
        first = text[slice(*sentence[0])].split()
        start, end = sentence[-1]
        cut = next((t.start for t in toks.within(start, end) if t.pos.startswith("J") or t.pos == "VCP"), end)
        last = text[start:cut].split()
        if len(first) < n or len(last) != n or text[cut - 1:cut].isspace():
            continue
        return [" ".join(first[-n:]), *(" ".join(words) for words in middle), " ".join(last)]
    return []


def _segments(text: str) -> list[list[tuple[int, int]]]:
    """The comma-separated segments of each sentence, as character spans (leading spaces left out)."""
    sentences: list[list[tuple[int, int]]] = [[]]
    start = 0
    depth, opened = [], 0
    for ch in text:  # a comma inside brackets ("강도현 사범님(프로 초단, 성인부)") ends no segment
        opened = max(0, opened + (ch in "([") - (ch in ")]"))
        depth.append(opened)
    for m in _SEGMENT_END.finditer(text):
        if depth[m.start()] > 0:
            continue
        if text[start : m.start()].strip():
            sentences[-1].append((start + len(text[start : m.start()]) - len(text[start : m.start()].lstrip()),
                                  m.start()))
        if m.group()[0] in ".?!":
            sentences.append([])
        start = m.end()
    if text[start:].strip():
        sentences[-1].append((start + len(text[start:]) - len(text[start:].lstrip()), len(text)))
    return [s for s in sentences if s]


def _labelled(text: str, ordinals: list[Anaphor], toks: _Tokens) -> list[str]:
    """Entries introduced by an ordinal and a topic particle or a comma: "첫째는 A, 둘째는 B, 셋째는 C예요", "첫째, A는
    …. 둘째, B는 …"."""
    labels = {a.start: a for a in ordinals if a.index >= 1
              and ((a.particles and a.particles[0].form in _LABEL_PARTICLES) or text[a.span_end:a.span_end + 1] == ","
                   or TITLE_RE.match(text, a.span_end + 1) is not None)}  # "첫째 '편백 숲길'은 30분, …"
    bare = _bare_labels(text, ordinals, toks)
    if len(bare) >= 2:  # "첫째 오민혁, 둘째 장세은, 셋째 류건우": the ordinal word alone, the entry after it
        labels.update(bare)
    items: dict[int, str] = {}
    closing: tuple[int, int] | None = None
    for sentence in _segments(text):
        for k, (start, end) in enumerate(sentence):
            label = labels.get(start)
            if label is None:
                last = _LAST_LABEL.match(text, start, end)
                if last is not None and items:  # "첫 번째는 A, 두 번째는 B, 마지막은 C": the entry after the others
                    closing = (last.end(), end)
                continue
            entry = bare[start].end if start in bare else label.span_end
            if entry >= end:
                # "첫째, 소사나무는 …": the label is a segment of its own and the entry is the next one
                if k + 1 >= len(sentence):
                    continue
                entry, end = sentence[k + 1]
            # a quoted name in the entry is the option, whatever describes it first ("첫째는 법률 번역 전문인
            # '링고브릿지'")
            quoted = TITLE_RE.search(text[entry:end])
            item = (_person_after(text, entry + quoted.end(), end, toks) or quoted.group(1).strip()) if quoted else (
                _verbless_head(text, entry, end, toks) or _described_head(text, entry, end, toks))
            if item:
                items.setdefault(label.index, item)
    if closing is not None and closing[0] < closing[1]:
        quoted = TITLE_RE.search(text[closing[0]:closing[1]])
        item = quoted.group(1).strip() if quoted else _item_head(text, closing[0], closing[1], toks)
        if item:
            items.setdefault(len(items) + 1, item)
    ordered = [items[k] for k in range(1, len(items) + 1) if k in items]
    return ordered if len(ordered) == len(items) else []


def _person_after(text: str, start: int, end: int, toks: _Tokens) -> str:
    """The person an entry ends with after a quoted name ("'손글씨공방 은' 대표 이도은 님"): the head of the phrase,
    which the quoted name and the role before it describe; "" when the entry says more after the person or has none."""
    person = next((m for m in toks.mentions if m.kind == "person" and start <= m.start and m.end <= end), None)
    if person is None or any(t.pos.startswith(("V", "E")) for t in toks.within(start, person.start)) or any(
            not t.pos.startswith(("VCP", "E", "S")) for t in toks.within(person.end, end)):
        return ""  # (what follows the person may only be the copula: "… 유서진 님이에요")
    return person.text


def _bare_labels(text: str, ordinals: list[Anaphor], toks: _Tokens) -> dict[int, Anaphor]:
    """Ordinal words that label an entry with no particle or comma ("첫째 오민혁, 둘째 장세은"): a word of
    `lx.ORDINAL_WORDS` at the start of a segment, a space, then a noun that is neither a time ("첫째 주") nor an
    item noun ("둘째 거"). The anaphor's end is moved back to the ordinal word's, so that the entry starts after it."""
    starts = {start for sentence in _segments(text) for start, _ in sentence}
    found: dict[int, Anaphor] = {}
    for a in ordinals:
        first = toks.within(a.start, a.end)[:1]
        if a.start not in starts or a.particles or not first or first[0].form not in lx.ORDINAL_WORDS:
            continue
        word = first[0]
        nxt = toks.within(word.end, len(text))[:1]
        if (nxt and nxt[0].start > word.end and nxt[0].pos in ("NNP", "NNG")
                and nxt[0].form not in lx.TIME_CATEGORIES and nxt[0].form not in lx.ORDINAL_HEADS):
            found[a.start] = replace(a, end=word.end, category=None)
    return found


def _verbless_head(text: str, start: int, end: int, toks: _Tokens) -> str:
    """An entry that is a noun phrase with a place or means before it and no predicate ("병무청 누리집에서 온라인
    발급"): Korean puts the head last, so the entry names what follows the adverbial particle."""
    inside = toks.within(start, end)
    if any(t.pos.startswith(("V", "E")) for t in inside):
        return ""
    adverbial = [k for k, t in enumerate(inside) if t.pos == "JKB"]
    if not adverbial or adverbial[-1] + 1 >= len(inside):
        return ""
    rest = inside[adverbial[-1] + 1:]
    if not all(t.pos in ("NNG", "NNP", "SL", "SN", "XSN", "NNB") for t in rest) or not any(
            t.pos in ("NNG", "NNP") for t in rest):
        return ""
    return text[rest[0].start:rest[-1].end]


def _quoted(text: str) -> list[str]:
    """The quoted names, leaving out one that says where the others are ("'초록큐브농장'에서는 'A'랑 'B'를 팔아요"):
    a name followed by 에 / 에서 is the setting of the offer, not one of its options."""
    names = [(m.group(1).strip(), m.end()) for m in TITLE_RE.finditer(text) if m.group(1).strip()]
    options = [name for name, end in names if not _SETTING_AFTER.match(text, end)]
    return options if len(options) >= 2 else [name for name, _ in names]


def _parallel(text: str, analysis: Analysis, toks: _Tokens) -> list[str]:
    """The longest run of segments in one sentence that each open with a name: "A는 …, B는 …", "A 2만 원, B 4만 원"."""
    best: list[str] = []
    for sentence in _segments(text):
        back = any(_counts_back(toks.within(start, end)) for start, end in sentence)
        run: list[str] = []
        for start, end in sentence:
            head = _segment_head(text, start, end, analysis, toks)
            run = [*run, head] if head else []
            # "하나는 티가 거의 안 나고, 다른 하나는 …", "A는 …, 나머지 두 가지는 …": segments that count options
            # said before describe them; their heads are options only when they are names ("하나는 김나래 님 차로 …")
            if len(run) > len(best) and not (back and not all(_named(h, analysis) for h in run)):
                best = run
    return best


def _counts_back(inside: list[Tok]) -> bool:
    """A segment that opens with a numeral ("하나는", "다른 하나는", "둘 다") or "나머지": it counts options a reply
    offered before, it offers none."""
    words = [t for t in inside if t.pos not in ("MAJ", "IC", "MM", "SP")]
    if not words:
        return False
    counted = words[0].pos == "NR" and len(words) > 1 and (words[1].pos.startswith("J") or words[1].form == "다")
    return counted or words[0].form == "나머지"


def _named(head: str, analysis: Analysis) -> bool:
    """Whether a list head says a name (`Analysis.names`)."""
    return any((m.text in head or head in m.text) and analysis.names(m) for m in analysis.mentions)


def _segment_head(text: str, start: int, end: int, analysis: Analysis, toks: _Tokens) -> str:
    """The name a segment opens with, less a time or an amount around it ("오전 7시 오션호" -> "오션호"), read past
    what the segment first says of it ("한 시간짜리 광안대교 코스") when the reply says that name once (in "벽걸이형
    분해세척, 스탠드형 분해세척" the modifier is what tells them apart, and the entries keep it)."""
    inside = toks.within(start, end)
    # a leading conjunction or interjection ("그리고 키즈 강습") is not part of the name
    skip = 0
    while skip < len(inside) and inside[skip].pos in ("MAJ", "IC"):
        skip += 1
    offset = start if not skip else inside[skip].start if skip < len(inside) else end
    offset = _past_setting(text, analysis, offset, end)
    head = _topic_word(text, offset, end, toks)
    if head:
        return _trimmed(text, offset, head, analysis)
    after = _past_modifier(offset, end, toks)
    if after > offset:
        named = _trimmed(text, after, _item_head(text, after, end, toks), analysis)
        if named and text.count(named) == 1:
            return named  # "매운 짬뽕, 하얀 짬뽕": a name said twice is told apart by its modifier
    return _trimmed(text, offset, _item_head(text, offset, end, toks), analysis)


def _trimmed(text: str, start: int, head: str, analysis: Analysis) -> str:
    """`head` (at `start`) less a time or an amount at its start or inside it."""
    if not head:
        return ""
    head_start, head_end = start, start + len(head)
    for m in sorted(analysis.mentions, key=lambda m: m.start):
        if m.kind not in ("time", "quantity") or m.start < head_start or m.end > head_end:
            continue
        if m.start == head_start:
            head_start = m.end
        else:
            head_end = m.start
            break
    return text[head_start:head_end].strip(" ,")


def _past_setting(text: str, analysis: Analysis, start: int, end: int) -> int:
    """Where the segment's first option begins when it opens with a setting: a time or a place in 에/에서
    ("이번 달에는 소금빵 클래스, …" lists 소금빵 클래스)."""
    times = [(m.start, m.end) for m in analysis.mentions if m.kind in ("time", "quantity")]
    skipped = False
    for s, e, particle in analysis.chunks:
        if s < start or e > end:
            continue
        if particle in lx.SETTING_PARTICLES or any(ts <= s and e <= te for ts, te in times):
            skipped = True
            continue
        if not skipped:
            return start
        while s > start and not text[s - 1].isspace():
            s -= 1  # a chunk that Kiwi began inside a written word ("각인" as 각/MM + 인): the option is the word
        return s
    return start


def _topic_word(text: str, start: int, end: int, toks: _Tokens) -> str:
    """A first written word that ends in a topic or subject particle is the option, whatever Kiwi makes of the
    name before it ("바른운송은" is not 바르 + ㄴ + 운송)."""
    word_end = _word_end(text, start, end)
    inside = toks.within(start, word_end)
    if len(inside) < 2 or inside[-1].form not in ("은", "는", "이", "가") or not inside[-1].pos.startswith("J"):
        return _two_word_topic(text, start, word_end, end, toks)
    after = toks.within(word_end, end)[:2]
    if inside[-1].form in ("이", "가") and len(after) == 2 and after[0].pos in ("VA", "VV") and after[1].pos == "ETM":
        return ""  # "시야가 넓은 와이드프로그": the subject of a clause that describes the option
    name = text[start : inside[-1].start]
    return name if len(name) >= 2 else ""


def _word_end(text: str, start: int, end: int) -> int:
    while start < end and not text[start].isspace():
        start += 1
    return start


def _two_word_topic(text: str, start: int, first_end: int, end: int, toks: _Tokens) -> str:
    """A two-word name before a topic particle ("누리도 정미소는 역 앞에", "쌀집 바른이는 …"): the first word
    describes nothing (no adnominal ending, no predicate, not a time or a number), the second ends in 은 / 는."""
    first = toks.within(start, first_end)
    if not first or any(t.pos in ("ETM", "EC", "EF", "SN", "NR", "MM") or t.pos.startswith("V") for t in first):
        return ""
    if first[0].form in lx.TIME_CATEGORIES or first[0].pos not in ("NNG", "NNP", "SL"):
        return ""
    second_start = first_end + 1
    second = toks.within(second_start, _word_end(text, second_start, end))
    if len(second) < 2 or second[-1].form not in ("은", "는") or second[-1].pos != "JX":
        return ""
    return text[start : second[-1].start]


_MODIFIER_SUFFIXES = frozenset({"짜리", "형"})  # "한 시간짜리 A 코스", "입문형 B": what kind, not which


def _past_modifier(start: int, end: int, toks: _Tokens) -> int:
    """Where the name begins after what a segment first says of it: an adnominal clause ("시야가 넓은 와이드프로그") or
    a noun made a modifier ("한 시간짜리 광안대교 코스", "입문형 베이직프로그"), before any clause of the segment ends;
    `start` when the segment opens with no such modifier."""
    inside = toks.within(start, end)
    for k, tok in enumerate(inside[:-1]):
        if tok.pos in ("EC", "EF") or tok.pos in _ITEM_STOP:
            return start
        if tok.pos == "ETM" or (tok.pos == "XSN" and tok.form in _MODIFIER_SUFFIXES):
            return inside[k + 1].start
    return start


def _described_head(text: str, start: int, end: int, toks: _Tokens) -> str:
    """The name of a labelled entry past what describes it first ("첫 번째는 화요일 시장에서 산 빨간 머플러" ->
    "빨간 머플러", not 화요일 시장): each adnominal clause before the head is passed over; the entry's first
    noun phrase when no name follows them, or only a common noun."""
    head = start
    while (after := _past_modifier(head, end, toks)) != head:
        if _adjective(toks.within(head, after)):
            break  # a bare adjective is part of the name: "빨간 머플러"
        head = after
    adjective = toks.within(head, end)[:2]
    if head == start and not _adjective(adjective):
        return _item_head(text, start, end, toks)
    after = adjective[1].end if _adjective(adjective) else head
    name = _item_head(text, after, end, toks)
    if name and after != head:
        name = text[head:text.index(name, after) + len(name)]  # with its adjective: "빨간 머플러"
    if not name or (" " not in name and noun_rarity(name) < NAME_RARITY):
        # "… 신청하는 방법": a common kind noun after the clause names nothing; the entry's first phrase does
        return _item_head(text, start, end, toks)
    return name


def _adjective(word: list[Tok]) -> bool:
    """Whether the tokens are one bare adjective in its adnominal form ("빨간", "가벼운")."""
    return len(word) == 2 and adnominal_adjective(*word)


def _item_head(text: str, start: int, end: int, toks: _Tokens) -> str:
    """The name at the start of a list entry: "솔밭식당이 있어요." -> "솔밭식당"."""
    last: Tok | None = None
    inside = toks.within(start, end)
    for k, tok in enumerate(inside):
        nxt = inside[k + 1] if k + 1 < len(inside) else None
        if tok.form == "님" and tok.pos == "XSN":
            pass  # a title's honorific is part of the entry: "오지안 선생님(유약)"
        elif tok.pos in ("JKG", "JC") and last is not None and nxt is not None and nxt.pos in ("NNG", "NNP", "SL"):
            pass  # the entry's noun phrase goes on: "보수동 책골목의 만화다락은", "타이어와 튜브를 같이 교체하면"
        elif tok.pos == "XSN" and last is not None:
            pass  # a noun suffix is part of the word: "점수제 우수인재 경로" (Kiwi: 점수 + 제)
        elif (tok.form == "-" and last is not None and nxt is not None and last.end == tok.start
              and nxt.start == tok.end and last.pos in ("SL", "SN") and nxt.pos in ("SL", "SN")):
            pass  # a model code: "SP-33"
        elif tok.pos.startswith(("J", "E", "V", "XS")) or tok.pos in _ITEM_STOP or tok.form in ("-", ":", "–"):
            break
        last = tok
    if last is None:
        return ""
    return text[start : last.end].strip()


def _conjoined(text: str, chunks: list[tuple[int, int, str | None]]) -> list[str]:
    best: list[str] = []
    current: list[tuple[int, int, str | None]] = []
    for chunk in chunks:
        if current and _linked(text, current[-1], chunk):
            current.append(chunk)
        else:
            current = [chunk]
        if len(current) >= 2 and len(current) > len(best):
            best = [text[s:e] for s, e, _ in current]
    if best:
        # "오전 7시 40분과 오후 1시 20분 두 편이 있어요": the count of the list is no part of its last item
        counted = _LIST_COUNT.search(best[-1])
        if counted and _COUNT_WORDS.get(counted.group(1), 0) == len(best) and counted.start() > 0:
            best[-1] = best[-1][:counted.start()]
    return best


_COUNT_WORDS = {"두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
                **{str(n): n for n in range(2, 11)}}
# numerals and the classifiers that count options: closed classes
_LIST_COUNT = re.compile(r"\s+(" + "|".join(_COUNT_WORDS) + r")\s*(?:가지|개|곳|군데|분|명|편|회|종류|대|권|척)$")


def _linked(text: str, a: tuple[int, int, str | None], b: tuple[int, int, str | None]) -> bool:
    between = text[a[1] : b[0]].strip()
    particle = a[2]
    if particle in lx.CONJUNCTION_PARTICLES and between.startswith(particle):
        return between[len(particle) :].strip() in ("", ",")
    return between in (",", "、")
