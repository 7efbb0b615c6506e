"""/deals: the pipeline at a glance, each open stage's deals, and three filters.

Every screen is described by its ``DealsCb``: the stage, the page and the
filters packed as letters (``m`` only mine, ``s`` stale, ``c`` expected to close
this month). The data is untrusted: unknown letters are dropped, the stage is
looked up again on each press and the CRM decides which deals the member sees.

By default a member sees all the deals they can see (a manager: those of the
clients visible to them); "only mine" narrows that to the deals they are
responsible for, for owners and managers alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.deal_queries import DealFilter, DealLine, Overview, month_bounds
from crm.pipeline import StageView
from crm.service import Crm
from handlers.deals.callbacks import (
    DealAction,
    DealCb,
    DealFieldsAction,
    DealFieldsCb,
    DealsAction,
    DealsCb,
)
from handlers.imports.callbacks import ExportWhat, export_button
from handlers.kit import field_filters
from handlers.kit.alerts import alert
from handlers.kit.keyboards import MENU_DEALS
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import STAGE_ICONS, money, stage_name
from storage.models import User

routes = Routes(__name__)

PRIVATE = F.chat.type == "private"
PER_PAGE = 8
MAX_PAGE = 10_000  # a forged page beyond this is read as the first
MAX_BUTTON = 64
LETTERS = ("m", "s", "c")  # mine, stale, closing this month: the order they are packed in
STALE_MARK = "💤"

Screen = tuple[Text, InlineKeyboardMarkup]


class StageGone(Exception):
    """The pressed stage is not an open stage of the pipeline (deleted, closed or forged)."""


def parse_filters(packed: str) -> DealFilter:
    """The filters a button carries; letters it does not know are ignored. After ``|``:
    custom field filters (``handlers.kit.field_filters.pack``)."""
    letters, _sep, custom = packed.partition("|")
    return DealFilter(
        mine="m" in letters,
        stale="s" in letters,
        closing_this_month="c" in letters,
        fields=field_filters.unpack(custom),
    )


def pack_filters(filters: DealFilter) -> str:
    flags = (filters.mine, filters.stale, filters.closing_this_month)
    letters = "".join(letter for letter, on in zip(LETTERS, flags, strict=True) if on)
    return f"{letters}|{field_filters.pack(filters.fields)}" if filters.fields else letters


def is_filtered(filters: DealFilter) -> bool:
    return filters != DealFilter()


def month_range(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Local midnight of the 1st of the reader's month and of the next, as aware datetimes.

    They stay in the reader's zone: as instants they equal their UTC forms (the
    storage layer converts them), and the CRM reads their ``.date()`` as the
    calendar bounds for the expected-close filter, which in UTC would be a day
    early east of Greenwich.
    """
    zone = ZoneInfo(timezone)
    first, following = month_bounds(now.astimezone(zone).date())
    return datetime.combine(first, time(), zone), datetime.combine(following, time(), zone)


def describe(filters: DealFilter) -> str:
    """The chosen filters in one line, always shown in the message."""
    parts = [_("only my deals") if filters.mine else _("all deals you can see")]
    if filters.stale:
        parts.append(_("stale: no activity for longer than the stage allows"))
    if filters.closing_this_month:
        parts.append(_("expected to close this month"))
    return _("Showing: {filters}").format(filters=" · ".join(parts))


def tally(count: int, amount: int, currency: str) -> str:
    """``3 · 150,000 ₽``; a bare ``0`` when there is nothing to add up."""
    return f"{count} · {money(amount, currency)}" if count else "0"


def cb(action: DealsAction, filters: DealFilter, stage_id: int = 0, page: int = 0) -> str:
    return DealsCb(action=action, stage_id=stage_id, page=page, f=pack_filters(filters)).pack()


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text[:MAX_BUTTON], callback_data=data)


def toggle(label: str, filters: DealFilter, name: str) -> InlineKeyboardButton:
    """A filter's button: ticked when on; it carries the filters with this one flipped."""
    on = bool(getattr(filters, name))
    flags: dict[str, Any] = {name: not on}
    flipped = replace(filters, **flags)
    return button(f"✅ {label}" if on else label, cb(DealsAction.SHOW, flipped))


def fit(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(room - 1, 0)] + "…"


async def overview_screen(crm: Crm, member: User, filters: DealFilter) -> Screen:
    start, end = month_range(crm.clock.now(), member.timezone)
    kept, custom = await field_filters.pruned(crm, CardKind.DEAL, filters.fields)
    filters = replace(filters, fields=kept)
    seen = await crm.deal_queries.overview(member, filters, start, end)
    currency = crm.config.currency
    blocks: list[Text] = [as_list(Bold(_("💼 Deals")), describe(filters), *custom)]
    if seen.open_count:
        stages = (
            Text(
                f"{STAGE_ICONS['open']} ",
                stage_name(t.stage),
                ": ",
                tally(t.count, t.amount, currency),
            )
            for t in seen.stages
        )
        total = tally(seen.open_count, seen.open_amount, currency)
        blocks.append(as_list(*stages, Bold(_("Open: {deals}").format(deals=total))))
    elif is_filtered(filters):
        blocks.append(Text(_("No open deals match these filters.")))
    else:
        blocks.append(Text(_("No open deals.")))
    if not filters.stale:  # a closed deal is never stale: the lines would only say 0
        won = tally(seen.won_count, seen.won_amount, currency)
        lost = tally(seen.lost_count, seen.lost_amount, currency)
        blocks.append(
            as_list(
                _("🏆 Won this month: {deals}").format(deals=won),
                _("❌ Lost this month: {deals}").format(deals=lost),
            )
        )
    return as_list(*blocks, sep="\n\n"), _overview_keyboard(seen, filters)


