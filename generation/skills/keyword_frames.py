"""Frame dropping for the keyword normaliser: what is said around the query goes, the query stays.

Contract: functions take and return lists of `Tok` (never the text). `flatten` turns Kiwi tokens into `Tok`s with
word indices; `drop_pronouns`, `main_sentence` (earlier sentences, background clauses, vocatives; with a learned
sentence type, the last sentence whose form `fits` it) and
`drop_frame` (telling/checking predicates, modal frames, wh-predicates, degree questions, tag questions; one
frame per call, reporting the sentence kind it implies) remove material; `thing_copula` rewrites a final
"clause + 것 + copula" ("…는 거니") as the clause itself with a tense and question/statement ending;
`wh_relative` removes a question word inside a clause and returns the head noun naming what it asks for.
All are pure and safe on any input: when a shape is not recognised the tokens come back unchanged.
"""

from __future__ import annotations

import itertools
from typing import Any

from generation.skills.keyword_tables import (
    BACKGROUND_EC,
    BENEFACTIVE,
    CHECK_NOUNS,
    CHECK_VERBS,
    COUNTER_HEAD,
    DEGREE,
    EMBEDDED_Q,
    ENDINGS,
    FINAL_READ_AS_EC,
    HINT_KIND,
    IMPERATIVE_END,
    MEASURE,
    PERSONAL,
    PERSONAL_PARTICLES,
    PRED,
    QUESTION_END,
    TELL_STEMS,
    THING_ASK,
    THING_ETM,
    THING_NOUNS,
    WH_DETERMINERS,
    WH_HEAD,
    Tok,
    is_wh,
)

# Kiwi's punctuation tags (not SW: "%" is a counter in "몇 %")
PUNCTUATION = frozenset({"SF", "SP", "SS", "SE", "SO"})


def flatten(text: str, raw: list[Any]) -> list[Tok]:
    """Kiwi's tokens as `Tok`s numbered by word, with punctuation dropped and Kiwi's split "-는 지" joined."""
    out: list[Tok]
    out, word, last_end = [], 0, None
    for t in raw:
        if out and t.form == "지" and t.tag == "NNB" and out[-1].tag == "ETM":
            # "오는 지" is the embedded-question ending written apart
            prev = out.pop()
            out.append(Tok(prev.form + "지", "EC", prev.start, t.start + t.len, prev.word))
            last_end = t.start + t.len
            continue
        if last_end is not None and text[last_end : t.start].strip() == "" and t.start > last_end:
            word += 1
        if t.tag in PUNCTUATION:
            # typed punctuation ("따뜻해?", "음, 그럼") is no keyword; its end still separates words
            last_end = max(last_end or 0, t.start + t.len)
            continue
        tag = t.tag
        if tag == "VX" and out and out[-1].tag == "EC" and out[-1].form in EMBEDDED_Q - {"지"}:
            tag = "VV"  # "심한지 봐 줘": 보다 checks the embedded question, it is not an auxiliary
        out.append(Tok(t.form, tag, t.start, t.start + t.len, word))
        last_end = max(last_end or 0, t.start + t.len)
    return out


def drop_pronouns(toks: list[Tok]) -> list[Tok]:
    words: dict[int, list[Tok]] = {}
    for t in toks:
        words.setdefault(t.word, []).append(t)
    drop = {
        w for w, ts in words.items()
        if ts[0].tag == "NP" and ts[0].form in PERSONAL and all(t.tag in PERSONAL_PARTICLES for t in ts[1:])
    }
    kept = [t for t in toks if t.word not in drop]
    return kept if any(t.tag.startswith(("NN", "V", "XR", "SL", "SN")) for t in kept) else toks


