"""The client card: open, page the timeline, status, responsible, archive, delete, files."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.service import Crm
from handlers.clients.callbacks import ClientCb
from handlers.clients.views import deal_button, deal_summary, render_card
from handlers.kit.errors import error_text
from handlers.kit.labels import member_name, status_label
from handlers.kit.routes import Routes
from handlers.kit.stages import STAGE_ICONS, money, stage_name
from handlers.kit.timeline import event_text, file_kind_label
from storage.models import Event, User

routes = Routes(__name__)
DEALS_PAGE = 8


async def card_screen(
    crm: Crm, member: User, client_id: int, page: int = 0
) -> tuple[Text, InlineKeyboardMarkup]:
    """The card as a screen; opening it also makes it the member's open card."""
    card = await crm.client_queries.card(member, client_id, page=page)
    await crm.timeline.open_card(member, client_id)
    await name_deal_managers(crm, card.events, card.actors)
    return render_card(card, member, await crm.settings.statuses(), page)


async def name_deal_managers(crm: Crm, events: list[Event], people: dict[int, User]) -> None:
    """Add the members a "deal's responsible changed" event names, to show their names."""
    for event in events:
        if event.kind == "deal_changed" and event.data.get("field") == "manager_id":
            for value in (event.data.get("old"), event.data.get("new")):
                if value and int(value) not in people:
                    found = await crm.members.get_active(int(value))
                    if found is not None:
                        people[found.id] = found


async def send_card(message: Message, crm: Crm, member: User, client_id: int) -> None:
    """Send the card as a new message (after creating a client, from search results)."""
    try:
        text, keyboard = await card_screen(crm, member, client_id)
    except CrmError as error:
        await message.answer(error_text(error))
        return
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


async def show(callback: CallbackQuery, text: Text, keyboard: InlineKeyboardMarkup | None) -> None:
    """Put a screen into the pressed message (one message per screen).

    A screen that has not changed (Refresh, a button pressed twice) stays as it is:
    Telegram refuses an edit to the same text and buttons.
    """
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise
    elif callback.from_user is not None and callback.bot is not None:
        await callback.bot.send_message(
            callback.from_user.id, **text.as_kwargs(), reply_markup=keyboard
        )


async def refresh(
    callback: CallbackQuery, crm: Crm, member: User, client_id: int, page: int = 0
) -> None:
    text, keyboard = await card_screen(crm, member, client_id, page)
    await show(callback, text, keyboard)


def back_button(client_id: int, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_("◀️ Card"),
        callback_data=ClientCb(action="open", client_id=client_id, page=page).pack(),
    )


@routes.callback_query(ClientCb.filter(F.action.in_({"open", "page"})))
async def open_card(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        await refresh(callback, crm, member, callback_data.client_id, callback_data.page)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "status"))
async def choose_status(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    statuses = await crm.settings.statuses()
    rows = [
        [
            InlineKeyboardButton(
                text=("✅ " if status.code == client.status else "")
                + status_label(status.code, statuses),
                callback_data=ClientCb(
                    action="set_status",
                    client_id=client.id,
                    page=callback_data.page,
                    value=status.code,
                ).pack(),
            )
        ]
        for status in statuses
    ]
    rows.append([back_button(client.id, callback_data.page)])
    text = Text(_("Status of {name}:").format(name=client.name))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "set_status"))
