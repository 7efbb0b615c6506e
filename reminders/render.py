"""Turning an outbox row into the message its reader sees, in the reader's language.

Rendering happens when the row is sent, from the current data: a task done in
the meantime is not reminded at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.digest import local_day_bounds
from crm.errors import CrmError
from crm.intake.batch_rows import LEAD_NOTICE, QUEUE_NOTICE
from crm.service import Crm
from handlers.automation.views import NOTICE_KINDS, automation_keyboard, automation_text
from handlers.intake.views import lead_notice
from handlers.kit.labels import role_name
from handlers.reports.digest_views import morning_text, summary_text
from handlers.tasks.views import reminder_message
from reminders.group_views import group_text

TASK_KINDS = ("task_reminder", "task_early", "task_nudge", "task_assigned")


@dataclass
class Rendered:
    text: Text
    reply_markup: InlineKeyboardMarkup | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class UnknownKind(LookupError):
    pass


async def render(crm: Crm, kind: str, payload: dict[str, Any], chat_id: int) -> Rendered | None:
    """The message for an outbox row, or None when there is nothing to say any more.

    Call inside ``i18n.use_locale(reader's language)``.
    """
    if kind == "invite_accepted":
        name = str(payload.get("name") or payload.get("member_id", ""))
        return Rendered(
            Text(
                _("{name} accepted your invitation and joined the team as {role}.").format(
                    name=name, role=role_name(str(payload.get("role", "")))
                )
            )
        )
    if kind in TASK_KINDS:
        view = await crm.reminders.view(int(payload.get("task_id", 0)))
        if view is None or view.task.done_at is not None or view.task.assignee_id != chat_id:
            return None
        tz = view.assignee.timezone if view.assignee else crm.config.default_timezone
        text, keyboard = reminder_message(view, kind, tz)
        return Rendered(text, keyboard)
    if kind in ("client_assigned", "client_deleted", "task_done", "handed_over"):
        return await _notice(crm, kind, payload, chat_id)
    if kind == "deal_assigned":
        return await _deal_assigned(crm, payload, chat_id)
    if kind.startswith("group_"):
        if await crm.groups.get(chat_id) is None:
            return None  # unbound meanwhile
        return Rendered(group_text(kind, payload))
    if kind in NOTICE_KINDS:
        if chat_id < 0 and await crm.groups.get(chat_id) is None:
            return None
        return Rendered(automation_text(kind, payload), automation_keyboard(kind, payload))
    if kind in ("digest", "morning"):
        return await _digest(crm, kind, payload, chat_id)
    if kind in (LEAD_NOTICE, QUEUE_NOTICE):
        return Rendered(*lead_notice(kind, payload))
    raise UnknownKind(kind)


async def _digest(crm: Crm, kind: str, payload: dict[str, Any], chat_id: int) -> Rendered | None:
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    day = date.fromisoformat(str(payload["day"]))
    if kind == "morning":
        start, end = local_day_bounds(day, reader.timezone)
        morning = await crm.digests.morning(reader, start, end)
        return Rendered(morning_text(morning, day, reader.timezone))
    yesterday = day - timedelta(days=1)
    start, end = local_day_bounds(yesterday, reader.timezone)
    summary = await crm.digests.summary(reader, start, end)
    stages = {stage.id: stage for stage in await crm.pipelines.stages()}
    people = {user.id: user for user in await crm.members.team(reader)}
    return Rendered(summary_text(summary, stages, people, crm.config.currency))


async def _deal_assigned(crm: Crm, payload: dict[str, Any], chat_id: int) -> Rendered | None:
    """The "you were given the deal" notice, from current data; nothing if taken back meanwhile."""
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    try:
        card = await crm.deal_queries.card(reader, int(payload.get("deal_id", 0)))
    except CrmError:
        return None
    if card.deal.manager_id != chat_id:
        return None
    return Rendered(
        Text(
            _("You are now responsible for the deal “{title}” (client: {client}).").format(
                title=card.deal.title or "—", client=card.client.name
            )
        )
    )


async def _notice(crm: Crm, kind: str, payload: dict[str, Any], chat_id: int) -> Rendered | None:
    """What a member is told about a change someone else made to what is theirs."""
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    if kind == "client_deleted":
        name = str(payload.get("name", ""))
        return Rendered(Text(_("Your client “{name}” was deleted.").format(name=name)))
    if kind == "handed_over":
        counts = {key: int(payload.get(key, 0)) for key in ("clients", "deals", "tasks")}
        return Rendered(
            Text(
                _(
                    "Handed over to you: {clients} clients, {deals} deals, {tasks} open tasks."
                ).format(**counts)
            )
        )
    if kind == "task_done":
        view = await crm.reminders.view(int(payload.get("task_id", 0)))
        if view is None or view.task.done_at is None:
            return None
        who = view.assignee.full_name if view.assignee else "—"
        return Rendered(
            Text(_("{who} did the task “{title}”.").format(who=who, title=view.task.title))
        )
    try:
        client = await crm.clients.visible(reader, int(payload.get("client_id", 0)))
    except CrmError:
        return None
    if client.manager_id != chat_id:
        return None  # given to someone else meanwhile
    return Rendered(
        Text(_("You are now responsible for the client “{name}”.").format(name=client.name))
    )