def _overview_keyboard(seen: Overview, filters: DealFilter) -> InlineKeyboardMarkup:
    rows = [
        [button(f"{stage_name(t.stage)} · {t.count}", cb(DealsAction.STAGE, filters, t.stage.id))]
        for t in seen.stages
        if t.count
    ]
    rows.append(
        [toggle(_("👤 Only mine"), filters, "mine"), toggle(_("💤 Stale"), filters, "stale")]
    )
    fields = DealFieldsCb(action=DealFieldsAction.FIELDS, f=pack_filters(filters)).pack()
    rows.append(
        [
            toggle(_("📅 Closing this month"), filters, "closing_this_month"),
            button(field_filters.fields_label(len(filters.fields)), fields),
        ]
    )
    tools = [button(_("🔄 Refresh"), cb(DealsAction.SHOW, filters))]
    if is_filtered(filters):
        tools.append(button(_("✖️ Reset filters"), cb(DealsAction.SHOW, DealFilter())))
    rows.append(tools)
    rows.append([export_button(ExportWhat.DEALS, f=pack_filters(filters))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def stage_screen(
    crm: Crm, member: User, stage_id: int, filters: DealFilter, page: int
) -> Screen:
    stage = next(
        (s for s in await crm.pipelines.stages() if s.id == stage_id and s.kind == "open"), None
    )
    if stage is None:
        raise StageGone()
    start, end = month_range(crm.clock.now(), member.timezone)
    kept, custom = await field_filters.pruned(crm, CardKind.DEAL, filters.fields)
    filters = replace(filters, fields=kept)
    page = page if 0 <= page <= MAX_PAGE else 0
    lines, total = await crm.deal_queries.on_stage(
        member, stage.id, filters, start, end, page, PER_PAGE
    )
    pages = max(1, -(-total // PER_PAGE))
    if page >= pages:  # deals left the stage since the button was made
        page = pages - 1
        lines, total = await crm.deal_queries.on_stage(
            member, stage.id, filters, start, end, page, PER_PAGE
        )
    now = crm.clock.now()
    stale = [_is_stale(line, stage, now) for line in lines]
    parts: list[Text | str] = [
        Bold(f"{STAGE_ICONS['open']} {stage_name(stage)}: {total}"),
        describe(filters),
        *custom,
    ]
    if lines:
        parts.append(
            _("Page {page} of {pages}, latest activity first. Tap a deal to open it.").format(
                page=page + 1, pages=pages
            )
        )
        if any(stale) and not filters.stale:  # with the filter on, the line above says it
            parts.append(
                _("{mark} no activity for longer than the stage allows.").format(mark=STALE_MARK)
            )
    elif is_filtered(filters):
        parts.append(_("No deals on this stage match these filters."))
    else:
        parts.append(_("No deals on this stage."))
    rows = [
        [
            InlineKeyboardButton(
                text=_deal_label(line, is_stale),
                callback_data=DealCb(action=DealAction.OPEN, deal_id=line.deal.id).pack(),
            )
        ]
        for line, is_stale in zip(lines, stale, strict=True)
    ]
    nav = []
    if page > 0:
        nav.append(button("◀️", cb(DealsAction.STAGE, filters, stage.id, page - 1)))
    if page < pages - 1:
        nav.append(button("▶️", cb(DealsAction.STAGE, filters, stage.id, page + 1)))
    if nav:
        rows.append(nav)
    rows.append([button(_("◀️ Back to the overview"), cb(DealsAction.SHOW, filters))])
    return as_list(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def _is_stale(line: DealLine, stage: StageView, now: datetime) -> bool:
    """As the CRM's stale filter has it: a limit on the stage, and no activity for longer."""
    if not stage.stale_days:
        return False
    return line.deal.last_activity_at < now - timedelta(days=stage.stale_days)


def _deal_label(line: DealLine, stale: bool) -> str:
    """``💤 Title · Client · 150,000 ₽`` within a button; the client only if it differs."""
    deal = line.deal
    names = deal.title if deal.title == line.client_name else f"{deal.title} · {line.client_name}"
    prefix = f"{STALE_MARK} " if stale else ""
    suffix = f" · {money(deal.amount_minor, deal.currency)}"
    return prefix + fit(names, MAX_BUTTON - len(prefix) - len(suffix)) + suffix


@routes.message(Command("deals"), PRIVATE)
@routes.message(F.text == MENU_DEALS, PRIVATE)
async def deals_command(message: Message, crm: Crm, member: User) -> None:
    text, keyboard = await overview_screen(crm, member, DealFilter())
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.callback_query(DealsCb.filter())
async def deals_button(
    callback: CallbackQuery, callback_data: DealsCb, crm: Crm, member: User
) -> None:
    filters = parse_filters(callback_data.f)
    if callback_data.action is DealsAction.SHOW:
        await show(callback, *await overview_screen(crm, member, filters))
        return
    try:
        screen = await stage_screen(
            crm, member, callback_data.stage_id, filters, callback_data.page
        )
    except StageGone:  # not a refusal: the overview as it is now, and why
        await show(callback, *await overview_screen(crm, member, filters))
        await alert(callback, _("This stage no longer exists."))
        return
    await show(callback, *screen)
