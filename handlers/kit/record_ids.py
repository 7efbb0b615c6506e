"""Ids in a button: whatever a forged button carries, a number the database takes.

A record's id is a positive 32-bit integer (a member's, a Telegram user id, 64-bit).
An id out of its range cannot name anything, so it becomes 0, which names nothing
either: the press is then answered like any record that no longer exists, instead
of overflowing the database driver.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator


def _within(limit: int) -> BeforeValidator:
    def bounded(value: Any) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return value  # not a number at all: pydantic refuses it as usual
        return number if 0 <= number < limit else 0

    return BeforeValidator(bounded)


RecordId = Annotated[int, _within(2**31)]
MemberId = Annotated[int, _within(2**63)]
