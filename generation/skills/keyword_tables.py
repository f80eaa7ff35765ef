"""Closed-class tables and the token type of the keyword normaliser (see `keywords`).

Contract: constants only name closed classes of Korean morphology (Kiwi tags, endings, particles, function
words, question words, counters); nothing here is keyed to example utterances. `Tok` is one Kiwi morpheme with
its character span and the index of the whitespace word it belongs to; tokens the rules synthesise (a tense or
question ending put back after a construction is removed) reuse the span of the morpheme they replace, so
surfaces cut from the text stay whole words.
"""

from __future__ import annotations

from dataclasses import dataclass

ENDINGS = {"EF", "EC", "ETN", "ETM", "EP"}
PRED = ("VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA")
DROP_PARTICLES = {"JKS", "JKG", "JKO"}
TOPIC_FORMS = {"은", "는", "ᆫ"}
FILLERS = {"좀", "혹시"}
# first/second-person pronouns are stopwords for a search query ("내가 보낸 메일" -> "보낸 메일")
PERSONAL = {"나", "저", "너", "니", "네", "당신", "자기", "우리", "저희", "너희"}
PERSONAL_PARTICLES = {"JKS", "JKG", "JKO", "JX"}
EMBEDDED_Q = {"는지", "ᆫ지", "은지", "ᆯ지", "을지", "던지", "지"}
TELL_STEMS = {"알리", "가르치", "말하", "알아보", "알아내", "찾아보", "설명하"}
CHECK_NOUNS = {"확인", "검색", "체크", "조회", "설명"}
CHECK_VERBS = {"찾", "보", "살피", "보이"}
WH = {
    "뭐", "무엇", "어디", "언제", "누구", "누", "얼마", "얼마나", "얼마만큼", "몇", "며칠", "무어", "어느", "무슨",
    "어떤", "어떻", "어떻게", "왜", "뭔",
}
# determiners that ask which one ("어느 은행", "어떤 게") and the nouns that mean just "one of them"
WH_DETERMINERS = {"어느", "어떤", "무슨"}
THING_NOUNS = {"것", "거", "쪽", "편"}
DEGREE = {"얼마나", "얼마만큼", "어느"}
BENEFACTIVE = {"주", "드리", "주시"}
# a question word asks for a thing; the keyword query names it (언제 오니 -> 오는 날짜, 어떻게 가니 -> 가는 방법)
WH_HEAD = {
    "언제": "날짜", "어디": "장소", "왜": "이유", "누구": "사람", "누": "사람", "어떻": "방법", "어떻게": "방법",
    "얼마나": "정도", "며칠": "날짜",
}
BACKGROUND_EC = {
    "니까", "으니까", "니", "으니", "는데", "ᆫ데", "은데", "다며", "다면서", "다니", "라며", "라니", "대",
}
OBLIGATION_EC = {"어야", "아야", "야", "면", "으면"}
# the conditions a prohibition puts on an act: "가면 안 돼", "가서는 안 돼"
FORBIDDING_EC = {"면", "으면", "어서", "아서", "서"}
# verbs that themselves forbid what their object names ("촬영을 금합니다", "반입 금지"): a closed handful of
# words, used only for sentences the learned type calls prohibitions
FORBID_STEMS = {"금하", "금지", "삼가", "자제"}
COUNTER_HEAD = {
    "시": "시간", "시간": "시간", "월": "날짜", "일": "날짜", "요일": "요일", "분": "시간", "번": "횟수",
    "도": "", "퍼센트": "", "프로": "", "%": "",
}
# a measure ("몇 도", "몇 퍼센트") asks the value of the noun before it: no head noun, no predicate
MEASURE = {k for k, v in COUNTER_HEAD.items() if not v}
QUESTION_END = {
    "니", "냐", "나", "나요", "까", "ᆯ까", "을까", "ᆯ까요", "을까요", "는가", "ᆫ가", "ᆫ가요", "는가요",
    "습니까", "ᆸ니까", "냐고", "지", "죠", "던가", "더냐",
}
IMPERATIVE_END = {
    "라", "어라", "아라", "거라", "렴", "으렴", "려무나", "자", "세요", "으세요", "십시오", "으십시오",
    "ᆸ시다", "읍시다", "자고", "시오", "게", "자구",
    # "같이 갈래" asks the listener to do it: an invitation, not a yes/no question
    "ᆯ래", "을래", "ᆯ래요", "을래요",
}

# a clause + 것 + copula: the relative endings it takes, and the final endings that ask (besides QUESTION_END)
THING_ETM = {"는", "은", "ᆫ", "ᆯ", "을"}
THING_ASK = {"야", "예요", "에요", "어", "아", "요", "ᆫ데", "ᆫ데요"}
# words that join offered options: "A할까 아니면 B할까"
OR_WORDS = {"아니면", "아님", "혹은", "또는", "아니"}
# final endings Kiwi reads as connectives when another sentence follows ("같이 가자 곧 끝나잖아")
FINAL_READ_AS_EC = {"자", "냐", "ᆯ까", "을까", "ᆯ래", "을래", "세요", "으세요", "어라", "아라"}
# SAE4K's sentence types, in the order of its labels (0-5): what a learned classifier hints to the rules
SENTENCE_TYPES = ("yes/no", "alternative", "wh", "prohibition", "request", "strong request")
# the sentence kind of the re-inflection (`keyword_inflect.sentence_kind`) each type fixes, where it fixes one
HINT_KIND = {"yes/no": "question", "request": "request", "strong request": "request"}
# the prospective "-ㄹ" of "할 거야" / "할까", carried as a prefinal marker until re-inflection ("할지", "할 것")
FUTURE_EP = {"ᆯ"}


@dataclass
class Tok:
    form: str
    tag: str
    start: int
    end: int
    word: int


def ending_key(form: str) -> str:
    """An ending without its vowel-harmony / epenthetic variation ("을까" = "ᆯ까", "아" = "어")."""
    if form.startswith("을"):
        form = "ᆯ" + form[1:]
    if form.startswith("으"):
        form = form[1:]
    return {"아": "어", "아요": "어요"}.get(form, form)


def ending_keys(clause: list[Tok]) -> list[str]:
    """The endings that close a clause (prefinal and final), normalised."""
    out: list[str] = []
    for t in reversed(clause):
        if t.tag not in {"EP", "EF", "EC"}:
            break
        out.append(ending_key(t.form))
    return out


def is_wh(t: Tok) -> bool:
    return t.form in WH and not t.tag.startswith(("J", "E", "X"))