def last_unit(toks: list[Tok]) -> int:
    """Index where the final predicate unit starts (its word plus auxiliary words after it)."""
    i = len(toks) - 1
    word = toks[i].word
    while i > 0 and toks[i - 1].word == word:
        i -= 1
    while i > 0 and (toks[i].tag == "VX" or toks[i].tag in ENDINGS) and toks[i - 1].tag in {"EC", "ETM"}:
        word = toks[i - 1].word
        while i > 0 and toks[i - 1].word == word:
            i -= 1
    return i


def main_sentence(toks: list[Tok], hint: str | None = None) -> list[Tok]:
    """Keep the sentence that carries the request: earlier sentences and background clauses
    ("…했다며", "…하니까", "…인데") go, and so do vocatives ("준석아", a trailing "여보").
    With a learned sentence type (`hint`), the last sentence whose form fits that type is kept instead when the
    last one does not fit it ("우리 돈 모으자 곧 휴가잖아" as a request keeps "돈 모으자")."""
    vocative_words = {t.word for t in toks if t.tag == "JKV"}
    toks = [t for t in toks if t.word not in vocative_words] or toks
    cuts, loose = [0], [0]
    for i, t in enumerate(toks[:-1]):
        word_ends = toks[i + 1].word != t.word
        if not word_ends or not any(x.tag.startswith(PRED) for x in toks[i + 1 :]):
            continue
        after_mal = i > 0 and (toks[i - 1].form, toks[i - 1].tag) == ("말", "VX")
        declined = t.tag == "EC" and t.form == "고" and after_mal
        if t.tag == "EF" or (t.tag == "EC" and t.form in BACKGROUND_EC) or declined:
            cuts.append(i + 1)  # "…지 말고 Y": the alternative that is asked for is Y
            loose.append(i + 1)
        elif t.tag == "EC" and t.form in FINAL_READ_AS_EC:
            loose.append(i + 1)
    start, end = cuts[-1], len(toks)
    # "…하지 말고 Y" asks for Y, whatever the type says
    if hint is not None and not follows_declined(toks, start) and not fits(toks[start:end], hint):
        # the last sentence that fits, counting the sentences Kiwi joined as well
        bounds = list(zip(loose, [*loose[1:], len(toks)], strict=True))
        start, end = next((b for b in reversed(bounds) if fits(toks[b[0] : b[1]], hint)), (start, end))
    toks = toks[start:end]
    # a bare noun or interjection after the last sentence ending is a vocative, a cheer or an afterthought
    # ("들어오세요 여보", "포기하면 안 돼 파이팅")
    last_ef = max((i for i, t in enumerate(toks) if t.tag == "EF"), default=None)
    if last_ef is not None and last_ef < len(toks) - 1:
        tail = toks[last_ef + 1 :]
        if not any(t.tag.startswith(PRED) for t in tail) and all(t.tag.startswith(("NN", "J", "IC")) for t in tail):
            toks = toks[: last_ef + 1]
    return toks


def follows_declined(toks: list[Tok], start: int) -> bool:
    """Whether `toks[start:]` is the Y of "…하지 말고 Y": what is asked for instead of what is declined."""
    return start > 1 and toks[start - 1].form == "고" and toks[start - 2].form == "말" and toks[start - 2].tag == "VX"


def fits(sentence: list[Tok], hint: str) -> bool:
    """Whether a sentence's form can say what the learned type `hint` says: a prohibition has 말다, "안 되", 그만
    or a condition ("-면"); a request an imperative or benefactive; a question a question ending."""
    pairs = list(itertools.pairwise(sentence))
    if hint == "prohibition":
        return any(
            (b.form == "말" and b.tag == "VX") or (a.form in {"면", "으면"} and a.tag == "EC") or a.form == "그만"
            for a, b in pairs
        )
    ending = next((t for t in reversed(sentence) if t.tag in {"EF", "EC"}), None)
    kind = HINT_KIND.get(hint)
    if kind == "request":
        return any(t.tag == "VX" and t.form in BENEFACTIVE for t in sentence) or (
            ending is not None and ending.form in IMPERATIVE_END
        )
    if kind == "question":
        return ending is not None and ending.form in QUESTION_END
    return True


