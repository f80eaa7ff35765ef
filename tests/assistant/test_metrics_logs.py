"""JSON log lines: one object per line, the request id bound to the context, PII masked in message and traceback."""

from __future__ import annotations

import json
import logging

from assistant.logs import JsonFormatter, RequestIdFilter, request_id_var


def _format(message: str, *args: object, exc: BaseException | None = None) -> dict:
    record = logging.LogRecord("assistant.test", logging.WARNING, __file__, 1, message, args,
                               (type(exc), exc, exc.__traceback__) if exc else None)
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_log_line_is_json_with_the_bound_request_id() -> None:
    token = request_id_var.set("req-42")
    try:
        line = _format("turn stored in %d ms", 12)
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "req-42" and line["message"] == "turn stored in 12 ms"
    assert line["level"] == "warning" and line["logger"] == "assistant.test" and line["time"].endswith("Z")


def test_log_line_without_a_request_has_a_null_request_id() -> None:
    assert _format("background work")["request_id"] is None


def test_phone_numbers_and_emails_are_masked_in_messages_and_tracebacks() -> None:
    try:
        raise ValueError("bad contact minji@example.com")
    except ValueError as exc:
        line = _format("user said %r", "제 번호는 010-1234-5678이에요", exc=exc)
    assert "010-1234-5678" not in line["message"] and "[전화번호]" in line["message"]
    assert "minji@example.com" not in line["exception"] and "[이메일]" in line["exception"]
    assert "한국어" in _format("한국어 그대로")["message"]
