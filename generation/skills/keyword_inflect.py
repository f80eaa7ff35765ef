"""Re-inflection for the keyword normaliser: the final predicate becomes a keyword form.

Contract: `reinflect(kiwi, text, toks, kind)` returns (index where the re-inflected head starts, head string):
a request becomes "-기", a prohibition "-지 않기", a yes/no question "-는지/-ㄴ지" (or "… 여부" on a verbal noun
or existence; a plain "-어" on a verb is a request unless typed with "?"), a relative (wh-) question a "-는/-ㄴ"
modifier, a prospective ("-ㄹ 거", "-ㄹ까") "-ㄹ지"/"-ㄹ"; anything else keeps its surface. A learned sentence type
(`hint`) overrides the kind the ending suggests, and for a prohibition `implied_prohibition` names the act that a
judgement, 그만, 말다 or a verb of forbidding leaves unsaid. `surfaces(text, toks)`
cuts word surfaces from the text, dropping the case particles a keyword query does not need. Kiwi is used only to
join morphemes (`kiwi.join`).
"""

from __future__ import annotations

from typing import Any

from generation.skills.keyword_frames import last_unit
from generation.skills.keyword_tables import (
    BENEFACTIVE,
    DROP_PARTICLES,
    EMBEDDED_Q,
    ENDINGS,
    FORBID_STEMS,
    FORBIDDING_EC,
    FUTURE_EP,
    HINT_KIND,
    IMPERATIVE_END,
    OBLIGATION_EC,
    PRED,
    QUESTION_END,
    TOPIC_FORMS,
    Tok,
    is_wh,
)


def reinflect(
    kiwi: Any, text: str, toks: list[Tok], kind: str | None, *, asked: bool = False, hint: str | None = None
) -> tuple[int, str]:
    """`asked`: the utterance was typed with a question mark, so a plain "-어" on a verb asks ("비 와?").
    `hint`: the sentence type a learned classifier gave the utterance (`keyword_tables.SENTENCE_TYPES`), or None."""
    prohibited = prohibition(kiwi, text, toks)
    if prohibited is None and hint == "prohibition":
        prohibited = implied_prohibition(kiwi, text, toks)
    if prohibited is not None:
        return prohibited
    unit = last_unit(toks)
    span = toks[unit:]
    has_pred = any(t.tag.startswith(PRED) for t in span)
    if not has_pred or (span[-1].tag not in ENDINGS and kind is None):
        return unit, " ".join(surfaces(text, span, final=True))
    if kind == "modal":
        kind = "possible" if hint == "yes/no" else "request"
    kind = kind or sentence_kind(span, asked=asked, hint=hint)
    for j in range(1, len(span) - 1):
        if negated_at(span, j, "말"):
            # prohibition "-지 마(세요)" names what not to do: "나가지 않기"
            lead = [(t.form, t.tag) for t in span[:j] if t.tag not in {"EP"}]
            return unit, kiwi.join([*lead, ("지", "EC")]) + " 않기"
    if kind == "embedded":
        return unit, " ".join(surfaces(text, span, final=True))
    stem = stem_of(span, kind)
    if not stem or not any(t.tag.startswith(PRED) or t.tag.startswith("NN") for t in stem):
        return unit, " ".join(surfaces(text, span, final=True))
    lead = [(t.form, t.tag) for t in stem]
    if kind == "request":
        return unit, kiwi.join([*lead, ("기", "ETN")])
    if kind == "possible":
        # "복원할 수 있니" asked as a yes/no question: whether it can be done ("복원 가능 여부", "돈 벌 수 있는지")
        if stem[0].tag == "NNG" and len(stem) > 1 and stem[1].form == "하":
            return unit, stem[0].form + " 가능 여부"
        if len(stem) == 1 and stem[0].form == "하" and unit > 0 and toks[unit - 1].tag == "NNG":
            return unit, "가능 여부"
        return unit, kiwi.join([(t.form, t.tag) for t in stem if t.tag != "EP"] + [("ᆯ", "ETM")]) + " 수 있는지"
    future = any(t.tag == "EP" and t.form in FUTURE_EP for t in stem)
    if future and kind in {"relative", "question"}:
        # "언제 만날 거야" -> "만날 시간", "갈 건가요" -> "갈지": the prospective "-ㄹ" stays
        bare = [(t.form, t.tag) for t in stem if t.tag != "EP"]
        return unit, kiwi.join([*bare, ("ᆯ", "ETM")]) + ("" if kind == "relative" else "지")
    if kind == "relative":
        past = any(t.tag == "EP" and t.form in {"었", "았", "였"} for t in stem)
        bare = [(t.form, t.tag) for t in stem if t.tag != "EP"]
        stative = stem[-1].tag.startswith(("VA", "XSA", "VCP")) and stem[-1].form not in {"있", "없"}
        return unit, kiwi.join([*bare, ("ᆫ" if past or stative else "는", "ETM")])
    # a yes/no question on a verbal noun ("취소 했니") or on existence ("메일 있니") asks "취소 여부"
    if len(stem) == 1 and stem[0].form in {"하", "있"} and unit > 0 and toks[unit - 1].tag.startswith(("NN", "J")):
        return unit, "여부"
    if stem[0].tag == "NNG" and len(stem) > 1 and stem[1].form == "하" and stem[1].tag.startswith(("XSV", "VV")):
        return unit, kiwi.join([(stem[0].form, stem[0].tag)]) + " 여부"
    stem = resultative(stem)
    lead = [(t.form, t.tag) for t in stem]
    last = stem[-1]
    if last.tag in {"VA", "VA-I", "XSA", "VCP", "VCN"} and last.form not in {"있", "없", "계시"}:
        return unit, kiwi.join([*lead, ("ᆫ", "ETM")]) + "지"
    return unit, kiwi.join([*lead, ("는지", "EC")])


