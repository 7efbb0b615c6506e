"""How a deal's card looks, and putting it on screen. Shared by the deal routers."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from zoneinfo import ZoneInfo

from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Italic, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.access import is_staff
from crm.cards import CardKind, CardRef
from crm.deal_queries import DealCard
from crm.errors import Conflict, CrmError
from crm.service import Crm
from handlers.clients.callbacks import ClientCb
from handlers.clients.card import name_deal_managers
from handlers.deals.callbacks import DealAction, DealCb
from handlers.kit.errors import quoting
from handlers.kit.history_page import HistoryPage, history_page
from handlers.kit.keyboards import button as kit_button
from handlers.kit.labels import member_name
from handlers.kit.refused import on_refusal
from handlers.kit.screen import show
from handlers.kit.stages import money, progress, reason_said, stage_name
from handlers.kit.timeline import event_line, shorten
from handlers.kit.whole_text import read_whole_rows
from handlers.records.common import card_lines
from handlers.records.views import card_buttons
from handlers.tasks.card_buttons import with_task_rows
from handlers.tasks.views import task_button
from handlers.templates.views import send_button
from storage.models import User

MAX_BUTTON_TITLE = 40


async def deal_screen(
    crm: Crm, member: User, deal_id: int, page: int = 0
) -> tuple[Text, InlineKeyboardMarkup]:
    """The card as a screen, its history from the ``page``-th event (0: the newest).
    Opening it makes it the member's open card, so what they type next lands in this
    deal's history and not on a card they looked at before."""
    card = await crm.deal_queries.card(member, deal_id, first=page)
    await crm.timeline.open_card(member, card.client.id, deal_id)
    await name_deal_managers(crm, card.events, card.actors)
    extra = await card_lines(crm, member, CardRef(CardKind.DEAL, deal_id), card.deal)
    tasks = await crm.task_edits.open_of_deal(member, card.deal.id)  # one tap opens a task
    text, history = render_deal(card, member, card.first, extra)  # (a page past the end: the last)
    markup = with_task_rows(deal_keyboard(card, member, card.first, history), tasks, member)
    return text, markup


async def refresh_deal(
    callback: CallbackQuery, crm: Crm, member: User, deal_id: int, page: int = 0
) -> None:
    await show(callback, *await deal_screen(crm, member, deal_id, page))


async def send_deal(message: Message, crm: Crm, member: User, deal_id: int) -> None:
    """The card as a new message (after something typed)."""
    await show(message, *await deal_screen(crm, member, deal_id))


def on_deal_refusal(
    callback: CallbackQuery, crm: Crm, member: User, deal_id: int, page: int = 0
) -> AbstractAsyncContextManager[None]:
    """Around a press's use case: refused because the deal changed under the reader
    (a ``Conflict``), the card is shown as it is now; ``Refusals`` then says why."""

    async def show_as_it_is(error: CrmError) -> None:
        if isinstance(error, Conflict):
            with contextlib.suppress(CrmError):
                await refresh_deal(callback, crm, member, deal_id, page)

    return on_refusal(show_as_it_is)


def render_deal(
    card: DealCard, reader: User, page: int = 0, extra: Sequence[str] = ()
) -> tuple[Text, HistoryPage | None]:
    """The card's text, and the page of its history shown (None: no history yet).
    ``extra``: lines of custom fields and links (handlers.records)."""
    deal, tz = card.deal, ZoneInfo(reader.timezone)
    parts: list[Text] = [as_line(Bold("💼 ", deal.title))]
    parts.append(as_line(_("Client: {name}").format(name=card.client.name)))
    parts.append(as_line(progress(card.stages, card.stage.id), " ", Bold(stage_name(card.stage))))
    parts.append(
        as_line(_("Amount: {amount}").format(amount=money(deal.amount_minor, deal.currency)))
    )
    if card.stage.kind == "lost" and deal.lost_reason:
        reason = reason_said(deal.lost_reason)
        parts.append(as_line(_("Lost because: {reason}").format(reason=reason)))
    manager = member_name(card.manager) if card.manager else _("nobody")
    parts.append(as_line(_("Responsible: {name}").format(name=manager)))
    created = deal.created_at.astimezone(tz).strftime("%d.%m.%Y")
    parts.append(as_line(_("Created {date}").format(date=created)))
    closing = deal.expected_close.strftime("%d.%m.%Y") if deal.expected_close else _("not set")
    parts.append(as_line(_("Expected close: {date}").format(date=closing)))
    if deal.closed_at is not None:
        closed = deal.closed_at.astimezone(tz).strftime("%d.%m.%Y")
        parts.append(as_line(_("Closed {date}").format(date=closed)))
    parts.extend(as_line(line) for line in extra)
    parts.append(as_line())
    # The open card is visible: what the member sends next lands in this deal's history.
    hint = [as_line(), Italic(_("✍️ What you send now goes into this card's history."))]
    if not card.events:
        parts.append(as_line(Italic(_("No history yet."))))
        return Text(*parts, *hint), None
    stages = {s.id: s for s in card.stages}
    lines = [as_line(event_line(e, card.actors, tz, [], stages=stages)) for e in card.events]
    # Whatever the fields hold, the card stays within Telegram's 4096 characters.
    history = history_page(parts, lines, hint, page, card.events_total)
    return history.text, history


