"""Hand-written code against the well-kept library that could replace it: cost per call and, for PII, what each finds.

1. JSON log lines: `assistant.logs.JsonFormatter` (hand-written, PII masked, request id) against a
   `pythonjsonlogger.json.JsonFormatter` emitting the same fields through the same masking.
2. Korean phone numbers: `generation.filters` (regex) against `phonenumbers.PhoneNumberMatcher(text, "KR")`, on
   labelled sentences: numbers that must be found, and digit runs that must not (dates, order and account numbers).
3. Card checksums: the hand-written Luhn in `generation.filters` against `stdnum.luhn.is_valid`.
Usage: python -m benchmarks.library_swaps [--out benchmarks/results/library_swaps.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.logs import JsonFormatter
from generation.filters import _luhn_ok, find_pii, mask_pii

PHONES = ["제 번호는 010-1234-5678이에요", "전화 주세요 01012345678", "사무실 02-345-6789로 연락",
          "+82 10 9876 5432 입니다", "고객센터 1588-1234", "031)123-4567 팩스", "010.2222.3333로 문자"]
NOT_PHONES = ["주문번호 2024051812345678", "계좌 110-234-567890", "2024-05-18 10:30에 만나요", "우편번호 06236",
              "가격은 1,234,000원", "회원번호 123456"]


def per_call_us(fn: Callable[[], Any], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return round((time.perf_counter() - started) / n * 1e6, 2)


def logs() -> dict[str, float]:
    from pythonjsonlogger.json import JsonFormatter as LibraryFormatter

    class Masked(LibraryFormatter):
        def process_log_record(self, log_record: dict[str, Any]) -> dict[str, Any]:
            log_record["message"] = mask_pii(str(log_record.get("message", "")))[0]
            return log_record

    record = logging.LogRecord("assistant.pipeline", logging.INFO, __file__, 1, "turn %s stored for %s", ("abc",
                               "010-1234-5678"), None)
    record.request_id = "req-1"
    ours, theirs = JsonFormatter(), Masked("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
    assert json.loads(ours.format(record))["message"] == json.loads(theirs.format(record))["message"]
    return {"hand_written_us": per_call_us(lambda: ours.format(record), 20_000),
            "python_json_logger_us": per_call_us(lambda: theirs.format(record), 20_000)}


def phones() -> dict[str, Any]:
    import phonenumbers

    def ours(text: str) -> bool:
        return any(kind == "전화번호" for kind, _ in find_pii(text))

    def theirs(text: str) -> bool:
        return any(True for _ in phonenumbers.PhoneNumberMatcher(text, "KR"))

    result: dict[str, Any] = {}
    for name, fn in (("regex", ours), ("phonenumbers", theirs)):
        result[name] = {"found": sum(fn(t) for t in PHONES), "of": len(PHONES),
                        "false_positives": [t for t in NOT_PHONES if fn(t)],
                        "us_per_sentence": per_call_us(lambda fn=fn: [fn(t) for t in PHONES + NOT_PHONES], 500)
                        / len(PHONES + NOT_PHONES)}
    return result


def luhn() -> dict[str, float]:
    from stdnum import luhn as stdnum_luhn

    number = "4539578763621486"
    assert _luhn_ok(number) == stdnum_luhn.is_valid(number)
    return {"hand_written_us": per_call_us(lambda: _luhn_ok(number), 50_000),
            "python_stdnum_us": per_call_us(lambda: stdnum_luhn.is_valid(number), 50_000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/library_swaps.json"))
    args = parser.parse_args()
    results = {"uptime": os.popen("uptime").read().strip(), "json_logs": logs(), "phones": phones(), "luhn": luhn()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