def prohibition(kiwi: Any, text: str, toks: list[Tok]) -> tuple[int, str] | None:
    """A statement "…하면 안 돼" forbids an act; it is named like "…하지 마": "…하지 않기"."""
    j = len(toks) - 1
    while j > 0 and toks[j].tag in ENDINGS:
        j -= 1
    if j < 3 or j == len(toks) - 1 or toks[-1].form in QUESTION_END:
        return None  # "…하면 안 되니" asks for permission, it forbids nothing
    if not (toks[j].form == "되" and toks[j].tag.startswith("V")):
        return None
    neg, cond = toks[j - 1], j - 2
    if cond > 1 and toks[cond].tag == "JX":
        cond -= 1  # "해서는 안 돼"
    if not (neg.form == "안" and neg.tag == "MAG" and toks[cond].tag == "EC" and toks[cond].form in FORBIDDING_EC):
        return None
    return forbidden_act(kiwi, toks, cond)


def negated_at(toks: list[Tok], j: int, aux: str) -> bool:
    """Whether `toks[j]` is the "-지" of "-지 <aux>" ("먹지 마", "빠지지는 마라", "두지 않는"); a bound particle may
    come between."""
    if not (toks[j].tag == "EC" and toks[j].form == "지"):
        return False
    k = j + 1
    if k < len(toks) - 1 and toks[k].tag == "JX":
        k += 1
    return k < len(toks) and toks[k].tag == "VX" and toks[k].form == aux


def forbidden_act(kiwi: Any, toks: list[Tok], i: int) -> tuple[int, str] | None:
    """The act of the predicate word that `toks[i]` (an ending) closes, named as not done: "…하지 않기"."""
    start = i
    while start > 0 and toks[start - 1].word == toks[i].word:
        start -= 1
    lead = [(x.form, x.tag) for x in toks[start:i] if x.tag != "EP"]
    if not lead or not lead[-1][1].startswith(PRED):
        return None
    # "운동 하면 안 돼": a head starting with 하 joins the verbal noun before it (`keywords._normalize_clause`)
    return start, kiwi.join([*lead, ("지", "EC")]) + " 않기"


