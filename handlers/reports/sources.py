"""/report → By source: which channel brings money, not only leads."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Italic, Text, as_line, as_list
from aiogram.utils.i18n import gettext as _

from crm.intake.source_report import SourceFigures
from crm.service import Crm
from handlers.kit.stages import money
from handlers.reports.callbacks import ReportAction
from handlers.reports.periods import Period
from handlers.reports.views import button, cb, clip, percent, source_label
from storage.models import User

MAX_SOURCES_SHOWN = 30


def sources_text(figures: Sequence[SourceFigures], period: Period, currency: str) -> Text:
    head = Bold(_("📥 Sources: {period}").format(period=period.label()))
    if not figures:
        return as_list(head, _("No new clients or closed deals in this period."))
    lines = [
        as_line(head),
        as_line(Italic(_("new clients · deals opened · won · conversion · won amount"))),
    ]
    for row in figures[:MAX_SOURCES_SHOWN]:
        conversion = percent(row.conversion) if row.conversion is not None else "—"
        lines.append(
            as_line(
                f"{clip(source_label(row.source))}: {row.new_clients} · {row.deals_opened} · "
                f"{row.deals_won} · {conversion} · {money(row.won_amount, currency)}"
            )
        )
    return Text(*lines)


async def sources_screen(
    crm: Crm, member: User, period: Period
) -> tuple[Text, InlineKeyboardMarkup]:
    start, end = period.bounds(member.timezone, crm.clock.now())
    figures = await crm.reports.by_source(member, start, end)
    return sources_text(figures, period, crm.config.currency), sources_keyboard(period)


def sources_keyboard(period: Period) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("◀️ Report"), cb(ReportAction.SHOW, period))]]
    )
