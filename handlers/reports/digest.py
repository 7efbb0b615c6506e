"""/digest: the daily summary now, for owners and admins (to check it, or when it was missed)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.digest import local_day_bounds
from crm.service import Crm
from handlers.kit.routes import Routes
from handlers.reports.digest_views import summary_text
from storage.models import User

routes = Routes(__name__)


@routes.message(Command("digest"))
async def digest_now(message: Message, crm: Crm, member: User) -> None:
    if not access.is_staff(member):
        await message.answer(_("The summary is for the owner and admins; /tasks shows your day."))
        return
    today = crm.clock.now().astimezone(ZoneInfo(member.timezone)).date()
    start, end = local_day_bounds(today - timedelta(days=1), member.timezone)
    summary = await crm.digests.summary(member, start, end)
    stages = {stage.id: stage for stage in await crm.pipelines.stages()}
    people = {user.id: user for user in await crm.members.team(member)}
    text = summary_text(summary, stages, people, crm.config.currency)
    await message.answer(**text.as_kwargs())