def thing_copula(toks: list[Tok]) -> list[Tok]:
    """A final "…는 거야/거니/건가요/걸까" (clause + 것 + copula) asks about the clause itself: "누가 보낸 거니" is
    "누가 보냈니". The 것 head and its copula go; the clause's tense comes back as a prefinal ending (a verb's
    "-ㄴ" is past) and the final ending says what kind of sentence it was."""
    n = len(toks)
    i = n - 1
    while i > 0 and toks[i].tag in ENDINGS:
        i -= 1
    if i < 2 or i == n - 1 or toks[i].tag != "VCP" or toks[i - 1].form not in {"거", "것"}:
        return toks
    etm, pred = toks[i - 2], toks[i - 3] if i >= 3 else None
    if toks[i - 1].tag != "NNB" or etm.tag != "ETM" or etm.form not in THING_ETM or pred is None:
        return toks
    if not pred.tag.startswith(PRED) and pred.tag != "EP":
        return toks
    final = toks[-1].form
    future = etm.form in {"ᆯ", "을"}
    # "…는 거니" asks; "…는 거다" tells the listener what to do ("기다리는 거다" -> "기다리기")
    form = "니" if final in QUESTION_END or final in THING_ASK else "자"
    out = toks[: i - 2]
    stative = pred.tag.startswith(("VA", "XSA", "VCP", "VCN", "EP")) or pred.form in {"있", "없", "계시"}
    if etm.form in {"ᆫ", "은"} and not stative:
        out.append(Tok("었", "EP", etm.start, etm.end, etm.word))
    if future:
        out.append(Tok("ᆯ", "EP", etm.start, etm.end, etm.word))
    out.append(Tok(form, "EF", etm.start, etm.end, etm.word))
    return out


def drop_frame(toks: list[Tok]) -> tuple[list[Tok], bool, str | None]:
    n = len(toks)
    unit = last_unit(toks)
    head = toks[unit]
    before = toks[unit - 1] if unit > 0 else None
    # modal: "-ㄹ 수 있니" / "-ㄹ 수 있을까" (a request, unless a learned type says it asks whether it can be done)
    for i in range(n - 1, 1, -1):
        modal = toks[i].form in {"있", "없"} and toks[i - 1].form == "수" and toks[i - 1].tag == "NNB"
        if modal and toks[i - 2].tag == "ETM" and all(t.tag in ENDINGS for t in toks[i + 1 :]) and i > 2:
            return toks[: i - 2], True, "modal"
    if before is None:
        return toks, False, None
    if head.form in {"알", "그렇"} and head.tag.startswith("V") and toks[-1].form in {"지", "죠"}:
        return toks[:unit], True, None
    embedded = before.tag == "EC" and before.form in EMBEDDED_Q
    nominal = before.tag.startswith(("NN", "NP", "XSN", "SN", "SL")) or before.tag in {"JKO", "JX"}
    is_tell = head.tag.startswith("VV") and head.form in TELL_STEMS and (embedded or nominal)
    is_check = (embedded or nominal) and (
        (head.form in CHECK_NOUNS and head.tag.startswith("NN") and unit + 1 < n)
        or (head.form in CHECK_VERBS and head.tag.startswith("VV"))
        or (head.form in {"알", "궁금"} and unit + 1 < n and toks[-1].form in QUESTION_END | {"어", "아"})
    )
    if is_tell or is_check:
        return toks[:unit], True, None
    # "확인 해 줘" written apart: the checking noun is the word before the 하다 unit
    if head.form == "하" and before.tag.startswith("NN") and before.form in CHECK_NOUNS and unit > 1:
        noun_start = unit - 1
        prior = toks[noun_start - 1]
        if (prior.tag == "EC" and prior.form in EMBEDDED_Q) or prior.tag.startswith(("NN", "J")):
            return toks[:noun_start], True, None
    words_unit = toks[unit:]
    if is_wh(head):
        rest = words_unit[1:]
        if all(t.tag in ENDINGS | {"VCP", "JKS", "JX", "NNB", "XSN"} for t in rest):
            return drop_particles_before(toks[:unit]), True, None
        if head.form in {"뭐", "무엇", "어떻"} or (head.form in DEGREE and head.tag == "MAG"):
            return drop_particles_before(toks[:unit]), True, None
    # wh word in its own word right before the predicate: "뭐가 있니", "얼마나 높지", "어느 정도이니"
    prev_word = before.word
    prev_toks = [t for t in toks[:unit] if t.word == prev_word]
    if prev_toks and prev_toks[0].form == "몇" and head.tag in {"NNB", "NNG", "NR"}:
        cut = unit - len(prev_toks)
        if cut > 0 and all(t.tag in ENDINGS | {"VCP", "JX", "VA", "VV"} for t in toks[unit + 1 :]):
            return drop_particles_before(toks[:cut]), True, f"wh:{COUNTER_HEAD.get(head.form, '수')}"
    if prev_toks and is_wh(prev_toks[0]) and (
        prev_toks[0].form in DEGREE | {"뭐", "무엇"} or head.form in {"정도", "되", "있", "없"}
    ):
        cut = unit - len(prev_toks)
        if cut > 0:
            return drop_particles_before(toks[:cut]), True, None
    return toks, False, None


