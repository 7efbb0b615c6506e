"""What a task's dialog says about a when: examples, why a when was refused, and what is kept
of a text whose when was refused.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _

from crm.parsing.when import WhenError, parse_when
from crm.parsing.when_in_line import MAX_WHEN_WORDS, when_ends, when_middles
from handlers.kit.errors import day_problem
from handlers.kit.timeline import shorten


def examples() -> str:
    return _(
        "For example: tomorrow 10:00, in 30 min, 25.12 14:30, next monday 9am, "
        "friday at 15:30, завтра в 10."
    )


def when_problem(error: WhenError, title: str = "") -> str:
    """Why the when was refused; with ``title``, the what that is kept meanwhile."""
    if title:
        kept = _("The task “{title}” is kept: send only when it should be.").format(
            title=shorten(title, 60)
        )
        return f"{_why(error)} {kept} {examples()}"
    if error.code == "in_the_past":
        return _("That moment has already passed. When should it be?") + " " + examples()
    return _why(error) + " " + examples()


def _why(error: WhenError) -> str:
    if error.code == "in_the_past":
        return _("That moment has already passed.")
    return day_problem(error) or _("I couldn't read that as a date and time.")


def kept_text(text: str, now: datetime, tz: str, default_hour: int) -> str:
    """The what of a "when and what" whose when was refused: the words after the longest
    start read as a moment (a past one too), else those before the longest such end, else
    those around a middle one (as ``split_when`` reads them), or all of them when none reads
    as one."""
    words = text.split()
    starts = [
        (" ".join(words[:end]), " ".join(words[end:]))
        for end in range(min(len(words), MAX_WHEN_WORDS), 0, -1)
    ]
    for when, what in [*starts, *when_ends(text), *when_middles(text)]:
        try:
            parse_when(when, now, tz, default_hour, allow_past=True)
        except WhenError as error:
            if error.code not in ("no_such_day", "bad_year"):  # 31.02 is a when, a wrong one
                continue
        return " ".join(what.split())
    return " ".join(words)
