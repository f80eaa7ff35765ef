"""LM query rewriting: the few-shot prompt, the Protocol the LM is reached through, and output validation.

Contract: `build_messages(history, utterance)` makes a chat prompt in the style of the HyperCLOVA
query-modification task (rewrite the last user utterance so it stands alone; keep Korean; do not answer;
return it unchanged when it already stands alone). `validate(...)` accepts an LM output only when it is one
non-empty line, within the length bound, in Korean when the utterance is, and introduces no content word that
is in neither the utterance nor the history (an answer would); otherwise it says why, and the injector
keeps the rule result. `dst` never imports an LM: `assistant` wires one in through `RewriteLM`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from dst.analysis import Analyzer
from dst.types import HistoryTurn, Role


@runtime_checkable
class RewriteLM(Protocol):
    async def complete(self, messages: list[dict[str, str]], *, max_new_tokens: int) -> str: ...


SYSTEM_PROMPT = (
    "당신은 대화 맥락을 반영해 사용자의 마지막 발화를 독립적인 질의로 고쳐 쓰는 모듈입니다.\n"
    "규칙:\n"
    "1. 지시어(그거, 거기, 그때, 그 사람 등)와 생략된 말을 앞선 대화의 구체적인 표현으로 채웁니다.\n"
    "2. 질문에 답하지 말고, 고쳐 쓴 발화 한 줄만 출력합니다.\n"
    "3. 한국어로 쓰고, 원래 말투와 의도를 유지합니다.\n"
    "4. 이미 독립적인 발화(인사, 감사, 새로운 주제)는 그대로 출력합니다."
)
# Examples written for this prompt; their entities are deliberately unlike any evaluation set.
FEW_SHOT: tuple[tuple[tuple[tuple[Role, str], ...], str, str], ...] = (
    ((("user", "이번 주 일요일 대전 날씨 알려줘"), ("assistant", "일요일 대전은 흐리고 비가 와요.")),
     "청주는?", "이번 주 일요일 청주 날씨 알려줘"),
    ((("user", "갤럭시 Z 플립 배터리 용량이 얼마야?"), ("assistant", "3,700mAh예요.")),
     "그거 무게는?", "갤럭시 Z 플립 무게는?"),
    ((("user", "봉준호 감독 최근 영화 뭐야?"), ("assistant", "미키 17이에요.")),
     "그 영화 개봉일 알려줘", "미키 17 개봉일 알려줘"),
    ((("user", "내일 오후 2시에 회의 잡아줘"), ("assistant", "내일 오후 2시로 회의를 잡았어요.")),
     "고마워", "고마워"),
)


def _format_history(history: Sequence[HistoryTurn]) -> str:
    names = {"user": "사용자", "assistant": "시스템"}
    return "\n".join(f"{names[t.role]}: {t.text.strip()}" for t in history if t.text.strip())


def _query(history: Sequence[HistoryTurn], utterance: str) -> str:
    return f"[대화]\n{_format_history(history)}\n[마지막 발화]\n{utterance.strip()}\n[고쳐 쓴 발화]"


def build_messages(history: Sequence[HistoryTurn], utterance: str) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for turns, last, rewritten in FEW_SHOT:
        shot = [HistoryTurn(role, text) for role, text in turns]
        messages.append({"role": "user", "content": _query(shot, last)})
        messages.append({"role": "assistant", "content": rewritten})
    messages.append({"role": "user", "content": _query(history, utterance)})
    return messages


_LABEL = re.compile(r"^\s*(?:\[?고쳐 쓴 발화\]?|재작성|rewrite|답|출력)\s*[:：]\s*", re.IGNORECASE)
_HANGUL = re.compile(r"[가-힣]")
_CONTENT_TAGS = ("NNP", "NNG", "SL", "SN", "SH")


def clean_output(raw: str) -> str:
    """First non-empty line, without a leading label or wrapping quotes."""
    line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
    line = _LABEL.sub("", line).strip()
    if len(line) >= 2 and line[0] == line[-1] and line[0] in "\"'“”":
        line = line[1:-1].strip()
    return line.strip("“”")


def validate(
    output: str, utterance: str, history: Sequence[HistoryTurn], *, max_chars: int, analyzer: Analyzer
) -> str | None:
    """None when `output` is an acceptable rewrite of `utterance`, else the reason it is not."""
    if not output:
        return "empty output"
    if len(output) > max_chars:
        return f"longer than {max_chars} characters"
    if _HANGUL.search(utterance) and not _HANGUL.search(output):
        return "not in Korean"
    context = utterance + "\n" + "\n".join(t.text for t in history)
    novel = [
        t.form for t in analyzer.analyze(output).tokens
        if t.pos in _CONTENT_TAGS and t.form not in context and t.form not in utterance
    ]
    if novel:
        return f"adds words found in neither the utterance nor the history (an answer?): {novel[:5]}"
    return None
