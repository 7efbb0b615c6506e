"""How an archived value becomes a parameter of the target database (``storage.restore``)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any


def _sqlite_moment(text_value: str) -> str:
    """A moment as SQLite keeps it (naive UTC text); one with an offset is converted."""
    moment = datetime.fromisoformat(text_value)
    if moment.tzinfo is None:
        return text_value
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _pg_moment(text_value: str) -> datetime:
    moment = datetime.fromisoformat(text_value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pg_bool(value: Any) -> bool:
    return bool(value)


# (target is SQLite, kind) → how an archived value becomes a parameter; others pass as they are.
DECODERS: dict[tuple[bool, str], Callable[[Any], Any]] = {
    (True, "datetime"): _sqlite_moment,
    (False, "datetime"): _pg_moment,
    (False, "date"): date.fromisoformat,
    (False, "time"): time.fromisoformat,
    (False, "bool"): _pg_bool,
    (True, "base64"): base64.b64decode,
    (False, "base64"): base64.b64decode,
}