def wh_relative(toks: list[Tok]) -> tuple[list[Tok], str | None]:
    """Drop a question word (or "어느/어떤 + noun") before the final predicate and name what it asks for."""
    unit = last_unit(toks)
    preds = [t for t in toks[unit:] if t.tag.startswith(("VV", "VA", "XSV", "XSA", "VX")) and not is_wh(t)]
    if not preds or toks[-1].tag not in ENDINGS or (preds[0].form == "되" and len(preds) == 1):
        return toks, None
    for i, t in enumerate(toks):
        noun, end = None, i + 1
        if t.form in WH_HEAD and is_wh(t) and t.tag != "MM":
            noun = WH_HEAD[t.form]
            if t.form == "어떻" and end < len(toks) and toks[end].form == "게":
                end += 1
            elif t.form == "어떻":
                noun = None
        elif t.tag == "MM" and t.form in WH_DETERMINERS and end < len(toks) and toks[end].tag in {"NNB", "NNG"}:
            # "어느 은행이 싸" asks for the bank: "싼 은행"; "어느 쪽이", "어떤 게" ask for a thing
            noun = "것" if toks[end].form in THING_NOUNS else toks[end].form
            end += 1
        elif t.form in {"뭐", "무엇", "무어"} and end < len(toks) and toks[end].tag == "JKS":
            noun = "것"  # "뭐가 더 달아": the thing that is sweeter
        elif t.form == "몇" and end < len(toks) and toks[end].tag in {"NNB", "NNG", "SW"}:
            if toks[end].form in MEASURE and i > 0:
                return drop_particles_before(toks[:i]), ""
            noun = COUNTER_HEAD.get(toks[end].form, "수")
            end += 1
        if noun is None:
            continue
        while end < len(toks) and toks[end].tag.startswith("J"):
            end += 1
        if t.form == "몇" and all(x.form in {"있", "없", "되"} or x.tag in ENDINGS for x in toks[end:]):
            return toks[:i], noun  # "몇 개 있니" counts, it does not ask about existence
        if end >= len(toks) or not any(x.tag.startswith(("VV", "VA", "XSV", "XSA", "VX")) for x in toks[end:]):
            return toks, None
        return toks[:i] + toks[end:], noun
    return toks, None


def drop_particles_before(toks: list[Tok]) -> list[Tok]:
    while toks and toks[-1].tag.startswith("J"):
        toks = toks[:-1]
    return toks