def implied_prohibition(kiwi: Any, text: str, toks: list[Tok]) -> tuple[int, str] | None:
    """What a sentence learned to be a prohibition forbids, where its form alone does not say so.

    In order: a "-지 마" anywhere in the clause (a reason may follow it: "바꾸지 마 금방 갈게"), a verbal noun with
    말다 ("걱정 마"), 그만 with a predicate ("그만 만나", "잔소리 그만해"), the object of a verb of forbidding
    ("촬영을 금합니다"), an act the final predicate judges ("…하면 위험해", "…하는 건 나빠", "…하지 않는 게 좋아",
    "앉는 거 아니야", "과속은 위험해"), else a final action verb itself.
    """
    unit = last_unit(toks)
    if any(negated_at(toks, j, "말") for j in range(unit, len(toks))):
        return None  # the final "-지 마" is named by `reinflect` itself
    for j in range(len(toks) - 1, 0, -1):
        if negated_at(toks, j, "말"):
            return forbidden_act(kiwi, toks, j)
        noun = toks[j - 1]
        if toks[j].tag == "VX" and toks[j].form == "말" and noun.tag == "NNG" and noun.word != toks[j].word:
            return j, "하지 않기"  # "걱정 마": the noun joins the head (`keywords._normalize_clause`)
    for j, t in enumerate(toks[:-1]):
        if t.form == "그만" and t.tag in {"MAG", "XR"}:
            nxt = toks[j + 1]
            if nxt.form == "하" and j > 0 and toks[j - 1].tag == "NNG":
                return j, "하지 않기"
            if nxt.tag.startswith(("VV", "XSV")):
                end = j + 2
                while end < len(toks) and toks[end].word == nxt.word and toks[end].tag not in ENDINGS:
                    end += 1
                return j, kiwi.join([*((x.form, x.tag) for x in toks[j + 1 : end]), ("지", "EC")]) + " 않기"
    final = next((k for k in range(len(toks) - 1, -1, -1) if toks[k].tag not in ENDINGS), None)
    verb = final - 1 if final is not None and final > 0 and toks[final].form == "하" else final
    if verb is not None and verb > 0 and toks[verb].form in FORBID_STEMS:
        # "사진 촬영을 금합니다", "반입을 금지해요": what is forbidden is the verbal noun before the verb
        forbidden = max((k for k in range(verb) if toks[k].tag == "NNG"), default=None)
        if forbidden is not None:
            return forbidden + 1, "하지 않기"
    if unit > 0 and toks[unit - 1].form in {"안", "못"} and toks[unit - 1].tag == "MAG":
        unit -= 1
    for j in range(unit - 1, 0, -1):
        t = toks[j]
        if t.tag == "EC" and t.form in FORBIDDING_EC:
            return forbidden_act(kiwi, toks, j)
        thing = j + 1 < len(toks) and toks[j + 1].form in {"것", "거"} and toks[j + 1].tag == "NNB"
        if t.tag == "ETM" and thing and toks[j - 1].tag.startswith(("VV", "XSV", "VX")):
            negated = next((k for k in range(j - 1, max(j - 4, 0), -1) if negated_at(toks, k, "않")), None)
            return forbidden_act(kiwi, toks, j if negated is None else negated)
        if t.tag.startswith(PRED) or t.tag == "EF":
            break  # another predicate comes first: the final one does not judge an act before it
    if final is None or toks[final].form in {"있", "없"}:
        return None
    if toks[final].tag.startswith(("VA", "XSA")):
        # "졸음운전은 위험해", "불규칙한 식사는 위에 안 좋아": the act is the noun the judgement is about
        topic = max((k for k in range(1, unit) if toks[k].tag in {"JX", "JKS"} and toks[k - 1].tag == "NNG"),
                    default=None)
        return (topic, "하지 않기") if topic is not None else None
    if toks[final].tag.startswith(("VV", "XSV")) and final + 1 < len(toks):
        return forbidden_act(kiwi, toks, final + 1)
    return None


