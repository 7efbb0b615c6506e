"""Log set-up: plain lines, or one JSON object a line with ``LOG_FORMAT=json``."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: str, console: bool = False) -> None:
    """Log lines on stderr. In the console only warnings and worse, so the conversation
    reads cleanly; the scheduler's line for every tick of the clock is never logged."""
    if console and logging.getLevelNamesMapping()[level] < logging.WARNING:
        level = "WARNING"
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every update at INFO with the handler's time; ours says it once, without ids.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # The scheduler would log every tick (and every tick skipped while one drains a backlog).
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
