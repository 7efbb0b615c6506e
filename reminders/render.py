"""Turning an outbox row into the message its reader sees, in the reader's language.

Rendering happens when the row is sent, from the current data: a task done in
the meantime is not reminded at all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from aiogram.types import BufferedInputFile
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.access import is_staff
from crm.digest_days import local_day_bounds
from crm.outbox import GROUP_KINDS, TASK_REMINDERS, OutboxKind
from crm.service import Crm
from handlers.automation.views import NOTICE_KINDS, automation_keyboard, automation_text
from handlers.business.views import new_client_notice
from handlers.intake.views import lead_notice
from handlers.kit.labels import member_name, role_name
from handlers.reports.digest_views import morning_text, summary_text
from handlers.tasks.views import reminder_message
from reminders.assigned import card_assigned
from reminders.group_news import group_news
from reminders.render_types import Rendered
from reminders.team_notices import member_changed, missed_reminders
from storage.models import Role

log = logging.getLogger(__name__)

TASK_KINDS = (*TASK_REMINDERS, OutboxKind.TASK_ASSIGNED)


class UnknownKind(LookupError):
    pass


Renderer = Callable[[Crm, OutboxKind, dict[str, Any], int], Awaitable[Rendered | None]]


async def render(crm: Crm, kind: str, payload: dict[str, Any], chat_id: int) -> Rendered | None:
    """The message for an outbox row, or None when there is nothing to say any more.

    Call inside ``i18n.use_locale(reader's language)``.
    """
    try:
        known = OutboxKind(kind)
    except ValueError:
        raise UnknownKind(kind) from None
    return await RENDERERS[known](crm, known, payload, chat_id)


async def _invite_accepted(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    reader = await crm.members.get_active(chat_id)
    if reader is None or not is_staff(reader):
        return None  # deactivated or demoted since: the team's comings are not theirs to hear
    name = str(payload.get("name") or payload.get("member_id", ""))
    return Rendered(
        Text(
            _("{name} accepted your invitation and joined the team as {role}.").format(
                name=name, role=role_name(str(payload.get("role", "")))
            )
        )
    )


async def _bot_left_group(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    return Rendered(
        Text(
            _(
                "I can no longer write to the group “{title}” (I was removed from it, or may "
                "not write there): it is unbound and hears nothing more. To go on, add me "
                "back and send /bind there."
            ).format(title=str(payload.get("title") or ""))
        )
    )


async def _task(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None  # deactivated: refused like a stranger, told nothing of the team's clients
    # Named with its card only if the reader sees it (a client given to another manager since).
    view = await crm.task_views.view(reader, int(payload.get("task_id", 0)))
    if view is None or view.task.done_at is not None or view.task.assignee_id != chat_id:
        return None
    if view.assignee is None or not view.assignee.active:
        return None
    tz = view.assignee.timezone
    text, keyboard = reminder_message(view, kind, tz)
    return Rendered(text, keyboard)


async def _automation(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    if chat_id < 0 and await crm.groups.get(chat_id) is None:
        return None
    return Rendered(automation_text(kind, payload), automation_keyboard(kind, payload, chat_id > 0))


async def _lead(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    """A lead's notice (a name, a phone, a comment): only while its reader is still there."""
    if chat_id < 0:
        if await crm.groups.get(chat_id) is None:
            return None  # unbound meanwhile
    elif await crm.members.get_active(chat_id) is None:
        return None  # left meanwhile
    return Rendered(*lead_notice(kind, payload))


async def _nightly_backup(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    """Tonight's backup, made now: the document itself, or where it went, or why not."""
    reader = await crm.members.get_active(chat_id)
    if reader is None or reader.role != Role.OWNER:
        return None
    try:
        made = await crm.backups.nightly(reader)
    except OSError as error:  # BACKUP_DIR unwritable, not a folder, the disk full
        log.warning("the nightly backup failed: %s", error)
        return Rendered(
            Text(
                _(
                    "🗄 Tonight's backup failed: {reason}. Check the server's free space and "
                    "that BACKUP_DIR in the bot's settings (.env), if set, is a folder the "
                    "bot can write to. The next one is made tomorrow night."
                ).format(reason=str(error))
            )
        )
    size = megabytes(made.size)
    if made.path is not None:
        return Rendered(
            Text(
                _("🗄 Nightly backup saved on the server: {path} ({size}).").format(
                    path=str(made.path), size=size
                )
            )
        )
    if made.file is None:
        return Rendered(
            Text(
                _(
                    "🗄 Tonight's backup is {size}, more than the 50 MB Telegram lets a bot "
                    "send, so it was not sent. Set BACKUP_DIR in the bot's settings (.env) "
                    "to a folder on the server: nightly backups will go there."
                ).format(size=size)
            )
        )
    caption = _(
        "🗄 Nightly backup: the whole base, {rows} rows. Restore it with python -m bot restore FILE."
    ).format(rows=made.rows)
    return Rendered(
        Text(caption), document=BufferedInputFile(made.file.data, filename=made.file.name)
    )


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


async def _business_client(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    if await crm.members.get_active(chat_id) is None:
        return None
    return Rendered(*new_client_notice(payload))


async def _digest(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    day = date.fromisoformat(str(payload["day"]))
    if kind == OutboxKind.MORNING:
        start, end = local_day_bounds(day, reader.timezone)
        morning = await crm.digests.morning(reader, start, end)
        return Rendered(morning_text(morning, day, reader.timezone))
    if not is_staff(reader):
        return None  # no longer an owner or admin: the team's summary is not theirs to read
    yesterday = day - timedelta(days=1)
    start, end = local_day_bounds(yesterday, reader.timezone)
    summary = await crm.digests.summary(reader, start, end)
    stages = {stage.id: stage for stage in await crm.pipelines.stages()}
    people = {user.id: user for user in await crm.members.team(reader)}
    return Rendered(summary_text(summary, stages, people, crm.config.currency))


async def _notice(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    """What a member is told about a change someone else made to what is theirs."""
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    if kind == OutboxKind.CLIENT_DELETED:
        name = str(payload.get("name", ""))
        return Rendered(Text(_("Your client “{name}” was deleted.").format(name=name)))
    if kind == OutboxKind.HANDED_OVER:
        keys = ("clients", "deals", "records", "tasks")
        counts = {key: int(payload.get(key, 0)) for key in keys}
        told = _(
            "Handed over to you: clients {clients}, deals {deals}, records {records}, "
            "open tasks {tasks}."
        )
        return Rendered(Text(told.format(**counts)))
    if kind == OutboxKind.TASK_CANCELLED:
        by = await crm.members.get_active(int(payload.get("by", 0)))
        return Rendered(
            Text(
                _("{who} cancelled the task “{title}”.").format(
                    who=member_name(by) if by else "—", title=str(payload.get("title", ""))
                )
            )
        )
    view = await crm.task_views.view(reader, int(payload.get("task_id", 0)))  # TASK_DONE
    if view is None or view.task.done_at is None:
        return None
    # Whoever ticked it off (an owner or admin may, for its assignee), else its assignee.
    doer = await crm.members.get_active(int(payload.get("by") or 0)) or view.assignee
    who = member_name(doer) if doer else "—"
    return Rendered(Text(_("{who} did the task “{title}”.").format(who=who, title=view.task.title)))


# Every kind has its renderer here (tests/test_outbox_kinds.py checks).
RENDERERS: dict[OutboxKind, Renderer] = {
    OutboxKind.INVITE_ACCEPTED: _invite_accepted,
    OutboxKind.BOT_LEFT_GROUP: _bot_left_group,
    OutboxKind.NIGHTLY_BACKUP: _nightly_backup,
    OutboxKind.BUSINESS_NEW_CLIENT: _business_client,
    **dict.fromkeys(TASK_KINDS, _task),
    **dict.fromkeys(
        (
            OutboxKind.CLIENT_DELETED,
            OutboxKind.TASK_DONE,
            OutboxKind.TASK_CANCELLED,
            OutboxKind.HANDED_OVER,
        ),
        _notice,
    ),
    **dict.fromkeys(
        (OutboxKind.CLIENT_ASSIGNED, OutboxKind.DEAL_ASSIGNED, OutboxKind.RECORD_ASSIGNED),
        card_assigned,
    ),
    **dict.fromkeys((OutboxKind.ROLE_CHANGED, OutboxKind.ACCESS_CHANGED), member_changed),
    OutboxKind.MISSED_REMINDERS: missed_reminders,
    **dict.fromkeys(GROUP_KINDS, group_news),
    **dict.fromkeys(NOTICE_KINDS, _automation),
    **dict.fromkeys((OutboxKind.DIGEST, OutboxKind.MORNING), _digest),
    **dict.fromkeys((OutboxKind.LEAD_NEW, OutboxKind.LEAD_QUEUE), _lead),
}
