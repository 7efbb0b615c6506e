"""/digest: the summary now, for owners and admins: today so far, and yesterday one tap away."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.digest_days import local_day_bounds
from crm.service import Crm
from handlers.kit.keyboards import button, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from handlers.reports.callbacks import DigestDay, DigestDayCb
from handlers.reports.digest_views import summary_text
from storage.models import User

routes = Routes(__name__)


@routes.message(Command("digest"))
async def digest_now(message: Message, crm: Crm, member: User) -> None:
    if not access.is_staff(member):
        await message.answer(_("The summary is for the owner and admins; /tasks shows your day."))
        return
    await show(message, await digest_screen(crm, member, DigestDay.TODAY))


@routes.callback_query(DigestDayCb.filter())
async def digest_day(
    callback: CallbackQuery, callback_data: DigestDayCb, crm: Crm, member: User
) -> None:
    await show(callback, await digest_screen(crm, member, callback_data.day))


async def digest_screen(crm: Crm, member: User, day: DigestDay) -> Screen:
    """Today from midnight to now (the summary the clock sends covers a whole day: yesterday),
    with a button to the other one. ``crm.digests.summary`` refuses members who are not staff."""
    now = crm.clock.now()
    today = now.astimezone(ZoneInfo(member.timezone)).date()
    stages = {stage.id: stage for stage in await crm.pipelines.stages()}
    people = {user.id: user for user in await crm.members.team(member)}
    if day == DigestDay.TODAY:
        start, _end = local_day_bounds(today, member.timezone)
        # (a second on: what happened this very second counts, and "overdue" is as of now)
        summary = await crm.digests.summary(member, start, now + timedelta(seconds=1))
        until = now.astimezone(ZoneInfo(member.timezone)).strftime("%H:%M")
        text: Text = summary_text(summary, stages, people, crm.config.currency, until=until)
        other = button(_("◀️ Yesterday"), DigestDayCb(day=DigestDay.YESTERDAY))
    else:
        start, end = local_day_bounds(today - timedelta(days=1), member.timezone)
        summary = await crm.digests.summary(member, start, end)
        text = summary_text(summary, stages, people, crm.config.currency)
        other = button(_("Today so far ▶️"), DigestDayCb(day=DigestDay.TODAY))
    return Screen(text, keyboard([other]))
