"""What a question before deleting a stage, a field or a template adds when automation rules
use it: they will stop working (a rule keeps what it uses by id, and is not changed)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import ngettext

NAMES_SHOWN = 5  # a rule's name is up to 100 characters; the question stays short


def rules_in_use(names: Sequence[str]) -> str:
    """The warning naming the rules that use what is deleted; "" when none does."""
    if not names:
        return ""
    shown = ", ".join(f"«{name}»" for name in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += ", …"
    return ngettext(
        "⚠️ {n} automation rule uses it and will stop working: {names}.",
        "⚠️ {n} automation rules use it and will stop working: {names}.",
        len(names),
    ).format(n=len(names), names=shown)
