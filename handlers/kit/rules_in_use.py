"""What a question before deleting a stage, a field or a template adds when automation rules
use it: they will stop working (a rule keeps what it uses by id, and is not changed); and,
before a stage's deals are moved to another, the rules their move does not set off."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import ngettext

NAMES_SHOWN = 5  # a rule's name is up to 100 characters; the question stays short


def rules_in_use(names: Sequence[str]) -> str:
    """The warning naming the rules that use what is deleted; "" when none does."""
    if not names:
        return ""
    return ngettext(
        "⚠️ {n} automation rule uses it and will stop working: {names}.",
        "⚠️ {n} automation rules use it and will stop working: {names}.",
        len(names),
    ).format(n=len(names), names=_shown(names))


def rules_not_set_off(target: str, names: Sequence[str]) -> str:
    """Before a stage is deleted: the rules for deals entering ``target``, which its deals moved
    there do not set off (a bulk move, as an import); "" when there are none."""
    if not names:
        return ""
    return ngettext(
        "ℹ️ The moved deals will not set off the rule for deals entering {target} "
        "(as with an import): {names}.",
        "ℹ️ The moved deals will not set off the rules for deals entering {target} "
        "(as with an import): {names}.",
        len(names),
    ).format(target=target, names=_shown(names))


def _shown(names: Sequence[str]) -> str:
    shown = ", ".join(f"«{name}»" for name in names[:NAMES_SHOWN])
    return shown + ", …" if len(names) > NAMES_SHOWN else shown