def deal_keyboard(
    card: DealCard, reader: User, page: int = 0, history: HistoryPage | None = None
) -> InlineKeyboardMarkup:
    """``page``: the first event of the history shown; ``history``: the page shown."""
    deal_id = card.deal.id

    def button(
        text: str, action: DealAction, stage_id: int = 0, to_page: int = page
    ) -> InlineKeyboardButton:
        at = card.stage.id if action in (DealAction.MOVE, DealAction.LOST) else 0
        data = DealCb(action=action, deal_id=deal_id, page=to_page, item_id=stage_id, at=at)
        return kit_button(text, data)

    rows: list[list[InlineKeyboardButton]] = []
    if card.can_change:
        following = next((s for s in card.stages if s.id == card.next_stage_id), None)
        if following is not None:
            label = _("➡️ Next: {stage}").format(stage=shorten(stage_name(following), 40))
            rows.append([button(label, DealAction.MOVE, following.id)])
        if card.deal.closed_at is None:
            won = next((s for s in card.stages if s.kind == "won"), None)
            closing = [button(_("🏆 Won"), DealAction.MOVE, won.id)] if won else []
            rows.append([*closing, button(_("❌ Lost"), DealAction.LOST)])
        else:
            rows.append([button(_("♻️ Reopen"), DealAction.REOPEN)])
        rows.append(
            [button(_("🔀 Stage"), DealAction.STAGES), button(_("✏️ Edit"), DealAction.EDIT)]
        )
        rows.append(
            [button(_("💬 Comment"), DealAction.COMMENT), task_button(deal_id=card.deal.id)]
        )
        if is_staff(reader):
            rows.append([button(_("👤 Responsible"), DealAction.MANAGER)])
    else:
        rows.append(
            [button(_("💬 Comment"), DealAction.COMMENT), task_button(deal_id=card.deal.id)]
        )
    rows.append([*card_buttons(CardRef(CardKind.DEAL, card.deal.id)), send_button(deal_id=deal_id)])
    rows.extend(read_whole_rows(history.of(card.events) if history is not None else card.events))
    nav = []
    if history is not None and history.newer is not None:
        nav.append(button(_("◀️ Newer"), DealAction.FROM, to_page=history.newer))
    if history is not None and history.older is not None:
        nav.append(button(_("Older ▶️"), DealAction.FROM, to_page=history.older))
    if nav:
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(
                text=_("👤 {name}").format(name=shorten(card.client.name, MAX_BUTTON_TITLE)),
                callback_data=ClientCb(action="open", client_id=card.client.id).pack(),
            ),
            button(_("🔄 Refresh"), DealAction.OPEN, to_page=0),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def back_to_deal(deal_id: int, page: int = 0) -> InlineKeyboardButton:
    return kit_button(_("◀️ Deal"), DealCb(action=DealAction.OPEN, deal_id=deal_id, page=page))


def amount_examples() -> str:
    return _("For example: 150000, 150 000, 150k, 1.5m.")


def amount_error_text(code: str, typed: str) -> str:
    """Why a typed amount was not taken, with examples of what works."""
    if code == "negative":
        why = _("The amount cannot be negative.")
    elif code == "too_large":
        why = _("That amount is too large; check the zeros.")
    elif code == "too_precise":
        why = _(
            "“{value}” has more than two digits after the decimal point: "
            "an amount is counted to the kopeck (cent)."
        ).format(value=shorten(typed, 50))
    else:
        why = _("“{value}” is not an amount I can read.").format(value=shorten(typed, 50))
        why = quoting(why, typed)
    return f"{why} {amount_examples()}"