async def set_status(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        await crm.client_edits.set_status(member, callback_data.client_id, callback_data.value)
        await refresh(callback, crm, member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer(_("Status changed."))


@routes.callback_query(ClientCb.filter(F.action.in_({"archive", "unarchive"})))
async def archive(callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User) -> None:
    archived = callback_data.action == "archive"
    try:
        await crm.client_edits.set_archived(member, callback_data.client_id, archived)
        await refresh(callback, crm, member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer(
        _("Moved to the archive.") if archived else _("Restored from the archive.")
    )


@routes.callback_query(ClientCb.filter(F.action == "delete"))
async def confirm_delete(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    text = Text(
        _(
            "Delete {name} for good, with the whole history? This cannot be undone; "
            "the archive can be."
        ).format(name=client.name)
    )
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("🗑 Yes, delete"),
                    callback_data=ClientCb(action="delete_yes", client_id=client.id).pack(),
                ),
                back_button(client.id, callback_data.page),
            ]
        ]
    )
    await show(callback, text, keyboard)
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "delete_yes"))
async def delete(callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User) -> None:
    try:
        name = await crm.client_edits.delete(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await show(callback, Text(_("{name} is deleted.").format(name=name)), None)
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "manager"))
async def choose_manager(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
        team = await crm.members.team(member)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=("✅ " if user.id == client.manager_id else "") + member_name(user),
                callback_data=ClientCb(
                    action="set_manager", client_id=client.id, value=str(user.id)
                ).pack(),
            )
        ]
        for user in team
        if user.active
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("Nobody"),
                callback_data=ClientCb(action="set_manager", client_id=client.id, value="0").pack(),
            )
        ]
    )
    rows.append([back_button(client.id, callback_data.page)])
    text = Text(_("Who is responsible for {name}?").format(name=client.name))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "set_manager"))
async def set_manager(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    manager_id = int(callback_data.value) if callback_data.value.isdigit() else -1
    try:
        if manager_id < 0:
            raise CrmError("not_found")
        await crm.client_edits.set_manager(member, callback_data.client_id, manager_id or None)
        await refresh(callback, crm, member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer(_("Responsible changed."))


@routes.callback_query(ClientCb.filter(F.action == "files"))
async def list_files(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        card = await crm.client_queries.card(
            member, callback_data.client_id, page=callback_data.page
        )
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    statuses = await crm.settings.statuses()
    rows = [
        [
            InlineKeyboardButton(
                text=event_text(event, card.actors, statuses)[:60],
                callback_data=ClientCb(
                    action="file", client_id=card.client.id, value=str(event.id)
                ).pack(),
            )
        ]
        for event in card.events
        if event.kind == "file"
    ]
    rows.append([back_button(card.client.id, callback_data.page)])
    await show(
        callback, Text(_("Tap a file to get it here.")), InlineKeyboardMarkup(inline_keyboard=rows)
    )
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "file"))
async def send_file(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, bot: Bot
) -> None:
    try:
        if not callback_data.value.isdigit():
            raise CrmError("not_found")
        event = await crm.timeline.file_event(member, int(callback_data.value))
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    kind = str(event.data.get("file_kind"))
    file_id = str(event.data.get("file_id"))
    caption = event.text or file_kind_label(kind)
    senders = {
        "photo": bot.send_photo,
        "voice": bot.send_voice,
        "video": bot.send_video,
        "audio": bot.send_audio,
    }
    if kind == "video_note":
        await bot.send_video_note(member.id, file_id)
    else:
        send = senders.get(kind, bot.send_document)
        await send(member.id, file_id, caption=caption[:1024])  # type: ignore[operator]
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "deals"))
async def list_deals(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    """All of a client's deals, open ones first, a page of buttons at a time."""
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
        deals = await crm.deal_queries.of_client(member, client.id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    pages = max(1, -(-len(deals) // DEALS_PAGE))
    page = min(int(callback_data.value) if callback_data.value.isdigit() else 0, pages - 1)
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

    def to_page(text: str, number: int) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text,
            callback_data=ClientCb(
                action="deals", client_id=client.id, page=callback_data.page, value=str(number)
            ).pack(),
        )

    nav = [to_page(_("◀️ Previous"), page - 1)] if page > 0 else []
    nav += [to_page(_("Next ▶️"), page + 1)] if page < pages - 1 else []
    if nav:
        rows.append(nav)
    rows.append([back_button(client.id, callback_data.page)])
    text = Text(_("Deals of {name}:").format(name=client.name))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()
