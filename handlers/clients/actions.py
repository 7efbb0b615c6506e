"""What the card's buttons change: status, responsible, archive, delete."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.screen import back_button, refresh
from handlers.kit.keyboards import button, keyboard, pick
from handlers.kit.labels import status_label
from handlers.kit.responsible import checked, responsible_question, responsible_rows
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(ClientCb.filter(F.action == CardAction.STATUS))
async def choose_status(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    statuses = await crm.settings.statuses()
    choices = [
        (
            checked(status_label(status.code, statuses), status.code == client.status),
            ClientCb(
                action=CardAction.SET_STATUS,
                client_id=client.id,
                page=callback_data.page,
                code=status.code,
            ),
        )
        for status in statuses
    ]
    rows = [*pick(choices), [back_button(client.id, callback_data.page)]]
    await show(callback, Text(_("Status of {name}:").format(name=client.name)), keyboard(*rows))


@routes.callback_query(ClientCb.filter(F.action == CardAction.SET_STATUS))
async def set_status(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    await crm.client_edits.set_status(member, callback_data.client_id, callback_data.code)
    await refresh(callback, crm, member, callback_data.client_id)
    await callback.answer(_("Status changed."))


@routes.callback_query(ClientCb.filter(F.action.in_({CardAction.ARCHIVE, CardAction.UNARCHIVE})))
async def archive(callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User) -> None:
    archived = callback_data.action == CardAction.ARCHIVE
    await crm.client_edits.set_archived(member, callback_data.client_id, archived)
    await refresh(callback, crm, member, callback_data.client_id)
    await callback.answer(
        _("Moved to the archive.") if archived else _("Restored from the archive.")
    )


@routes.callback_query(ClientCb.filter(F.action == CardAction.DELETE))
async def confirm_delete(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    counts = await crm.handoff.client_deletion_preview(member, callback_data.client_id)
    client = await crm.clients.visible(member, callback_data.client_id)
    text = Text(
        _(
            "Delete {name} for good, with the whole history? Their deals ({deals}) and tasks "
            "({tasks}) go with them. This cannot be undone; the archive can be."
        ).format(name=client.name, deals=counts.deals, tasks=counts.tasks)
    )
    chat = await crm.business_replies.chat_of(member, client.id)
    if chat is not None and chat.excluded:
        text = Text(
            text,
            "\n\n",
            _(
                "Its Telegram chat is left out, and stays so: the customer's messages will "
                "make no new card. Whose account it is can record it again in /settings → "
                "Telegram Business."
            ),
        )
    yes = ClientCb(action=CardAction.DELETE_YES, client_id=client.id)
    row = [button(_("🗑 Yes, delete"), yes), back_button(client.id, callback_data.page)]
    await show(callback, text, keyboard(row))


@routes.callback_query(ClientCb.filter(F.action == CardAction.DELETE_YES))
async def delete(callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User) -> None:
    name = await crm.client_edits.delete(member, callback_data.client_id)
    await show(callback, Text(_("{name} is deleted.").format(name=name)), None)


@routes.callback_query(ClientCb.filter(F.action == CardAction.MANAGER))
async def choose_manager(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    team = await crm.members.team(member)

    back = callback_data.page

    def to(manager_id: int) -> ClientCb:
        return ClientCb(action=CardAction.SET_MANAGER, client_id=client.id, member_id=manager_id)

    def to_page(team_page: int) -> ClientCb:
        return ClientCb(action=CardAction.MANAGER, client_id=client.id, page=back, at=team_page)

    rows = responsible_rows(team, client.manager_id, to, callback_data.at, to_page)
    rows.append([back_button(client.id, back)])
    await show(callback, responsible_question(client.name), keyboard(*rows))


@routes.callback_query(ClientCb.filter(F.action == CardAction.SET_MANAGER))
async def set_manager(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    manager_id = callback_data.member_id or None  # 0: nobody
    await crm.client_edits.set_manager(member, callback_data.client_id, manager_id)
    await refresh(callback, crm, member, callback_data.client_id)
    await callback.answer(_("Responsible changed."))
