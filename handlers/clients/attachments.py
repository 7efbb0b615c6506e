"""What hangs off a card: the files on a timeline page, and all of the client's deals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram import Bot, F
from aiogram.types import CallbackQuery
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.card_head import deal_summary
from handlers.clients.screen import back_button
from handlers.clients.views import deal_button
from handlers.kit.files import file_choices, send_back
from handlers.kit.keyboards import button, keyboard, pick
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import STAGE_ICONS, money, stage_name
from storage.models import Event, User

routes = Routes(__name__)
DEALS_PAGE = 8


@routes.callback_query(ClientCb.filter(F.action == CardAction.FILES))
async def list_files(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    """The files of the events the card's page showed: ``at`` of those read from ``page``
    on (0, an older message's button: all of them)."""
    card = await crm.client_queries.card(member, callback_data.client_id, first=callback_data.page)
    shown = card.events[: callback_data.at] if callback_data.at else card.events
    await files_screen(callback, card.client.id, shown, card.actors, callback_data.page)


@routes.callback_query(ClientCb.filter(F.action == CardAction.SHOWN_FILES))
async def list_shown_files(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    """The files of the events the card showed: ``at`` of them, ``ref`` the newest (read
    by their ids: whatever was written since, the list is the card's)."""
    data = callback_data
    shown = await crm.client_queries.shown_events(member, data.client_id, data.ref, data.at)
    await files_screen(callback, data.client_id, shown.events, shown.actors, shown.newer)


async def files_screen(
    callback: CallbackQuery,
    client_id: int,
    events: Sequence[Event],
    people: Mapping[int, User],
    back_to: int,
) -> None:
    """A button for each file among ``events``, and back to the card from ``back_to``."""
    choices = [
        (text, ClientCb(action=CardAction.FILE, client_id=client_id, ref=event_id))
        for text, event_id in file_choices(list(events), people)
    ]
    rows = [*pick(choices), [back_button(client_id, back_to)]]
    await show(callback, Text(_("Tap a file to get it here.")), keyboard(*rows))


@routes.callback_query(ClientCb.filter(F.action == CardAction.FILE))
async def send_file(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, bot: Bot
) -> None:
    await send_back(bot, member.id, await crm.timeline.file_event(member, callback_data.ref))


@routes.callback_query(ClientCb.filter(F.action == CardAction.DEALS))
async def list_deals(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    """All of a client's deals, open ones first, a page of buttons at a time."""
    client = await crm.clients.visible(member, callback_data.client_id)
    deals = await crm.deal_queries.of_client(member, client.id)
    pages = max(1, -(-len(deals) // DEALS_PAGE))
    page = min(callback_data.at, pages - 1)
    rows = [
        [
            deal_button(
                deal.id,
                STAGE_ICONS.get(stage.kind, "▫️"),
                deal_summary(
                    deal.title, money(deal.amount_minor, deal.currency), stage_name(stage)
                ),
            )
        ]
        for deal, stage in deals[page * DEALS_PAGE : (page + 1) * DEALS_PAGE]
    ]

    def to(number: int) -> ClientCb:
        return ClientCb(
            action=CardAction.DEALS, client_id=client.id, page=callback_data.page, at=number
        )

    nav = [button(_("◀️ Previous"), to(page - 1))] if page > 0 else []
    nav += [button(_("Next ▶️"), to(page + 1))] if page < pages - 1 else []
    rows += [nav, [back_button(client.id, callback_data.page)]]
    # An older "All deals" pressed after the deals were deleted: say so, not an empty list.
    title = _("Deals of {name}:") if deals else _("{name} has no deals.")
    text = Text(title.format(name=client.name))
    await show(callback, text, keyboard(*rows))
