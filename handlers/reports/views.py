"""How /report looks: its periods, the figures as one message, and the keyboards.

A period is a span of whole days in the reader's time zone. The presets are the
current calendar day, week, month and quarter up to now; typed days are read by
``crm.parsing.report_period`` (``01.10–31.10``, ``01.10.2026–31.10.2026``).
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Italic, Text, as_list
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.context import get_i18n
from babel.numbers import format_decimal, format_percent

from crm.reports import Report
from handlers.kit.screen import utf16_length
from handlers.kit.stages import money, reason_said, stage_name
from handlers.reports.callbacks import Preset, ReportAction, ReportCb
from handlers.reports.periods import Period, pack_day

MAX_TEXT = 4096  # Telegram's limit, in UTF-16 code units
NAME_ROOM = 60  # characters of a reason, source or name shown in the message
TOPS = (10, 5, 3)  # lines per list tried, longest first, until the message fits

Screen = tuple[Text, InlineKeyboardMarkup]


def cb(action: ReportAction, period: Period | None = None, preset: Preset | None = None) -> str:
    if period is None:
        return ReportCb(action=action, preset=preset).pack()
    return ReportCb(
        action=action,
        preset=period.preset,
        first=pack_day(period.first),
        last=pack_day(period.last),
    ).pack()


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def menu_screen() -> Screen:
    text = as_list(Bold(_("📊 Reports")), _("Choose a period (days in your time zone):"))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("Today"), cb(ReportAction.PERIOD, preset=Preset.TODAY)),
                button(_("This week"), cb(ReportAction.PERIOD, preset=Preset.WEEK)),
            ],
            [
                button(_("This month"), cb(ReportAction.PERIOD, preset=Preset.MONTH)),
                button(_("This quarter"), cb(ReportAction.PERIOD, preset=Preset.QUARTER)),
            ],
            [button(_("✏️ Type the days"), cb(ReportAction.TYPE))],
        ]
    )
    return text, keyboard


def period_prompt() -> Screen:
    text = Text(
        _(
            "Send the period as 01.10–31.10 or 01.10.2026–31.10.2026, or one day as 01.10. "
            "At most a year. Days are counted in your time zone."
        )
    )
    return text, InlineKeyboardMarkup(
        inline_keyboard=[[button(_("◀️ Periods"), cb(ReportAction.MENU))]]
    )


def report_keyboard(period: Period) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("📈 Charts"), cb(ReportAction.CHARTS, period)),
                button(_("📄 XLSX"), cb(ReportAction.XLSX, period)),
                button(_("📥 By source"), cb(ReportAction.SOURCES, period)),
            ],
            [
                button(_("🧩 By field"), cb(ReportAction.FIELDS, period)),
                button(_("🔄 Refresh"), cb(ReportAction.SHOW, period)),
                button(_("◀️ Periods"), cb(ReportAction.MENU)),
            ],
        ]
    )


# --- the figures, formatted for the reader ------------------------------------------------


def percent(share: float) -> str:
    return format_percent(share, locale=get_i18n().current_locale)


def days_text(days: float) -> str:
    return format_decimal(round(days, 1), format="#,##0.#", locale=get_i18n().current_locale)


def clip(text: str) -> str:
    return text if len(text) <= NAME_ROOM else text[: NAME_ROOM - 1] + "…"


def member_label(member_id: int | None, names: dict[int, str]) -> str:
    if member_id is None:
        return _("no manager")
    return names.get(member_id) or _("member {id}").format(id=member_id)


def source_label(source: str | None) -> str:
    return source or _("no source")


def sources_in_order(report: Report) -> list[tuple[str | None, int]]:
    """Most clients first, "no source" last among equals, on every database.

    (SQL puts NULL first on SQLite and last on PostgreSQL when it orders by source.)
    """
    return sorted(report.clients_by_source, key=lambda row: (-row[1], row[0] is None, row[0] or ""))


def tally(count: int, amount: int, currency: str) -> str:
    return f"{count} · {money(amount, currency)}"


def report_text(
    report: Report, period: Period, names: dict[int, str], currency: str, own_only: bool
) -> Text:
    """The whole report as one message, its lists shortened until it fits Telegram's limit."""
    for top in TOPS:
        text = _report_text(report, period, names, currency, own_only, top)
        if telegram_length(text) <= MAX_TEXT:
            break
    return text


def telegram_length(text: Text) -> int:
    """How long Telegram counts ``text``: in UTF-16 code units."""
    return utf16_length(str(text.as_kwargs()["text"]))


def _report_text(
    report: Report, period: Period, names: dict[int, str], currency: str, own_only: bool, top: int
) -> Text:
    head: list[Text | str] = [Bold(_("📊 Report: {period}").format(period=period.label()))]
    if own_only:
        head.append(Italic(_("Your own deals and clients.")))
    blocks: list[Text] = [as_list(*head), _funnel_block(report)]
    no_data = _("—")
    win_rate = percent(report.win_rate) if report.win_rate is not None else no_data
    average = money(report.average_won, currency) if report.average_won is not None else no_data
    to_won = (
        days_text(report.average_days_to_won) if report.average_days_to_won is not None else no_data
    )
    blocks.append(
        as_list(
            Bold(_("Closed in the period")),
            _("🏆 Won: {deals}").format(deals=tally(report.won_count, report.won_amount, currency)),
            _("❌ Lost: {deals}").format(
                deals=tally(report.lost_count, report.lost_amount, currency)
            ),
            _("Win rate: {share}").format(share=win_rate),
            _("Average won deal: {amount}").format(amount=average),
            _("Average days from creation to won: {days}").format(days=to_won),
        )
    )
    blocks.append(
        _list_block(
            _("Lost reasons"),
            [f"{clip(reason_said(r))}: {tally(c, a, currency)}" for r, c, a in report.lost_reasons],
            top,
        )
    )
    blocks.append(
        _list_block(
            _("Won by member"),
            [
                f"{clip(member_label(m, names))}: {tally(c, a, currency)}"
                for m, c, a in report.won_by_member
            ],
            top,
        )
    )
    blocks.append(
        _list_block(
            _("New clients by source"),
            [f"{clip(source_label(s))}: {c}" for s, c in sources_in_order(report)],
            top,
        )
    )
    return as_list(*blocks, sep="\n\n")


def _funnel_block(report: Report) -> Text:
    lines: list[Text | str] = [
        Bold(_("Funnel: deals created in the period, {count}").format(count=report.created)),
    ]
    if not report.funnel:
        lines.append(_("No stages."))
    for step in report.funnel:
        line = f"{clip(stage_name(step.stage))}: {step.reached}"
        if step.conversion is not None:
            line += f" → {percent(step.conversion)}"
        lines.append(line)
    if len(report.funnel) > 1:
        lines.append(Italic(_("→ the share that reached the next stage")))
    return as_list(*lines)


def _list_block(title: str, lines: list[str], top: int) -> Text:
    if not lines:
        return as_list(Bold(title), _("none"))
    shown: list[Text | str] = [Bold(title), *lines[:top]]
    if len(lines) > top:
        shown.append(_("…and {count} more (see the XLSX)").format(count=len(lines) - top))
    return as_list(*shown)
