"""/report → By field: won and lost per option of a deal list or yes/no field
("won by product line"), for the report's period."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Italic, Text, as_line, as_list
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.field_report import REPORT_TYPES, FieldFigures
from crm.field_rules import options_of
from crm.parsing.fields import FieldType
from crm.service import Crm
from handlers.kit.screen import fitting
from handlers.kit.stages import money
from handlers.kit.timeline import shorten
from handlers.reports.callbacks import ReportAction, ReportCb
from handlers.reports.periods import Period, period_of
from handlers.reports.views import MAX_TEXT, Screen, button, cb, clip
from storage.models import FieldDef, User

MAX_FIELD_BUTTON = 40
MAX_ROWS = 60  # at most; fewer when they would not fit Telegram's 4096 UTF-16 units


async def fields_screen(crm: Crm, period: Period) -> Screen:
    """The deal fields a report can group by."""
    fields = [f for f in await crm.fields.of(CardKind.DEAL) if f.type in REPORT_TYPES]
    rows = [
        [
            button(
                shorten(field.name, MAX_FIELD_BUTTON),
                field_cb(ReportAction.BY_FIELD, period, field.id),
            )
        ]
        for field in fields
    ]
    rows.append([button(_("◀️ Report"), cb(ReportAction.SHOW, period))])
    text = (
        _("Group the deals closed in {period} by a field:")
        if fields
        else _(
            "No deal field of a list or yes/no type yet: the owner adds one in "
            "/settings → Fields and record types."
        )
    )
    return Text(text.format(period=period.label())), InlineKeyboardMarkup(inline_keyboard=rows)


def value_label(field: FieldDef, value: int | None) -> str:
    if value is None:
        return _("not set")
    if field.type == FieldType.YES_NO:
        return _("yes") if value else _("no")
    names = {o.id: o.name for o in options_of(field)}
    return names.get(value, "?")


def figures_text(
    field: FieldDef, figures: list[FieldFigures], period: Period, currency: str
) -> Text:
    head = Bold(_("🧩 {field}: {period}").format(field=field.name, period=period.label()))
    if not figures:
        return as_list(head, _("No deals were closed in this period."))
    lines = [as_line(head), as_line(Italic(_("won · won amount · lost")))]
    rows = [
        as_line(
            f"{clip(value_label(field, row.value))}: "
            f"{row.won} · {money(row.won_amount, currency)} · {row.lost}"
        )
        for row in figures
    ]
    tail = []
    if field.type == FieldType.MULTI_CHOICE:
        tail.append(as_line(Italic(_("A deal with several options counts under each."))))

    def more(left: int) -> list[Text]:
        return [as_line(_("…and {count} more.").format(count=left))]

    # the last rows left out until it fits Telegram's limit (emoji count twice)
    return fitting(lines, rows[:MAX_ROWS], tail, MAX_TEXT, more, total=len(rows))[0]


async def by_field_screen(crm: Crm, member: User, data: ReportCb) -> Screen:
    """The fields to choose from, or the figures for the chosen one (the button's field id
    and days are untrusted: the days are checked here, the field by the CRM)."""
    period = period_of(data)
    if data.action is ReportAction.FIELDS:
        return await fields_screen(crm, period)
    start, end = period.bounds(member.timezone, crm.clock.now())
    field, figures = await crm.reports.by_field(member, data.field_id, start, end)
    rows = [
        [
            button(_("◀️ Fields"), cb(ReportAction.FIELDS, period)),
            button(_("◀️ Report"), cb(ReportAction.SHOW, period)),
        ]
    ]
    text = figures_text(field, figures, period, crm.config.currency)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def field_cb(action: ReportAction, period: Period, field_id: int) -> str:
    """A report button that also names a field."""
    data = ReportCb.unpack(cb(action, period))
    return data.model_copy(update={"field_id": field_id}).pack()
