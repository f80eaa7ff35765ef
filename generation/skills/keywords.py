"""Conversational -> keyword normalisation for Korean, LM-free, from Kiwi morphology alone.

Contract: `KeywordNormalizer().normalize("내일 자외선 지수가 어느 정도이니")` returns the core query
("내일 자외선 지수"). Rules are general Korean morphology, never keyed to example strings:
1. fillers (좀, 혹시) and trailing frames are dropped: telling/checking predicates around an embedded
   question or a noun phrase ("…인지 알려줘", "… 확인해 줄래"), modal frames ("-ㄹ 수 있니"),
   wh-predicates and degree questions ("어디지", "뭐야", "어느 정도이니", "얼마나 높지", "뭐가 있니"),
   tag questions ("알았지");
2. the remaining final predicate is re-inflected by sentence type: a request or invitation ("같이 갈래")
   becomes a nominalised "-기" form without benefactive 주다 / trying 보다 / honorific / tense ("꺼 줘" ->
   "끄기"), a prohibition ("-지 마", "-면 안 돼") becomes "-지 않기", a yes/no question becomes an
   embedded "-는지/-ㄴ지" clause ("덥니" -> "더운지"), a noun phrase is kept; a question word that is
   itself the predicate ("생일이 언제야") is dropped without adding a head noun, one inside a clause is
   named by one ("언제 오니" -> "오는 날짜"); "몇" + counter names a count ("몇 번" -> "횟수", "몇 개 있니"
   -> "… 수") except for measures ("몇 도"), which ask the value of the noun before them;
3. words that carry no search content are dropped: first/second-person pronouns with their case particle
   ("내가 보낸 메일" -> "보낸 메일"), subject/topic/object markers, the genitive 의, and the locative 에
   when a noun follows ("거실에 에어컨" -> "거실 에어컨").
Unknown shapes degrade gracefully: the utterance comes back with only the safe drops applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generation.skills.korean import get_kiwi

_ENDINGS = {"EF", "EC", "ETN", "ETM", "EP"}
_PRED = ("VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA")
_DROP_PARTICLES = {"JKS", "JKG", "JKO"}
_TOPIC_FORMS = {"은", "는", "ᆫ"}
_FILLERS = {"좀", "혹시"}
# first/second-person pronouns are stopwords for a search query ("내가 보낸 메일" -> "보낸 메일")
_PERSONAL = {"나", "저", "너", "니", "네", "당신", "자기", "우리", "저희", "너희"}
_PERSONAL_PARTICLES = {"JKS", "JKG", "JKO", "JX"}
_EMBEDDED_Q = {"는지", "ᆫ지", "은지", "ᆯ지", "을지", "던지", "지"}
_TELL_STEMS = {"알리", "가르치", "말하", "알아보", "알아내", "찾아보", "설명하"}
_CHECK_NOUNS = {"확인", "검색", "체크", "조회", "설명"}
_CHECK_VERBS = {"찾", "보", "살피", "보이"}
_WH = {
    "뭐", "무엇", "어디", "언제", "누구", "누", "얼마", "얼마나", "얼마만큼", "몇", "며칠", "무어", "어느", "무슨",
    "어떤", "어떻", "어떻게", "왜", "뭔",
}
_DEGREE = {"얼마나", "얼마만큼", "어느"}
_BENEFACTIVE = {"주", "드리", "주시"}
# a question word asks for a thing; the keyword query names it (언제 오니 -> 오는 날짜, 어떻게 가니 -> 가는 방법)
_WH_HEAD = {
    "언제": "날짜", "어디": "장소", "왜": "이유", "누구": "사람", "누": "사람", "어떻": "방법", "어떻게": "방법",
    "얼마나": "정도", "며칠": "날짜",
}
_BACKGROUND_EC = {
    "니까", "으니까", "니", "으니", "는데", "ᆫ데", "은데", "다며", "다면서", "다니", "라며", "라니", "대",
}
_OBLIGATION_EC = {"어야", "아야", "야", "면", "으면"}
_COUNTER_HEAD = {
    "시": "시간", "시간": "시간", "월": "날짜", "일": "날짜", "요일": "요일", "분": "시간", "번": "횟수",
    "도": "", "퍼센트": "", "프로": "", "%": "",
}
# a measure ("몇 도", "몇 퍼센트") asks the value of the noun before it: no head noun, no predicate
_MEASURE = {k for k, v in _COUNTER_HEAD.items() if not v}
_QUESTION_END = {
    "니", "냐", "나", "나요", "까", "ᆯ까", "을까", "ᆯ까요", "을까요", "는가", "ᆫ가", "ᆫ가요", "는가요",
    "습니까", "ᆸ니까", "냐고", "지", "죠", "던가", "더냐",
}
_IMPERATIVE_END = {
    "라", "어라", "아라", "거라", "렴", "으렴", "려무나", "자", "세요", "으세요", "십시오", "으십시오",
    "ᆸ시다", "읍시다", "자고", "시오", "게", "자구",
    # "같이 갈래" asks the listener to do it: an invitation, not a yes/no question
    "ᆯ래", "을래", "ᆯ래요", "을래요",
}


@dataclass
class _Tok:
    form: str
    tag: str
    start: int
    end: int
    word: int


def _is_wh(t: _Tok) -> bool:
    return t.form in _WH and not t.tag.startswith(("J", "E", "X"))


class KeywordNormalizer:
    """Conversational utterance -> keyword query (see module docstring)."""

    def __init__(self, kiwi: Any | None = None) -> None:
        self._kiwi = kiwi or get_kiwi()

    def normalize(self, utterance: str) -> str:
        return self.normalize_batch([utterance])[0]

    def normalize_batch(self, utterances: list[str]) -> list[str]:
        results = self._kiwi.tokenize(list(utterances))
        return [self._normalize_one(text, list(tokens)) for text, tokens in zip(utterances, results, strict=True)]

    # -- pipeline -----------------------------------------------------------------------------------

    def _normalize_one(self, text: str, raw: list[Any]) -> str:
        toks = self._flatten(text, raw)
        toks = [t for t in toks if not (t.form in _FILLERS and t.tag.startswith("MA"))]
        toks = self._drop_pronouns(toks)
        toks = self._main_sentence(toks)
        if not toks:
            return " ".join(text.split())
        kind, head_noun = None, None
        for _ in range(6):
            toks, changed, frame_kind = self._drop_frame(toks)
            if not changed:
                break
            kind = frame_kind
            if frame_kind and frame_kind.startswith("wh:"):
                kind, head_noun = None, frame_kind[3:]
        if not toks:
            return " ".join(text.split())
        if head_noun is None:
            toks, head_noun = self._wh_relative(toks)
            kind = "relative" if head_noun else kind
        if not toks:
            return head_noun or " ".join(text.split())
        head_start, head = self._reinflect(text, toks, kind)
        if head_noun and not head.endswith(head_noun):
            head = f"{head} {head_noun}".strip()
        body = self._surfaces(text, toks[:head_start])
        if body and head.startswith("하") and head_start > 0 and toks[head_start - 1].tag == "NNG":
            # "환기 해줘" -> "환기하기": a verbal noun and its 하다 are one keyword
            head = body.pop() + head
        return " ".join(p for p in [*body, head] if p).strip() or " ".join(text.split())

    @staticmethod
    def _flatten(text: str, raw: list[Any]) -> list[_Tok]:
        out, word, last_end = [], 0, None
        for t in raw:
            if out and t.form == "지" and t.tag == "NNB" and out[-1].tag == "ETM":
                # "오는 지" is the embedded-question ending written apart
                prev = out.pop()
                out.append(_Tok(prev.form + "지", "EC", prev.start, t.start + t.len, prev.word))
                last_end = t.start + t.len
                continue
            if last_end is not None and text[last_end : t.start].strip() == "" and t.start > last_end:
                word += 1
            tag = t.tag
            if tag == "VX" and out and out[-1].tag == "EC" and out[-1].form in _EMBEDDED_Q - {"지"}:
                tag = "VV"  # "심한지 봐 줘": 보다 checks the embedded question, it is not an auxiliary
            out.append(_Tok(t.form, tag, t.start, t.start + t.len, word))
            last_end = max(last_end or 0, t.start + t.len)
        return out

    @staticmethod
    def _drop_pronouns(toks: list[_Tok]) -> list[_Tok]:
        words: dict[int, list[_Tok]] = {}
        for t in toks:
            words.setdefault(t.word, []).append(t)
        drop = {
            w for w, ts in words.items()
            if ts[0].tag == "NP" and ts[0].form in _PERSONAL and all(t.tag in _PERSONAL_PARTICLES for t in ts[1:])
        }
        kept = [t for t in toks if t.word not in drop]
        return kept if any(t.tag.startswith(("NN", "V", "XR", "SL", "SN")) for t in kept) else toks

    @staticmethod
    def _last_unit(toks: list[_Tok]) -> int:
        """Index where the final predicate unit starts (its word plus auxiliary words after it)."""
        i = len(toks) - 1
        word = toks[i].word
        while i > 0 and toks[i - 1].word == word:
            i -= 1
        while i > 0 and (toks[i].tag == "VX" or toks[i].tag in _ENDINGS) and toks[i - 1].tag in {"EC", "ETM"}:
            word = toks[i - 1].word
            while i > 0 and toks[i - 1].word == word:
                i -= 1
        return i

    def _drop_frame(self, toks: list[_Tok]) -> tuple[list[_Tok], bool, str | None]:
        n = len(toks)
        unit = self._last_unit(toks)
        head = toks[unit]
        before = toks[unit - 1] if unit > 0 else None
        # modal: "-ㄹ 수 있니" / "-ㄹ 수 있을까"
        for i in range(n - 1, 1, -1):
            modal = toks[i].form in {"있", "없"} and toks[i - 1].form == "수" and toks[i - 1].tag == "NNB"
            if modal and toks[i - 2].tag == "ETM" and all(t.tag in _ENDINGS for t in toks[i + 1 :]) and i > 2:
                return toks[: i - 2], True, "request"
        if before is None:
            return toks, False, None
        if head.form in {"알", "그렇"} and head.tag.startswith("V") and toks[-1].form in {"지", "죠"}:
            return toks[:unit], True, None
        embedded = before.tag == "EC" and before.form in _EMBEDDED_Q
        nominal = before.tag.startswith(("NN", "NP", "XSN", "SN", "SL")) or before.tag in {"JKO", "JX"}
        is_tell = head.tag.startswith("VV") and head.form in _TELL_STEMS and (embedded or nominal)
        is_check = (embedded or nominal) and (
            (head.form in _CHECK_NOUNS and head.tag.startswith("NN") and unit + 1 < n)
            or (head.form in _CHECK_VERBS and head.tag.startswith("VV"))
            or (head.form in {"알", "궁금"} and unit + 1 < n and toks[-1].form in _QUESTION_END | {"어", "아"})
        )
        if is_tell or is_check:
            return toks[:unit], True, None
        # "확인 해 줘" written apart: the checking noun is the word before the 하다 unit
        if head.form == "하" and before.tag.startswith("NN") and before.form in _CHECK_NOUNS and unit > 1:
            noun_start = unit - 1
            prior = toks[noun_start - 1]
            if (prior.tag == "EC" and prior.form in _EMBEDDED_Q) or prior.tag.startswith(("NN", "J")):
                return toks[:noun_start], True, None
        words_unit = toks[unit:]
        if _is_wh(head):
            rest = words_unit[1:]
            if all(t.tag in _ENDINGS | {"VCP", "JKS", "JX", "NNB", "XSN"} for t in rest):
                return self._drop_particles_before(toks[:unit]), True, None
            if head.form in {"뭐", "무엇", "어떻"} or (head.form in _DEGREE and head.tag == "MAG"):
                return self._drop_particles_before(toks[:unit]), True, None
        # wh word in its own word right before the predicate: "뭐가 있니", "얼마나 높지", "어느 정도이니"
        prev_word = before.word
        prev_toks = [t for t in toks[:unit] if t.word == prev_word]
        if prev_toks and prev_toks[0].form == "몇" and head.tag in {"NNB", "NNG", "NR"}:
            cut = unit - len(prev_toks)
            if cut > 0 and all(t.tag in _ENDINGS | {"VCP", "JX", "VA", "VV"} for t in toks[unit + 1 :]):
                return self._drop_particles_before(toks[:cut]), True, f"wh:{_COUNTER_HEAD.get(head.form, '수')}"
        if prev_toks and _is_wh(prev_toks[0]) and (
            prev_toks[0].form in _DEGREE | {"뭐", "무엇"} or head.form in {"정도", "되", "있", "없"}
        ):
            cut = unit - len(prev_toks)
            if cut > 0:
                return self._drop_particles_before(toks[:cut]), True, None
        return toks, False, None

    @staticmethod
    def _main_sentence(toks: list[_Tok]) -> list[_Tok]:
        """Keep the sentence that carries the request: earlier sentences and background clauses
        ("…했다며", "…하니까", "…인데") go, and so do vocatives ("준석아", a trailing "여보")."""
        vocative_words = {t.word for t in toks if t.tag == "JKV"}
        toks = [t for t in toks if t.word not in vocative_words] or toks
        cut = 0
        for i, t in enumerate(toks[:-1]):
            word_ends = toks[i + 1].word != t.word
            if not word_ends:
                continue
            rest_has_pred = any(x.tag.startswith(_PRED) for x in toks[i + 1 :])
            after_mal = i > 0 and (toks[i - 1].form, toks[i - 1].tag) == ("말", "VX")
            declined = t.tag == "EC" and t.form == "고" and after_mal
            if (t.tag == "EF" or (t.tag == "EC" and t.form in _BACKGROUND_EC) or declined) and rest_has_pred:
                cut = i + 1  # "…지 말고 Y": the alternative that is asked for is Y
        toks = toks[cut:]
        # a bare noun after the last sentence ending is a vocative or an afterthought ("들어오세요 여보")
        last_ef = max((i for i, t in enumerate(toks) if t.tag == "EF"), default=None)
        if last_ef is not None and last_ef < len(toks) - 1:
            tail = toks[last_ef + 1 :]
            if not any(t.tag.startswith(_PRED) for t in tail) and all(t.tag.startswith(("NN", "J")) for t in tail):
                toks = toks[: last_ef + 1]
        return toks

    def _wh_relative(self, toks: list[_Tok]) -> tuple[list[_Tok], str | None]:
        """Drop a question word before the final predicate and name what it asks for."""
        unit = self._last_unit(toks)
        preds = [t for t in toks[unit:] if t.tag.startswith(("VV", "VA", "XSV", "XSA", "VX")) and not _is_wh(t)]
        if not preds or toks[-1].tag not in _ENDINGS or (preds[0].form == "되" and len(preds) == 1):
            return toks, None
        for i, t in enumerate(toks):
            noun, end = None, i + 1
            if t.form in _WH_HEAD and _is_wh(t) and t.tag != "MM":
                noun = _WH_HEAD[t.form]
                if t.form == "어떻" and end < len(toks) and toks[end].form == "게":
                    end += 1
                elif t.form == "어떻":
                    noun = None
            elif t.form == "몇" and end < len(toks) and toks[end].tag in {"NNB", "NNG", "SW"}:
                if toks[end].form in _MEASURE and i > 0:
                    return self._drop_particles_before(toks[:i]), ""
                noun = _COUNTER_HEAD.get(toks[end].form, "수")
                end += 1
            if noun is None:
                continue
            while end < len(toks) and toks[end].tag.startswith("J"):
                end += 1
            if t.form == "몇" and all(x.form in {"있", "없", "되"} or x.tag in _ENDINGS for x in toks[end:]):
                return toks[:i], noun  # "몇 개 있니" counts, it does not ask about existence
            if end >= len(toks) or not any(x.tag.startswith(("VV", "VA", "XSV", "XSA", "VX")) for x in toks[end:]):
                return toks, None
            return toks[:i] + toks[end:], noun
        return toks, None

    @staticmethod
    def _drop_particles_before(toks: list[_Tok]) -> list[_Tok]:
        while toks and toks[-1].tag.startswith("J"):
            toks = toks[:-1]
        return toks

    def _reinflect(self, text: str, toks: list[_Tok], kind: str | None) -> tuple[int, str]:
        prohibited = self._prohibition(text, toks)
        if prohibited is not None:
            return prohibited
        unit = self._last_unit(toks)
        span = toks[unit:]
        has_pred = any(t.tag.startswith(_PRED) for t in span)
        if not has_pred or (span[-1].tag not in _ENDINGS and kind is None):
            return unit, " ".join(self._surfaces(text, span, final=True))
        kind = kind or self._sentence_kind(span)
        for j in range(1, len(span) - 1):
            if span[j].tag == "EC" and span[j].form == "지" and span[j + 1].tag == "VX" and span[j + 1].form == "말":
                # prohibition "-지 마(세요)" names what not to do: "나가지 않기"
                lead = [(t.form, t.tag) for t in span[:j] if t.tag not in {"EP"}]
                return unit, self._kiwi.join([*lead, ("지", "EC")]) + " 않기"
        if kind == "embedded":
            return unit, " ".join(self._surfaces(text, span, final=True))
        stem = self._stem(span, kind)
        if not stem or not any(t.tag.startswith(_PRED) or t.tag.startswith("NN") for t in stem):
            return unit, " ".join(self._surfaces(text, span, final=True))
        lead = [(t.form, t.tag) for t in stem]
        if kind == "request":
            return unit, self._kiwi.join([*lead, ("기", "ETN")])
        if kind == "relative":
            past = any(t.tag == "EP" and t.form in {"었", "았", "였"} for t in stem)
            bare = [(t.form, t.tag) for t in stem if t.tag != "EP"]
            stative = stem[-1].tag.startswith(("VA", "XSA", "VCP")) and stem[-1].form not in {"있", "없"}
            return unit, self._kiwi.join([*bare, ("ᆫ" if past or stative else "는", "ETM")])
        # a yes/no question on a verbal noun ("취소 했니") or on existence ("메일 있니") asks "취소 여부"
        if len(stem) == 1 and stem[0].form in {"하", "있"} and unit > 0 and toks[unit - 1].tag.startswith(("NN", "J")):
            return unit, "여부"
        if stem[0].tag == "NNG" and len(stem) > 1 and stem[1].form == "하" and stem[1].tag.startswith(("XSV", "VV")):
            return unit, self._kiwi.join([(stem[0].form, stem[0].tag)]) + " 여부"
        stem = self._resultative(stem)
        lead = [(t.form, t.tag) for t in stem]
        last = stem[-1]
        if last.tag in {"VA", "VA-I", "XSA", "VCP", "VCN"} and last.form not in {"있", "없", "계시"}:
            return unit, self._kiwi.join([*lead, ("ᆫ", "ETM")]) + "지"
        return unit, self._kiwi.join([*lead, ("는지", "EC")])

    def _prohibition(self, text: str, toks: list[_Tok]) -> tuple[int, str] | None:
        """A statement "…하면 안 돼" forbids an act; it is named like "…하지 마": "…하지 않기"."""
        j = len(toks) - 1
        while j > 0 and toks[j].tag in _ENDINGS:
            j -= 1
        if j < 3 or j == len(toks) - 1 or toks[-1].form in _QUESTION_END:
            return None  # "…하면 안 되니" asks for permission, it forbids nothing
        if not (toks[j].form == "되" and toks[j].tag.startswith("V")):
            return None
        neg, cond = toks[j - 1], toks[j - 2]
        if not (neg.form == "안" and neg.tag == "MAG" and cond.tag == "EC" and cond.form in {"면", "으면"}):
            return None
        i = j - 2
        start = i
        while start > 0 and toks[start - 1].word == toks[i].word:
            start -= 1
        lead = [(x.form, x.tag) for x in toks[start:i] if x.tag != "EP"]
        if not lead or not lead[-1][1].startswith(_PRED):
            return None
        if lead[0][1] == "NNG" and len(lead) > 1 and start > 0 and lead[1][0] == "하":
            return start, self._kiwi.join([*lead, ("지", "EC")]) + " 않기"
        if len(lead) == 1 and lead[0][0] == "하" and start > 0 and toks[start - 1].tag == "NNG":
            # "운동 하면 안 돼": the verbal noun joins its 하다
            noun = toks[start - 1]
            return start - 1, noun.form + self._kiwi.join([*lead, ("지", "EC")]) + " 않기"
        return start, self._kiwi.join([*lead, ("지", "EC")]) + " 않기"

    @staticmethod
    def _resultative(stem: list[_Tok]) -> list[_Tok]:
        """A yes/no question on a state "켜져 있니" asks whether it happened: "켜졌는지"."""
        if len(stem) >= 3 and stem[-1].form == "있" and stem[-1].tag == "VX" and stem[-2].tag == "EC":
            return [*stem[:-2], _Tok("었", "EP", stem[-1].start, stem[-1].end, stem[-1].word)]
        return stem

    @staticmethod
    def _sentence_kind(span: list[_Tok]) -> str:
        final = span[-1]
        if final.tag == "EC" and final.form in _EMBEDDED_Q - {"지"}:
            return "embedded"
        if any(t.tag == "VX" and t.form in _BENEFACTIVE for t in span) or final.form in _IMPERATIVE_END:
            return "request"
        if final.form in _QUESTION_END:
            return "question"
        main = next((t for t in span if t.tag.startswith(("VV", "VA", "XSV", "XSA", "VCP"))), None)
        if main is not None and main.tag.startswith(("VV", "XSV")) and main.form not in {"있", "없"}:
            return "request"
        return "question"

    @staticmethod
    def _stem(span: list[_Tok], kind: str) -> list[_Tok]:
        out: list[_Tok] = []
        for i, t in enumerate(span):
            if t.tag == "VX" and t.form in _BENEFACTIVE:
                break
            nxt = span[i + 1] if i + 1 < len(span) else None
            # obligation / sufficiency frames: "내야 돼", "받아 놓아야 해", "가면 돼"
            if t.tag == "EC" and t.form in _OBLIGATION_EC and nxt is not None and nxt.form in {"하", "되"}:
                break
            if t.tag in {"EF", "ETN", "ETM"} or (t.tag == "EC" and i == len(span) - 1):
                break
            if t.tag == "EP" and (kind == "request" or t.form in {"시", "으시", "겠"}):
                continue
            if kind == "request" and t.tag == "VX" and t.form == "보" and out and out[-1].tag == "EC":
                out.pop()
                continue
            out.append(t)
        while out and out[-1].tag == "EC":
            out.pop()
        return out

    @staticmethod
    def _surfaces(text: str, toks: list[_Tok], *, final: bool = False) -> list[str]:
        words: list[list[_Tok]] = []
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
                    and not any(x.tag.startswith(_PRED) or x.tag == "ETM" for x in next_word)
                )
                if (
                    t.tag in _DROP_PARTICLES
                    or (t.tag == "JX" and t.form in _TOPIC_FORMS)
                    or (t.tag == "JKB" and t.form == "에" and noun_next)
                ):
                    end -= 1
                else:
                    break
            kept = [t for t in w[:end] if not (t.tag == "MM" and _is_wh(t))]
            if kept:
                out.append("".join(text[kept[0].start : max(t.end for t in kept)].split()))
        return out
