"""JSON log lines with the request id and PII masked (`configure_logging(fmt="json")`): every line, every library.

Every record gets `request_id` from `request_id_var` (bound per HTTP request by the API middleware), so one
request's lines can be found across the API and, through the id it sends on, its backends. The message and
any exception text are passed through generation's PII masking (phone numbers, e-mail addresses, resident
registration and card numbers become `[kind]`), so user text quoted in a log line never leaks those.
In JSON mode every line the process writes is one JSON object: uvicorn gets no handlers of its own (`assistant serve`
passes `log_config=None`), every library logger that installed its own handler (DeepSpeed, alembic) is stripped of
it and propagates to the one root handler (`adopt_library_loggers`, run again once the services are built),
`warnings` go through logging, and progress bars (tqdm, Hugging Face) are off (`TQDM_DISABLE`,
`HF_HUB_DISABLE_PROGRESS_BARS`): a bar is not a log line.
"""

from __future__ import annotations

import json
import logging
import os
import time
from contextvars import ContextVar

from generation.filters import mask_pii

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_pii(record.getMessage())[0],
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        if record.exc_info:
            body["exception"] = mask_pii(self.formatException(record.exc_info))[0]
        return json.dumps(body, ensure_ascii=False)


def adopt_library_loggers() -> None:
    """Every logger created so far writes through the root handler only (libraries that add their own lose it)."""
    root = logging.getLogger()
    for logger in [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]:
        if logger is not root and logger.handlers:
            logger.handlers = []
            logger.propagate = True


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """Route the root logger (and uvicorn's) to one stderr handler in `fmt` ("json" or "text")."""
    if fmt == "json":
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        logging.captureWarnings(True)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    if fmt == "json":
        adopt_library_loggers()