def resultative(stem: list[Tok]) -> list[Tok]:
    """A yes/no question on a state "켜져 있니" asks whether it happened: "켜졌는지"."""
    if len(stem) >= 3 and stem[-1].form == "있" and stem[-1].tag == "VX" and stem[-2].tag == "EC":
        return [*stem[:-2], Tok("었", "EP", stem[-1].start, stem[-1].end, stem[-1].word)]
    return stem


def sentence_kind(span: list[Tok], *, asked: bool = False, hint: str | None = None) -> str:
    final = span[-1]
    if final.tag == "EC" and final.form in EMBEDDED_Q - {"지"}:
        return "embedded"
    if hint in HINT_KIND:
        # the learned type reads more than the ending does ("…해도 괜찮을까요" asks for an act)
        return HINT_KIND[hint]
    if any(t.tag == "VX" and t.form in BENEFACTIVE for t in span) or final.form in IMPERATIVE_END:
        return "request"
    if final.form in QUESTION_END:
        return "question"
    if asked:
        return "question"
    main = next((t for t in span if t.tag.startswith(("VV", "VA", "XSV", "XSA", "VCP"))), None)
    if main is not None and main.tag.startswith(("VV", "XSV")) and main.form not in {"있", "없"}:
        return "request"
    return "question"


def stem_of(span: list[Tok], kind: str) -> list[Tok]:
    out: list[Tok] = []
    for i, t in enumerate(span):
        if t.tag == "VX" and t.form in BENEFACTIVE:
            break
        nxt = span[i + 1] if i + 1 < len(span) else None
        # obligation / sufficiency frames: "내야 돼", "받아 놓아야 해", "가면 돼"
        if t.tag == "EC" and t.form in OBLIGATION_EC and nxt is not None and nxt.form in {"하", "되"}:
            break
        if t.tag in {"EF", "ETN", "ETM"} or (t.tag == "EC" and i == len(span) - 1):
            break
        if t.tag == "EP" and (kind == "request" or (t.form in {"시", "으시", "겠"} and t.form not in FUTURE_EP)):
            continue
        if kind == "request" and t.tag == "VX" and t.form == "보" and out and out[-1].tag == "EC":
            out.pop()
            continue
        out.append(t)
    while out and out[-1].tag == "EC":
        out.pop()
    return out


def surfaces(text: str, toks: list[Tok], *, final: bool = False) -> list[str]:
    words: list[list[Tok]] = []
    for t in toks:
        if words and words[-1][0].word == t.word:
            words[-1].append(t)
        else:
            words.append([t])
    out = []
    for i, w in enumerate(words):
        next_first = words[i + 1][0] if i + 1 < len(words) else None
        end = len(w)
        while end > 1:
            t = w[end - 1]
            next_word = words[i + 1] if i + 1 < len(words) else []
            noun_next = (
                next_first is not None
                and next_first.tag.startswith(("NN", "MM", "NR", "SN"))
                and not any(x.tag.startswith(PRED) or x.tag == "ETM" for x in next_word)
            )
            if (
                t.tag in DROP_PARTICLES
                or (t.tag == "JX" and t.form in TOPIC_FORMS)
                or (t.tag == "JKB" and t.form == "에" and noun_next)
                # "A와 B 중에(서)": the range of a choice needs no locative
                or (t.tag == "JKB" and t.form in {"에", "에서"} and w[end - 2].form == "중" and w[end - 2].tag == "NNB")
            ):
                end -= 1
            else:
                break
        kept = [t for t in w[:end] if not (t.tag == "MM" and is_wh(t))]
        if kept:
            out.append("".join(text[kept[0].start : max(t.end for t in kept)].split()))
    return out
