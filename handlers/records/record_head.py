"""The top part of a record's card: its name, who is responsible, its fields and links, and
its open tasks (a rule on the record made them), within the room its history leaves.

As on a client's card (``handlers.clients.card_head``): the first few open tasks, soonest
first, with how many more; the lists cut, the longest first, each saying what it left out,
so that the card stays within Telegram's limit whatever the fields and tasks hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from aiogram.utils.formatting import Bold, Italic, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.record_queries import RecordCard
from handlers.kit.labels import member_name
from handlers.kit.screen import Rendered, cut_to_fit, utf16_length
from handlers.records.views import extra_lines
from handlers.tasks.card_buttons import task_lines
from storage.models import RecordType

HEADING_ROOM = 60  # "History (1–10 of 12345)" and the line breaks around it


def record_head(card: RecordCard, tz: tzinfo, types: Mapping[int, RecordType], limit: int) -> Text:
    """The top part within ``limit`` UTF-16 units."""
    record = card.record
    title = f"{card.type.emoji} {card.type.singular}: {record.title}"
    manager = member_name(card.manager) if card.manager else _("nobody")
    extra = [as_line(line) for line in extra_lines(card.values, card.links, types)]
    tasks = task_lines(card.open_tasks, tz)

    def head(shown: Sequence[int]) -> Text:
        extra_shown, tasks_shown = shown
        parts: list[Text] = [as_line(Bold(title))]
        if record.archived_at is not None:
            parts.append(as_line(Italic(_("In the archive"))))
        parts.append(as_line(_("Responsible: {name}").format(name=manager)))
        parts += extra[:extra_shown]
        if extra_shown < len(extra):
            parts.append(as_line(_("…more in 🧩 Fields, 🔗 Links")))
        if card.open_tasks:
            parts += [as_line(), as_line(Bold(_("Open tasks"))), *tasks[:tasks_shown]]
            left = card.open_tasks_total - tasks_shown
            if left > 0:
                parts.append(as_line(_("…and {n} more").format(n=left)))
        return Rendered(*parts)

    fitted, _shown = cut_to_fit(head, [len(extra), len(tasks)], limit)
    return fitted


def units(*parts: Text | str) -> int:
    """How long ``parts`` are in Telegram's units."""
    return utf16_length(Text(*parts).render()[0])
