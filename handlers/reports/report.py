"""/report: a period's funnel, win rate, lost reasons, who won what, new clients by source;
the same as pictures (📈 Charts) and as a workbook (📄 XLSX).

Owners and admins see the whole team; a manager gets the same report about their
own deals and clients (the CRM does the narrowing). Every button carries its
period's days; they are untrusted and checked again on each press.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.reports import Report
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.keyboards import MENU_REPORTS
from handlers.kit.labels import member_name
from handlers.kit.once import forget_screen, once
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import money, reason_said, stage_name
from handlers.reports import charts as charts
from handlers.reports.by_field import by_field_screen
from handlers.reports.callbacks import ReportAction, ReportCb
from handlers.reports.periods import (
    Period,
    StaleButton,
    period_of,
    pressed_period,
    today_of,
    typed_period,
)
from handlers.reports.sources import sources_screen
from handlers.reports.states import ReportFlow
from handlers.reports.views import (
    Screen,
    member_label,
    menu_screen,
    percent,
    period_prompt,
    report_keyboard,
    report_text,
    source_label,
    sources_in_order,
)
from handlers.reports.xlsx import Cell, Column, Sheet, workbook_bytes
from storage.models import User

routes = Routes(__name__)
log = logging.getLogger(__name__)

PRIVATE = F.chat.type == "private"


@routes.message(Command("report"), PRIVATE)
@routes.message(F.text == MENU_REPORTS, PRIVATE)
async def report_command(message: Message) -> None:
    text, keyboard = menu_screen()
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


# A press from a group (forged: reports are only sent in private) is left to the fallback.
@routes.callback_query(ReportCb.filter(), F.message.chat.type == "private")
async def report_button(
    callback: CallbackQuery,
    callback_data: ReportCb,
    crm: Crm,
    member: User,
    state: FSMContext,
    bot: Bot,
) -> None:
    action = callback_data.action
    if action is not ReportAction.TYPE and await state.get_state() == ReportFlow.period.state:
        await state.set_state(None)
    files = action in (ReportAction.CHARTS, ReportAction.XLSX)
    if not files:  # a screen anew on this message: its files may be asked for again
        await forget_screen(callback, state)
    try:
        if action is ReportAction.MENU:
            await show(callback, *menu_screen())
        elif action is ReportAction.TYPE:
            await show(callback, *period_prompt())
            await state.set_state(ReportFlow.period)
        elif action in (ReportAction.PERIOD, ReportAction.SHOW):
            if action is ReportAction.PERIOD and callback_data.preset is None:
                raise StaleButton()
            chosen = pressed_period(callback_data, today_of(crm.clock.now(), member.timezone))
            await show(callback, *await report_screen(crm, member, chosen))
        elif action is ReportAction.SOURCES:
            await show(callback, *await sources_screen(crm, member, period_of(callback_data)))
        elif action in (ReportAction.FIELDS, ReportAction.BY_FIELD):
            await show(callback, *await by_field_screen(crm, member, callback_data))
        else:  # the charts or the workbook, once per press of the message's button
            send = send_charts if action is ReportAction.CHARTS else send_xlsx
            what = f"{action.value}:{callback_data.first}:{callback_data.last}"
            chat, period = _chat_id(callback), period_of(callback_data)
            await once(callback, state, what, lambda: send(bot, chat, crm, member, period))
    except StaleButton:  # days that make no sense: not the CRM's refusal, the button's
        await alert(callback, _("This button is no longer active."))
    except ChartsNotDrawn:  # said so, not "try again"; the press can be made again
        await alert(
            callback,
            _(
                "I could not draw the charts for this period. The same figures are in the "
                "report above and in 📄 XLSX."
            ),
        )


@routes.message(ReportFlow.period, F.text, ~F.text.startswith("/"))
async def typed_days(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    chosen = typed_period(message.text or "", today_of(crm.clock.now(), member.timezone))
    if chosen is None:
        await message.answer(
            _(
                "I could not read that period. Send it as 01.10–31.10 or "
                "01.10.2026–31.10.2026 (at most a year), or /cancel."
            )
        )
        return
    await state.set_state(None)
    text, keyboard = await report_screen(crm, member, chosen)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(ReportFlow.period, ~F.text)
async def days_not_text(message: Message) -> None:
    await message.answer(_("Send the period as text, for example 01.10–31.10, or /cancel."))


# --- the report, its pictures and its workbook ---------------------------------------------


async def _figures(crm: Crm, member: User, period: Period) -> tuple[Report, dict[int, str]]:
    start, end = period.bounds(member.timezone, crm.clock.now())
    report = await crm.reports.report(member, start, end)
    if access.is_staff(member):
        names = {user.id: member_name(user) for user in await crm.members.team(member)}
    else:
        names = {member.id: member_name(member)}
    return report, names


async def report_screen(crm: Crm, member: User, period: Period) -> Screen:
    report, names = await _figures(crm, member, period)
    own_only = not access.is_staff(member)
    text = report_text(report, period, names, crm.config.currency, own_only)
    return text, report_keyboard(period)


async def won_per_week(crm: Crm, member: User, period: Period) -> list[tuple[str, int]]:
    """(label, won amount in minor units) for each ISO week of the period, up to now.

    One query for the whole period; the deals are put into weeks by their close
    date in the reader's time zone.
    """
    now = crm.clock.now()
    start, end = period.bounds(member.timezone, now)
    zone = ZoneInfo(member.timezone)
    by_monday: dict[date, int] = defaultdict(int)
    for closed_at, amount in await crm.reports.won_amounts(member, start, end):
        day = closed_at.astimezone(zone).date()
        by_monday[day - timedelta(days=day.weekday())] += amount
    weeks: list[tuple[str, int]] = []
    monday = period.first - timedelta(days=period.first.weekday())
    while monday <= period.last:
        part = Period(max(monday, period.first), min(monday + timedelta(days=6), period.last))
        if part.bounds(member.timezone, now)[0] >= now:
            break
        label = _("W{week}").format(week=monday.isocalendar().week)
        weeks.append((f"{label}\n{part.first:%d.%m}", by_monday.get(monday, 0)))
        monday += timedelta(days=7)
    return weeks


class ChartsNotDrawn(Exception):
    """Drawing a report's picture failed (logged): the member is told, nothing was sent."""


async def send_charts(bot: Bot, chat_id: int, crm: Crm, member: User, period: Period) -> None:
    await bot.send_chat_action(chat_id, "upload_photo")
    report, _names = await _figures(crm, member, period)
    weeks = await won_per_week(crm, member, period)
    currency = crm.config.currency
    notes = [
        f"{step.reached} → {percent(step.conversion)}"
        if step.conversion is not None
        else str(step.reached)
        for step in report.funnel
    ]
    try:
        funnel = await asyncio.to_thread(
            charts.funnel_png,
            [stage_name(step.stage) for step in report.funnel],
            [step.reached for step in report.funnel],
            notes,
            _("Funnel: deals created in the period"),
        )
        weekly = await asyncio.to_thread(
            charts.weekly_png,
            [label for label, _amount in weeks],
            [amount / 100 for _label, amount in weeks],
            [money(amount, currency) for _label, amount in weeks],
            _("Won per week"),
            _("Won, {currency}").format(currency=currency),
        )
    except Exception as exc:
        log.exception("the charts of %s–%s could not be drawn", period.first, period.last)
        raise ChartsNotDrawn() from exc
    label = period.label()
    await bot.send_photo(
        chat_id,
        BufferedInputFile(funnel, filename="funnel.png"),
        caption=_("📈 Funnel · {period}").format(period=label),
    )
    await bot.send_photo(
        chat_id,
        BufferedInputFile(weekly, filename="won-per-week.png"),
        caption=_("📈 Won per week · {period}").format(period=label),
    )


async def send_xlsx(bot: Bot, chat_id: int, crm: Crm, member: User, period: Period) -> None:
    await bot.send_chat_action(chat_id, "upload_document")
    report, names = await _figures(crm, member, period)
    data = await asyncio.to_thread(workbook_bytes, report_sheets(report, period, names, crm))
    name = f"report-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    await bot.send_document(
        chat_id,
        BufferedInputFile(data, filename=name),
        caption=_("📄 Report · {period}").format(period=period.label()),
    )


def report_sheets(report: Report, period: Period, names: dict[int, str], crm: Crm) -> list[Sheet]:
    """Funnel, Summary, Lost reasons, By member, Sources: every row, nothing shortened."""
    amount = _("Amount, {currency}").format(currency=crm.config.currency)
    summary: list[tuple[str, Cell]] = [
        (_("Period"), Cell(period.label(), "text")),
        (_("Deals created"), Cell(report.created, "count")),
        (_("Won deals"), Cell(report.won_count, "count")),
        (_("Won amount"), Cell(report.won_amount, "money")),
        (_("Lost deals"), Cell(report.lost_count, "count")),
        (_("Lost amount"), Cell(report.lost_amount, "money")),
        (_("Win rate"), Cell(report.win_rate, "percent")),
        (_("Average won deal"), Cell(report.average_won, "money")),
        (_("Average days from creation to won"), Cell(report.average_days_to_won, "days")),
    ]
    return [
        Sheet(
            _("Funnel"),
            [Column(_("Stage")), Column(_("Reached"), "count"), Column(_("To next"), "percent")],
            [[stage_name(s.stage), s.reached, s.conversion] for s in report.funnel],
        ),
        Sheet(
            _("Summary"),
            [Column(_("Figure")), Column(_("Value"))],
            [[label, value] for label, value in summary],
        ),
        Sheet(
            _("Lost reasons"),
            [Column(_("Reason")), Column(_("Deals"), "count"), Column(amount, "money")],
            [[reason_said(reason), count, sum_] for reason, count, sum_ in report.lost_reasons],
        ),
        Sheet(
            _("By member"),
            [Column(_("Member")), Column(_("Won deals"), "count"), Column(amount, "money")],
            [[member_label(m, names), count, sum_] for m, count, sum_ in report.won_by_member],
        ),
        Sheet(
            _("Sources"),
            [Column(_("Source")), Column(_("New clients"), "count")],
            [[source_label(source), count] for source, count in sources_in_order(report)],
        ),
    ]


# --- showing -------------------------------------------------------------------------------


def _chat_id(callback: CallbackQuery) -> int:
    """The private chat with the person who pressed: reports never go anywhere else."""
    return callback.from_user.id
